import { randomBytes } from 'node:crypto';
import type { BillQuery, BillRecord } from '../core/bills.js';
import { depositCurrency, paperAddress } from '../core/deposit-address.js';
import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import { type AccountType, depositEntry, FUNDING, type LedgerEntry, parseAmount } from '../core/ledger.js';
import { CURRENCY_BY_CCY } from '../core/markets.js';
import type { BalanceRow, DepositAddress, LedgerStore, TransferRecord } from '../store/store.js';

/**
 * Balances of one account type as read at one moment, plus views derived from them (e.g. the
 * serialized OKX response for a given `ccy` filter), dropped together when the balances change.
 */
export interface BalanceSnapshot {
  readonly rows: readonly BalanceRow[];
  /** Unix ms of the newest change, or of the read when there are no balances. */
  readonly uTime: number;
  readonly derived: Map<string, string>;
}

/** At most this many derived views per snapshot (e.g. distinct `ccy` filters); others are built per call. */
const MAX_DERIVED = 16;

/** A view of a snapshot, built once per distinct `key` while the snapshot lives. */
export function derivedView(snap: BalanceSnapshot, key: string, build: () => string): string {
  const hit = snap.derived.get(key);
  if (hit !== undefined) return hit;
  const view = build();
  if (snap.derived.size < MAX_DERIVED) snap.derived.set(key, view);
  return view;
}

const MAX_SNAPSHOTS = 100_000;

/**
 * Balances per account, environment, account type and currency; every change a ledger entry.
 * Reads are served from snapshots: a change made by this process drops them at once, a change
 * made by any other process (CLI, another instance) within one `sync()` (SIGNET_KEY_SYNC_MS).
 */
export class LedgerService {
  private readonly snapshots = new Map<string, BalanceSnapshot>();
  private cursor = 0;
  private epoch = 0;
  private readonly changeListeners: Array<(userId: number, env: KeyEnv) => void> = [];

  constructor(private readonly store: LedgerStore) {}

  async start(): Promise<void> {
    // Entries written before bills existed get their bill amounts once (a no-op afterwards).
    await this.store.fillBillAmounts();
    this.cursor = await this.store.latestLedgerId();
  }

  /** Credits paper funds (a deposit). */
  async deposit(
    userId: number,
    env: KeyEnv,
    account: AccountType,
    ccy: string,
    amt: string,
    now: number,
  ): Promise<void> {
    const currency = ccy.trim().toUpperCase();
    if (!CURRENCY_BY_CCY.has(currency)) {
      throw new RuleError(
        '51000',
        `ccy: "${ccy}" is not listed; use one of ${[...CURRENCY_BY_CCY.keys()].join(', ')}`,
        'ccy',
      );
    }
    await this.apply([depositEntry(userId, env, account, currency, parseAmount(amt))], now);
  }

  /** Applies entries atomically and drops the snapshots they touch. */
  async apply(entries: readonly LedgerEntry[], now: number): Promise<void> {
    try {
      await this.store.applyEntries(entries, now);
    } finally {
      for (const e of entries) this.invalidate(e.userId, e.env);
    }
  }

  /** The current snapshot of one account: synchronously when cached, else read from the store. */
  snapshot(userId: number, env: KeyEnv, account: AccountType, now: number): BalanceSnapshot | Promise<BalanceSnapshot> {
    const id = `${userId}:${env}:${account}`;
    return this.snapshots.get(id) ?? this.load(id, userId, env, account, now);
  }

  private async load(
    id: string,
    userId: number,
    env: KeyEnv,
    account: AccountType,
    now: number,
  ): Promise<BalanceSnapshot> {
    const epoch = this.epoch;
    const rows = await this.store.getBalances(userId, env, account);
    const uTime = rows.reduce((t, r) => Math.max(t, r.updatedAt), 0) || now;
    const snap: BalanceSnapshot = { rows: Object.freeze(rows), uTime, derived: new Map() };
    if (epoch === this.epoch) {
      if (this.snapshots.size >= MAX_SNAPSHOTS) this.snapshots.clear();
      this.snapshots.set(id, snap);
    }
    return snap;
  }

  /**
   * Called whenever an account's balances may have changed: by this process at once, by any other
   * process (CLI, another instance) within one `sync()`. The WebSocket account channels listen.
   */
  onChange(listener: (userId: number, env: KeyEnv) => void): void {
    this.changeListeners.push(listener);
  }

  invalidate(userId: number, env: KeyEnv): void {
    this.epoch++;
    this.snapshots.delete(`${userId}:${env}:18`);
    this.snapshots.delete(`${userId}:${env}:6`);
    for (const l of this.changeListeners) l(userId, env);
  }

  /** Drops snapshots of accounts that any process changed since the last call. */
  async sync(): Promise<number> {
    let changed = 0;
    for (;;) {
      const changes = await this.store.ledgerChangesSince(this.cursor);
      if (changes.accounts.length === 0) return changed;
      this.cursor = changes.cursor;
      for (const a of changes.accounts) this.invalidate(a.userId, a.env);
      changed += changes.accounts.length;
    }
  }

  /** Bills of one account, newest first; null (no filter can match) reads as none. */
  bills(query: BillQuery | null): Promise<BillRecord[]> {
    return query === null ? Promise.resolve([]) : this.store.listBills(query);
  }

  findTransfer(
    userId: number,
    env: KeyEnv,
    by: { transId?: string; clientId?: string },
  ): Promise<TransferRecord | null> {
    return this.store.findTransfer(userId, env, by);
  }

  /**
   * The account's deposit address on every chain of `ccy`: stable, made (and stored) the first
   * time it is asked for.
   */
  async depositAddresses(userId: number, env: KeyEnv, ccy: unknown, now: number): Promise<DepositAddress[]> {
    const currency = depositCurrency(ccy, CURRENCY_BY_CCY);
    const out: DepositAddress[] = [];
    for (const c of currency.chains) {
      const addr = paperAddress(c.chain, randomBytes(44));
      out.push(
        await this.store.ensureDepositAddress({ userId, env, ccy: currency.ccy, chain: c.chain, addr, createdAt: now }),
      );
    }
    return out;
  }

  /**
   * A simulated on-chain deposit to one of signet's deposit addresses: credited to the owner's
   * funding account at once (state 2, as OKX's deposit history spells a completed deposit);
   * returns the deposit and its id.
   */
  async depositToAddress(
    addr: string,
    amt: string,
    txId: string,
    now: number,
  ): Promise<{ address: DepositAddress; depId: string; amt: string; txId: string }> {
    const address = await this.store.findDepositAddress(addr.trim());
    if (address === null) throw new RuleError('51000', `address: ${addr} is no signet deposit address`, 'address');
    const amount = parseAmount(amt);
    const tx = txId === '' ? `0x${randomBytes(32).toString('hex')}` : txId;
    const entry = depositEntry(address.userId, address.env, FUNDING, address.ccy, amount);
    try {
      const depId = await this.store.creditDeposit(
        entry,
        { chain: address.chain, toAddr: address.addr, txId: tx },
        now,
      );
      return { address, depId, amt: amount, txId: tx };
    } finally {
      this.invalidate(address.userId, address.env);
    }
  }
}
