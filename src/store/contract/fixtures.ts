import { test } from 'node:test';
import type { LedgerEntry } from '../../core/ledger.js';
import type { Order } from '../../core/orders.js';
import type { KeyRecord, OrderChanges, Store, UserRecord } from '../store.js';

export const T0 = Date.UTC(2026, 0, 1);
let seq = 0;

/** What a contract file gets: a test on a fresh store (closed after), and a new account. */
export interface ContractCase {
  withStore: (title: string, body: (store: Store) => Promise<void>) => void;
  user: (store: Store, email?: string) => Promise<UserRecord>;
}

/** The helpers of one adapter's run of the contract; `open` returns a fresh, empty store. */
export function contractCase(open: () => Promise<Store>): ContractCase {
  return {
    withStore: (title, body) => {
      test(title, async () => {
        const store = await open();
        try {
          await body(store);
        } finally {
          await store.close();
        }
      });
    },
    user: (store, email = `u${++seq}@example.com`) =>
      store.createUser({ uid: String(1e15 + seq), email, passwordHash: null, createdAt: T0, masterId: null }),
  };
}

export function orderRow(userId: number, over: Partial<Order> = {}): Order {
  seq++;
  return {
    ordId: String(1000 + seq),
    clOrdId: '',
    tag: '',
    userId,
    env: 'live',
    instId: 'BTC-USDT',
    side: 'buy',
    ordType: 'limit',
    px: '100',
    sz: '1',
    tgtCcy: '',
    accFillSz: '0',
    accFillQuote: '0',
    fee: '0',
    feeCcy: 'BTC',
    frozen: '100',
    state: 'live',
    cancelSource: '',
    cTime: T0 + seq,
    uTime: T0 + seq,
    queuedAt: T0 + seq,
    ...over,
  };
}

export const freeze = (o: Order, amt: string): LedgerEntry => ({
  userId: o.userId,
  env: o.env,
  account: '18',
  ccy: 'USDT',
  availDelta: `-${amt}`,
  frozenDelta: amt,
  kind: 'order_freeze',
  ref: o.ordId,
});

/** Stores an order change as one operation on the book of its first order. */
export async function record(store: Store, change: OrderChanges, at: number): Promise<void> {
  const first = change.orders[0] ?? change.fills[0];
  const book = { env: first?.env ?? 'live', instId: first?.instId ?? 'BTC-USDT', version: 0 };
  await store.runBookOperation(book, at, async () => ({ change, result: undefined }));
}

export function keyRow(userId: number, over: Partial<KeyRecord> = {}): KeyRecord {
  seq++;
  return {
    apiKey: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    userId,
    label: `key${seq}`,
    perms: { read: true, trade: false, withdraw: false },
    ips: [],
    env: 'live',
    secretSealed: Buffer.from([1, 2, 3, seq & 255]),
    passphraseHash: 'scrypt$14$8$1$c2FsdA==$aGFzaA==',
    createdAt: T0,
    updatedAt: T0,
    lastUsedAt: null,
    appId: null,
    disabledAt: null,
    prevSecretSealed: null,
    prevSecretUntil: null,
    ...over,
  };
}
