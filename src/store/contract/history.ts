import assert from 'node:assert/strict';
import type { Withdrawal } from '../../core/funding.js';
import type { LedgerEntry } from '../../core/ledger.js';
import type { Fill } from '../../core/matching.js';
import type { Order } from '../../core/orders.js';
import type { OrderQuery, Store } from '../store.js';
import { type ContractCase, orderRow, record, T0 } from './fixtures.js';

const ids = (list: ReadonlyArray<{ ordId: string }>) => list.map((o) => o.ordId);

/**
 * The history queries of orders, fills, withdrawals and deposits: filters, exclusive cursors
 * (`after` older, `before` newer, both together a range), inclusive time bounds, newest first.
 */
export function historyContract({ withStore, user }: ContractCase): void {
  withStore('order history: numeric ordId order and cursors, filters, windows', async (store) => {
    const u = await user(store);
    const v = await user(store);
    const at = (n: number) => ({ cTime: T0 + n, uTime: T0 + n * 10, queuedAt: T0 + n, frozen: '0' });
    const filled = { state: 'filled' as const, accFillSz: '1', accFillQuote: '100' };
    const orders: Order[] = [
      // '999' sorts after '5001' as text, before it as a number: ordIds are numbers.
      orderRow(u.id, { ordId: '999', ...at(1), ...filled }),
      orderRow(u.id, { ordId: '5001', ...at(2), ordType: 'ioc', state: 'canceled', cancelSource: 'ioc' }),
      orderRow(u.id, { ordId: '5002', ...at(3), ordType: 'post_only', ...filled }),
      orderRow(u.id, { ordId: '5003', ...at(4), state: 'canceled', accFillSz: '0.5', accFillQuote: '50' }),
      orderRow(u.id, { ordId: '5004', ...at(5) }),
      orderRow(u.id, { ordId: '5005', ...at(6), state: 'partially_filled', accFillSz: '0.5' }),
      orderRow(u.id, { ordId: '5006', ...at(7), instId: 'ETH-USDT', ...filled }),
      orderRow(v.id, { ordId: '5007', ...at(8), ...filled }),
      orderRow(u.id, { ordId: '5008', ...at(9), env: 'demo', ...filled }),
    ];
    await record(store, { orders, fills: [], entries: [] }, T0);
    const done = (q: Omit<OrderQuery, 'open' | 'limit'>, limit = 100) =>
      store.listOrders(u.id, 'live', { open: false, limit, ...q }).then(ids);
    assert.deepEqual(await done({}), ['5006', '5003', '5002', '5001', '999']);
    // Paging older with `after` reaches every order once, then an empty page.
    assert.deepEqual(await done({}, 2), ['5006', '5003']);
    assert.deepEqual(await done({ after: '5003' }, 2), ['5002', '5001']);
    assert.deepEqual(await done({ after: '5001' }, 2), ['999']);
    assert.deepEqual(await done({ after: '999' }, 2), []);
    // `before`: newer than the cursor, still newest first; both together: strictly between.
    assert.deepEqual(await done({ before: '5002' }), ['5006', '5003']);
    assert.deepEqual(await done({ before: '999' }, 2), ['5006', '5003']);
    assert.deepEqual(await done({ before: '5006' }), []);
    assert.deepEqual(await done({ after: '5006', before: '999' }), ['5003', '5002', '5001']);
    assert.deepEqual(await done({ after: '5002', before: '5002' }), []);
    assert.deepEqual(await done({ after: '5002', before: '5001' }), []);
    // Filters.
    assert.deepEqual(await done({ state: 'filled' }), ['5006', '5002', '999']);
    assert.deepEqual(await done({ state: 'canceled' }), ['5003', '5001']);
    assert.deepEqual(await done({ ordTypes: ['post_only', 'ioc'] }), ['5002', '5001']);
    assert.deepEqual(await done({ ordTypes: [] }), []);
    assert.deepEqual(await done({ instId: 'ETH-USDT' }), ['5006']);
    assert.deepEqual(await done({ begin: T0 + 2, end: T0 + 3 }), ['5002', '5001']);
    // Windows: finished since (uTime), and canceled-without-fills kept for a shorter time.
    assert.deepEqual(await done({ finishedSince: T0 + 30 }), ['5006', '5003', '5002']);
    assert.deepEqual(await done({ unfilledCanceledSince: T0 + 21 }), ['5006', '5003', '5002', '999']);
    assert.deepEqual(await done({ unfilledCanceledSince: T0 + 20 }), ['5006', '5003', '5002', '5001', '999']);
    const open = (q: Omit<OrderQuery, 'open' | 'limit'>) =>
      store.listOrders(u.id, 'live', { open: true, limit: 100, ...q }).then(ids);
    assert.deepEqual(await open({}), ['5005', '5004']);
    assert.deepEqual(await open({ state: 'live' }), ['5004']);
    assert.deepEqual(await open({ after: '5005' }), ['5004']);
    assert.deepEqual(await open({ before: '5004' }), ['5005']);
    assert.deepEqual(await open({ instId: 'ETH-USDT' }), []);
    assert.deepEqual(ids(await store.listOrders(u.id, 'demo', { open: false, limit: 100 })), ['5008']);
    assert.deepEqual(ids(await store.listOrders(v.id, 'live', { open: false, limit: 100 })), ['5007']);
  });

  withStore('fill history: billId order and cursors, filters; the last fill of each order', async (store) => {
    const u = await user(store);
    const a = orderRow(u.id, { frozen: '0' });
    const b = orderRow(u.id, { frozen: '0', side: 'sell', instId: 'ETH-USDT' });
    await record(store, { orders: [a, b], fills: [], entries: [] }, T0);
    const fill = (o: Order, n: number): Fill => ({
      tradeId: String(70 + n),
      instId: o.instId,
      ordId: o.ordId,
      clOrdId: '',
      tag: '',
      userId: u.id,
      env: 'live',
      side: o.side,
      px: '100',
      sz: `0.${n}`,
      fee: '0',
      feeCcy: 'BTC',
      execType: 'T',
      ts: T0 + n,
    });
    // Two fills share a timestamp: the bill id still orders them.
    const fills = [fill(a, 1), fill(b, 2), fill(a, 3), { ...fill(b, 4), ts: T0 + 3 }];
    await record(store, { orders: [], fills, entries: [] }, T0);
    const all = await store.listFills(u.id, 'live', { limit: 100 });
    assert.deepEqual(
      all.map((f) => f.tradeId),
      ['74', '73', '72', '71'],
    );
    const bill = all.map((f) => Number(f.billId));
    assert.deepEqual(
      [...bill].sort((x, y) => y - x),
      bill,
    );
    assert.equal(new Set(bill).size, 4);
    const trades = async (q: Parameters<Store['listFills']>[2]) =>
      (await store.listFills(u.id, 'live', q)).map((f) => f.tradeId);
    const [b74, b73, b72, b71] = bill;
    assert.deepEqual(await trades({ limit: 2 }), ['74', '73']);
    assert.deepEqual(await trades({ limit: 2, after: b73 }), ['72', '71']);
    assert.deepEqual(await trades({ limit: 2, after: b71 }), []);
    assert.deepEqual(await trades({ limit: 100, before: b72 }), ['74', '73']);
    assert.deepEqual(await trades({ limit: 100, before: b71, after: b74 }), ['73', '72']);
    assert.deepEqual(await trades({ limit: 100, before: b73, after: b73 }), []);
    assert.deepEqual(await trades({ limit: 100, side: 'sell' }), ['74', '72']);
    assert.deepEqual(await trades({ limit: 100, instId: 'BTC-USDT' }), ['73', '71']);
    assert.deepEqual(await trades({ limit: 100, ordId: b.ordId }), ['74', '72']);
    assert.deepEqual(await trades({ limit: 100, begin: T0 + 2, end: T0 + 3 }), ['74', '73', '72']);
    const c = orderRow(u.id, { frozen: '0' });
    const last = await store.lastFills([a.ordId, b.ordId, c.ordId]);
    assert.deepEqual(
      [...last.entries()].sort(),
      [
        [a.ordId, { tradeId: '73', px: '100', sz: '0.3', ts: T0 + 3 }],
        [b.ordId, { tradeId: '74', px: '100', sz: '0.4', ts: T0 + 3 }],
      ].sort(),
    );
    assert.equal((await store.lastFills([])).size, 0);
  });

  withStore('withdrawal and deposit history: ts cursors, filters, newest first', async (store) => {
    const u = await user(store);
    const credit = (n: number, over: Partial<LedgerEntry> = {}): Promise<unknown> =>
      store.applyEntries(
        [
          {
            userId: u.id,
            env: 'live',
            account: '6',
            ccy: 'USDT',
            availDelta: String(100 + n),
            frozenDelta: '0',
            kind: 'deposit',
            ref: '',
            ...over,
          },
        ],
        T0 + n,
      );
    await credit(1);
    await credit(2, { kind: 'internal_in', ref: '900' });
    await credit(3, { ccy: 'BTC' });
    await credit(3);
    await credit(4, { env: 'demo' });
    const deposits = async (q: Parameters<Store['listDeposits']>[2]) =>
      (await store.listDeposits(u.id, 'live', q)).map((d) => `${d.ccy}${d.amt}`);
    assert.deepEqual(await deposits({ limit: 100 }), ['USDT103', 'BTC103', 'USDT102', 'USDT101']);
    assert.deepEqual(await deposits({ limit: 100, after: T0 + 3 }), ['USDT102', 'USDT101']);
    assert.deepEqual(await deposits({ limit: 100, before: T0 + 1 }), ['USDT103', 'BTC103', 'USDT102']);
    assert.deepEqual(await deposits({ limit: 100, before: T0 + 1, after: T0 + 3 }), ['USDT102']);
    assert.deepEqual(await deposits({ limit: 100, before: T0 + 2, after: T0 + 2 }), []);
    assert.deepEqual(await deposits({ limit: 1 }), ['USDT103']);
    assert.deepEqual(await deposits({ limit: 100, ccy: 'BTC' }), ['BTC103']);
    assert.deepEqual(await deposits({ limit: 100, kind: 'internal_in' }), ['USDT102']);
    assert.deepEqual(await deposits({ limit: 100, fromWdId: '900' }), ['USDT102']);
    assert.deepEqual(await deposits({ limit: 100, fromWdId: '901' }), []);
    const [first] = await store.listDeposits(u.id, 'live', { limit: 100, ccy: 'BTC' });
    assert.deepEqual(await deposits({ limit: 100, depId: first?.depId }), ['BTC103']);

    const w = (n: number, over: Partial<Withdrawal> = {}): Withdrawal => ({
      wdId: String(600 + n),
      clientId: `c${n}`,
      userId: u.id,
      env: 'live',
      ccy: 'USDT',
      chain: 'USDT-TRC20',
      amt: '1',
      fee: '0',
      dest: '4',
      toAddr: 'T1',
      toUserId: null,
      state: '0',
      txId: '',
      createdAt: T0 + n,
      updatedAt: T0 + n,
      ...over,
    });
    for (const x of [
      w(1),
      w(2, { dest: '3', state: '2' }),
      w(3, { txId: '0xabc', state: '2' }),
      w(3, { wdId: '699' }),
    ]) {
      await store.insertWithdrawal(x, [], T0);
    }
    const wds = async (q: Parameters<Store['listWithdrawals']>[2]) =>
      (await store.listWithdrawals(u.id, 'live', q)).map((x) => x.wdId);
    assert.deepEqual(await wds({ limit: 100 }), ['699', '603', '602', '601']);
    assert.deepEqual(await wds({ limit: 2, after: T0 + 3 }), ['602', '601']);
    assert.deepEqual(await wds({ limit: 100, before: T0 + 2 }), ['699', '603']);
    assert.deepEqual(await wds({ limit: 100, before: T0 + 1, after: T0 + 3 }), ['602']);
    assert.deepEqual(await wds({ limit: 100, state: '2' }), ['603', '602']);
    assert.deepEqual(await wds({ limit: 100, dest: '3' }), ['602']);
    assert.deepEqual(await wds({ limit: 100, txId: '0xabc' }), ['603']);
    assert.deepEqual(await wds({ limit: 100, clientId: 'c1' }), ['601']);
    assert.deepEqual(await wds({ limit: 100, wdId: '602' }), ['602']);
    assert.deepEqual(await wds({ limit: 100, ccy: 'BTC' }), []);
  });
}
