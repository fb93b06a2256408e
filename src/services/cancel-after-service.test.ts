import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRADING } from '../core/ledger.js';
import { CancelAfterService } from './cancel-after-service.js';
import { LedgerService } from './ledger-service.js';
import { addUser, memoryStore, T0 } from './test-store.test-helpers.js';
import { TradingService } from './trading-service.js';

const bid = (px: number, tag: string) => ({
  instId: 'BTC-USDT',
  tdMode: 'cash',
  side: 'buy',
  ordType: 'limit',
  px: String(px),
  sz: '0.001',
  tag,
});

test('a tag-level countdown reaches its orders past the first 100 open ones, and spares the others', async (t) => {
  const store = memoryStore();
  t.after(() => store.close());
  const ledger = new LedgerService(store);
  const trading = new TradingService(store, ledger, { maker: '0.0008', taker: '0.001' });
  await ledger.start();
  await trading.start();
  const user = await addUser(store, 'countdown@example.com');
  await ledger.deposit(user.id, 'live', TRADING, 'USDT', '1000000', T0);
  // The tagged orders are the oldest: 120 untagged ones come after them (newest first, they fill the first page).
  for (let i = 0; i < 5; i++) await trading.place(user.id, 'live', bid(1000 + i, 'bot7'), T0 + i);
  for (let i = 0; i < 120; i++) await trading.place(user.id, 'live', bid(2000 + i, ''), T0 + 10 + i);
  const service = new CancelAfterService(store, trading);
  await service.set(user.id, 'live', { timeoutS: 10, tag: 'bot7' }, T0 + 200);
  assert.equal(await service.fireDue(T0 + 200 + 9_999, 500), 0, 'not due yet');
  // One instance fires per interval: the next interval.
  assert.equal(await service.fireDue(T0 + 200 + 10_500, 500), 5);
  const first = await trading.listOrders(user.id, 'live', { open: true, limit: 100 });
  const rest = await trading.listOrders(user.id, 'live', { open: true, limit: 100, after: first.at(-1)?.ordId });
  const open = [...first, ...rest];
  assert.equal(new Set(open.map((o) => o.ordId)).size, 120);
  assert.ok(open.every((o) => o.tag === ''));
});
