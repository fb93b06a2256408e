import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { RuleError } from '../src/core/errors.js';
import { TRADING } from '../src/core/ledger.js';
import { openRuntime } from '../src/runtime.js';
import { checkConservation } from './conservation.js';
import { tempDir } from './helpers.js';

const open = (data: string) => openRuntime(loadConfig({ SIGNET_DATA: data, SIGNET_LOG_LEVEL: 'silent' }));

describe('trading through the runtime: one transaction per order, everything survives a restart', () => {
  test('orders, fills and balances persist; the book is rebuilt from open orders', async () => {
    const data = tempDir();
    let rt = await open(data);
    const now = Date.now();
    const a = await rt.users.create('a@example.com', 'a long enough password', now);
    const b = await rt.users.create('b@example.com', 'a long enough password', now);
    await rt.ledger.deposit(a.id, 'live', TRADING, 'BTC', '2', now);
    await rt.ledger.deposit(b.id, 'live', TRADING, 'USDT', '100000', now);
    const sell = await rt.trading.place(a.id, 'live', { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '60000', sz: '1.5', clOrdId: 'ask1' }, now);
    const buy = await rt.trading.place(b.id, 'live', { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '60000', sz: '0.5' }, now);
    assert.equal(buy.state, 'filled');
    await assert.rejects(rt.trading.place(a.id, 'live', { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '61000', sz: '0.1', clOrdId: 'ask1' }, now),
      (err: unknown) => err instanceof RuleError && err.code === '51016');
    await assert.rejects(rt.trading.place(a.id, 'live', { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '61000', sz: '1' }, now),
      (err: unknown) => err instanceof RuleError && err.code === '51008');
    checkConservation(rt);
    await rt.close();

    rt = await open(data);
    const book = rt.trading.book('live', 'BTC-USDT');
    assert.deepEqual(book.levels('sell', 5), [['60000', '1', 1]]);
    assert.equal(book.get(sell.ordId)?.accFillSz, '0.5');
    assert.equal((await rt.trading.findOrder(a.id, 'live', { clOrdId: 'ask1' }))?.state, 'partially_filled');
    assert.equal((await rt.trading.listFills(b.id, 'live', { limit: 10 }))[0]?.fee, '-0.0005');
    const balances = await rt.store.getBalances(a.id, 'live', TRADING);
    assert.deepEqual(balances.map((r) => [r.ccy, r.avail, r.frozen]), [['BTC', '0.5', '1'], ['USDT', '29976', '0']]);
    // New ids continue after the stored ones; the rebuilt book trades.
    const more = await rt.trading.place(b.id, 'live', { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '30000' }, Date.now());
    assert.ok(BigInt(more.ordId) > BigInt(buy.ordId));
    assert.deepEqual([more.state, more.accFillSz], ['filled', '0.5']);
    await rt.trading.cancel(a.id, 'live', { instId: 'BTC-USDT', clOrdId: 'ask1' }, Date.now());
    assert.deepEqual(book.levels('sell', 5), []);
    assert.deepEqual((await rt.store.getBalances(a.id, 'live', TRADING)).map((r) => [r.ccy, r.frozen]), [['BTC', '0'], ['USDT', '0']]);
    checkConservation(rt);
    await rt.close();
  });
});
