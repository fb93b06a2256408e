import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import { TRADING } from '../core/ledger.js';
import { LedgerService } from './ledger-service.js';
import { addUser, balanceOf, memoryStore, ruleError, T0 } from './test-store.test-helpers.js';
import { TradingService } from './trading-service.js';

const FEES = { maker: '0.0008', taker: '0.001' };
const limit = (side: 'buy' | 'sell', px: string, sz: string) => ({
  instId: 'BTC-USDT',
  tdMode: 'cash',
  side,
  ordType: 'limit',
  px,
  sz,
});

async function exchange(t: { after: (fn: () => Promise<void>) => void }) {
  const store = memoryStore();
  t.after(() => store.close());
  const ledger = new LedgerService(store);
  const trading = new TradingService(store, ledger, FEES);
  await ledger.start();
  await trading.start();
  const seller = await addUser(store, 'seller@example.com');
  const buyer = await addUser(store, 'buyer@example.com');
  await ledger.deposit(seller.id, 'live', TRADING, 'BTC', '1', T0);
  await ledger.deposit(buyer.id, 'live', TRADING, 'USDT', '100000', T0);
  const held = async (userId: number, ccy: string) => {
    const b = await balanceOf(ledger, userId, 'live', TRADING, ccy);
    return new Big(b.avail).plus(b.frozen);
  };
  return { store, ledger, trading, seller, buyer, held };
}

test('a crossing order fills at the resting price, with fees, and every unit is accounted for', async (t) => {
  const { ledger, trading, seller, buyer, held } = await exchange(t);
  const ask = await trading.place(seller.id, 'live', limit('sell', '60000', '0.5'), T0 + 1);
  assert.equal(ask.state, 'live');
  assert.deepEqual(await balanceOf(ledger, seller.id, 'live', TRADING, 'BTC'), { avail: '0.5', frozen: '0.5' });
  assert.deepEqual(trading.book('live', 'BTC-USDT').levels('sell', 5), [['60000', '0.5', 1]]);

  const bid = await trading.place(buyer.id, 'live', limit('buy', '61000', '0.2'), T0 + 2);
  assert.deepEqual(
    [bid.state, bid.accFillSz, bid.accFillQuote, bid.fee, bid.feeCcy],
    ['filled', '0.2', '12000', '-0.0002', 'BTC'],
  );
  // The buyer froze 0.2 × 61000 and paid 0.2 × 60000: the price improvement comes back.
  assert.deepEqual(await balanceOf(ledger, buyer.id, 'live', TRADING, 'USDT'), { avail: '88000', frozen: '0' });
  assert.deepEqual(await balanceOf(ledger, buyer.id, 'live', TRADING, 'BTC'), { avail: '0.1998', frozen: '0' });
  assert.deepEqual(await balanceOf(ledger, seller.id, 'live', TRADING, 'BTC'), { avail: '0.5', frozen: '0.3' });
  assert.deepEqual(await balanceOf(ledger, seller.id, 'live', TRADING, 'USDT'), { avail: '11990.4', frozen: '0' });
  const btc = (await held(seller.id, 'BTC')).plus(await held(buyer.id, 'BTC')).plus('0.0002');
  const usdt = (await held(seller.id, 'USDT')).plus(await held(buyer.id, 'USDT')).plus('9.6');
  assert.equal(btc.toFixed(), '1', 'BTC: balances plus the fee');
  assert.equal(usdt.toFixed(), '100000', 'USDT: balances plus the fee');
  const fills = await trading.listFills(buyer.id, 'live', { limit: 10 });
  assert.deepEqual(
    fills.map((f) => [f.side, f.px, f.sz, f.execType]),
    [['buy', '60000', '0.2', 'T']],
  );
  assert.equal((await trading.findOrder(seller.id, 'live', { ordId: ask.ordId }))?.state, 'partially_filled');
  assert.deepEqual(trading.book('live', 'BTC-USDT').levels('sell', 5), [['60000', '0.3', 1]]);
});

test('cancel releases what the order holds; a second cancel is refused with 51400', async (t) => {
  const { ledger, trading, seller } = await exchange(t);
  const ask = await trading.place(seller.id, 'live', { ...limit('sell', '70000', '0.25'), clOrdId: 'a1' }, T0 + 1);
  const canceled = await trading.cancel(seller.id, 'live', { instId: 'BTC-USDT', clOrdId: 'a1' }, T0 + 2);
  assert.deepEqual(
    [canceled.ordId, canceled.state, canceled.cancelSource, canceled.frozen],
    [ask.ordId, 'canceled', 'user', '0'],
  );
  assert.deepEqual(await balanceOf(ledger, seller.id, 'live', TRADING, 'BTC'), { avail: '1', frozen: '0' });
  assert.equal(trading.book('live', 'BTC-USDT').size, 0);
  const again = trading.cancel(seller.id, 'live', { instId: 'BTC-USDT', ordId: ask.ordId }, T0 + 3);
  await assert.rejects(again, ruleError('51400'));
  const finished = await trading.listOrders(seller.id, 'live', { open: false, limit: 10 });
  assert.deepEqual(
    finished.map((o) => o.state),
    ['canceled'],
  );
});

test('cancel and amend of an unknown instrument reject their promise (never throw before it)', async (t) => {
  const { trading, seller } = await exchange(t);
  const cancel = trading.cancel(seller.id, 'live', { instId: 'NOPE-USDT', ordId: '1' }, T0 + 1);
  const amend = trading.amend(seller.id, 'live', { instId: 'NOPE-USDT', ordId: '1' }, { newSz: '1' }, T0 + 1);
  await assert.rejects(cancel, ruleError('51001'));
  await assert.rejects(amend, ruleError('51001'));
});

test('an order the balance cannot cover is refused with 51008 and leaves nothing behind', async (t) => {
  const { ledger, trading, buyer } = await exchange(t);
  const order = limit('buy', '60000', '2');
  await assert.rejects(trading.place(buyer.id, 'live', order, T0 + 1), ruleError('51008'));
  assert.deepEqual(await balanceOf(ledger, buyer.id, 'live', TRADING, 'USDT'), { avail: '100000', frozen: '0' });
  assert.equal(trading.book('live', 'BTC-USDT').size, 0);
  assert.deepEqual(await trading.listOrders(buyer.id, 'live', { open: true, limit: 10 }), []);
  await assert.rejects(trading.place(buyer.id, 'live', { ...order, sz: '0.000001' }, T0 + 1), ruleError('51020'));
  const demo = trading.place(buyer.id, 'demo', { ...order, sz: '0.001' }, T0 + 1);
  await assert.rejects(demo, ruleError('51008'), 'demo funds apart');
});

test('orders placed together are one group commit: matched in arrival order, one book version, a refused one leaves the others', async (t) => {
  const { store, ledger, trading, seller, buyer } = await exchange(t);
  const placed = [
    trading.place(seller.id, 'live', limit('sell', '60000', '0.5'), T0 + 1),
    trading.place(buyer.id, 'live', limit('buy', '60000', '0.2'), T0 + 2),
    // 2 BTC × 60000 is more than the buyer holds after the first buy: refused alone.
    trading.place(buyer.id, 'live', limit('buy', '60000', '2'), T0 + 3),
    trading.place(buyer.id, 'live', { ...limit('buy', '60000', '0.1'), clOrdId: 'last' }, T0 + 4),
  ];
  // A cancel asked for after them runs after them (it finds the order the group stored).
  const cancel = trading.cancel(buyer.id, 'live', { instId: 'BTC-USDT', clOrdId: 'last' }, T0 + 5);
  const [ask, bid, big, last] = await Promise.allSettled(placed);
  assert.equal(ask?.status === 'fulfilled' && ask.value.state, 'live');
  assert.equal(bid?.status === 'fulfilled' && bid.value.state, 'filled');
  assert.ok(big?.status === 'rejected' && ruleError('51008')(big.reason));
  assert.equal(last?.status === 'fulfilled' && last.value.state, 'filled');
  await assert.rejects(cancel, ruleError('51400'), 'already filled');
  // One version for the four placements (the cancel found nothing to change and stored nothing).
  assert.deepEqual(await store.bookVersions(), [{ env: 'live', instId: 'BTC-USDT', version: 1 }]);
  assert.deepEqual(trading.book('live', 'BTC-USDT').levels('sell', 5), [['60000', '0.2', 1]]);
  assert.deepEqual(await balanceOf(ledger, seller.id, 'live', TRADING, 'BTC'), { avail: '0.5', frozen: '0.2' });
  assert.deepEqual(await balanceOf(ledger, buyer.id, 'live', TRADING, 'USDT'), { avail: '82000', frozen: '0' });
  assert.equal(trading.placedCount, 3);
});

test('a second instance on the same database trades against the open orders; sync() catches up', async (t) => {
  const { store, ledger, trading, seller, buyer } = await exchange(t);
  const ask = await trading.place(seller.id, 'live', limit('sell', '60000', '0.1'), T0 + 1);
  const otherLedger = new LedgerService(store);
  const other = new TradingService(store, otherLedger, FEES);
  await other.start();
  assert.equal(other.book('live', 'BTC-USDT').get(ask.ordId)?.sz, '0.1');
  const buy = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '0.1', tgtCcy: 'base_ccy' };
  const market = await other.place(buyer.id, 'live', buy, T0 + 2);
  assert.equal(market.state, 'filled');
  assert.notEqual(market.ordId, ask.ordId);
  assert.equal(trading.book('live', 'BTC-USDT').size, 1, 'this instance has not caught up yet');
  assert.equal(await trading.sync(), 1);
  assert.equal(trading.book('live', 'BTC-USDT').size, 0);
  assert.deepEqual(await balanceOf(ledger, seller.id, 'live', TRADING, 'BTC'), { avail: '0.9', frozen: '0' });
});
