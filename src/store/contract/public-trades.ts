import assert from 'node:assert/strict';
import type { Fill } from '../../core/matching.js';
import { type ContractCase, orderRow, record, T0 } from './fixtures.js';

/** The contract of the public-trade pages (GET /api/v5/market/history-trades, candles at start-up). */
export function publicTradesContract({ withStore, user }: ContractCase): void {
  withStore('public trades: pages by trade id (after, before, both) and by time, newest first', async (store) => {
    const u = await user(store);
    const o = orderRow(u.id);
    await record(store, { orders: [o], fills: [], entries: [] }, T0);
    const fill = (tradeId: string, ts: number, execType: 'T' | 'M' = 'T', env: 'live' | 'demo' = 'live'): Fill => ({
      tradeId,
      instId: 'BTC-USDT',
      ordId: o.ordId,
      clOrdId: '',
      tag: '',
      userId: u.id,
      env,
      side: 'buy',
      px: '100',
      sz: '1',
      fee: '0',
      feeCcy: 'BTC',
      execType,
      ts,
    });
    // Stored in this order; trade ids need not follow it (id blocks of several instances).
    const stored = [
      fill('10', T0 + 1),
      fill('10', T0 + 1, 'M'),
      fill('11', T0 + 2),
      fill('30', T0 + 3),
      fill('20', T0 + 3),
      fill('21', T0 + 5),
    ];
    for (const f of stored) await record(store, { orders: [], fills: [f], entries: [] }, f.ts);
    await record(store, { orders: [], fills: [fill('99', T0 + 9, 'T', 'demo')], entries: [] }, T0 + 9);
    const ids = async (q: Parameters<typeof store.publicTradeHistory>[2]) =>
      (await store.publicTradeHistory('live', 'BTC-USDT', q)).map((f) => f.tradeId);

    assert.deepEqual(await ids({ limit: 10 }), ['21', '20', '30', '11', '10'], 'taker sides, newest stored first');
    assert.deepEqual(await ids({ limit: 2 }), ['21', '20']);
    assert.deepEqual(await ids({ after: { tradeId: '30' }, limit: 10 }), ['11', '10'], 'stored before trade 30');
    assert.deepEqual(await ids({ after: { tradeId: '20' }, limit: 1 }), ['30']);
    assert.deepEqual(await ids({ before: { tradeId: '11' }, limit: 10 }), ['21', '20', '30'], 'stored after 11');
    assert.deepEqual(await ids({ before: { tradeId: '10' }, limit: 2 }), ['21', '20'], 'the newest of them');
    assert.deepEqual(await ids({ after: { tradeId: '21' }, before: { tradeId: '10' }, limit: 10 }), ['20', '30', '11']);
    assert.deepEqual(await ids({ after: { tradeId: '12345' }, limit: 10 }), [], 'an unknown trade id');
    assert.deepEqual(await ids({ after: { ts: T0 + 3 }, limit: 10 }), ['11', '10'], 'before a time');
    assert.deepEqual(await ids({ after: { ts: T0 + 4 }, limit: 10 }), ['20', '30', '11', '10']);
    assert.deepEqual(
      (await store.publicTradeHistory('demo', 'BTC-USDT', { limit: 10 })).map((f) => f.tradeId),
      ['99'],
      'each environment apart',
    );
    assert.deepEqual(await store.publicTradeHistory('live', 'ETH-USDT', { limit: 10 }), []);
  });
}
