import assert from 'node:assert/strict';
import { RuleError } from '../../core/errors.js';
import { depositEntry } from '../../core/ledger.js';
import type { Fill } from '../../core/matching.js';
import type { Order } from '../../core/orders.js';
import { type ContractCase, freeze, orderRow, record, T0 } from './fixtures.js';

/** The contract of book operations, orders and fills. */
export function exchangeContract({ withStore, user }: ContractCase): void {
  withStore(
    'orders: one transaction stores entries, orders and fills; a negative balance stores none of them',
    async (store) => {
      const u = await user(store);
      await store.applyEntries([depositEntry(u.id, 'live', '18', 'USDT', '150')], T0);
      const a = orderRow(u.id, { clOrdId: 'abc123' });
      await record(store, { orders: [a], fills: [], entries: [freeze(a, '100')] }, T0);
      const b = orderRow(u.id);
      await assert.rejects(
        record(store, { orders: [b], fills: [], entries: [freeze(b, '100')] }, T0),
        (err: unknown) => err instanceof RuleError && err.code === '51008',
      );
      assert.equal(await store.findOrder(u.id, 'live', { ordId: b.ordId }), null);
      assert.deepEqual(
        (await store.getBalances(u.id, 'live', '18')).map((r) => [r.avail, r.frozen]),
        [['50', '100']],
      );
      assert.deepEqual(await store.findOrder(u.id, 'live', { ordId: a.ordId }), a);
      assert.deepEqual(await store.findOrder(u.id, 'live', { clOrdId: 'abc123' }), a);
      assert.equal(await store.findOrder(u.id, 'demo', { ordId: a.ordId }), null);
      const fill: Fill = {
        tradeId: '77',
        instId: 'BTC-USDT',
        ordId: a.ordId,
        clOrdId: 'abc123',
        tag: '',
        userId: u.id,
        env: 'live',
        side: 'buy',
        px: '100',
        sz: '0.5',
        fee: '-0.0005',
        feeCcy: 'BTC',
        execType: 'M',
        ts: T0 + 5,
      };
      const partial: Order = {
        ...a,
        accFillSz: '0.5',
        accFillQuote: '50',
        fee: '-0.0005',
        frozen: '50',
        state: 'partially_filled',
        uTime: T0 + 5,
      };
      await record(store, { orders: [partial], fills: [fill], entries: [] }, T0 + 5);
      assert.deepEqual(await store.findOrder(u.id, 'live', { ordId: a.ordId }), partial);
      const [stored] = await store.listFills(u.id, 'live', { limit: 10 });
      assert.match(stored?.billId ?? '', /^\d+$/);
      assert.deepEqual(await store.listFills(u.id, 'live', { limit: 10 }), [{ ...fill, billId: stored?.billId }]);
      assert.deepEqual(await store.listFills(u.id, 'live', { instId: 'ETH-USDT', limit: 10 }), []);
      assert.deepEqual(await store.listPublicTrades('live', 'BTC-USDT', 10), []);
      await record(
        store,
        { orders: [], fills: [{ ...fill, tradeId: '78', execType: 'T', side: 'sell' }], entries: [] },
        T0 + 6,
      );
      assert.deepEqual(
        (await store.listPublicTrades('live', 'BTC-USDT', 10)).map((f) => [f.tradeId, f.side]),
        [['78', 'sell']],
      );
      assert.deepEqual(await store.listPublicTrades('demo', 'BTC-USDT', 10), []);
    },
  );

  withStore('orders: clOrdId unique among open orders only; open and finished lists; start-up list', async (store) => {
    const u = await user(store);
    const v = await user(store);
    const a = orderRow(u.id, { clOrdId: 'same', frozen: '0' });
    await record(store, { orders: [a], fills: [], entries: [] }, T0);
    await assert.rejects(
      record(store, { orders: [orderRow(u.id, { clOrdId: 'same', frozen: '0' })], fills: [], entries: [] }, T0),
      (err: unknown) => err instanceof RuleError && err.code === '51016',
    );
    // Another account, or the demo environment, may use it.
    await record(store, { orders: [orderRow(v.id, { clOrdId: 'same', frozen: '0' })], fills: [], entries: [] }, T0);
    await record(
      store,
      { orders: [orderRow(u.id, { clOrdId: 'same', env: 'demo', frozen: '0' })], fills: [], entries: [] },
      T0,
    );
    const canceled: Order = { ...a, state: 'canceled', cancelSource: 'user', uTime: T0 + 100 };
    await record(store, { orders: [canceled], fills: [], entries: [] }, T0);
    const again = orderRow(u.id, { clOrdId: 'same', frozen: '0' });
    await record(store, { orders: [again], fills: [], entries: [] }, T0);
    assert.deepEqual(
      (await store.listOrders(u.id, 'live', { open: true, limit: 10 })).map((o) => o.ordId),
      [again.ordId],
    );
    assert.deepEqual(
      (await store.listOrders(u.id, 'live', { open: false, limit: 10 })).map((o) => o.ordId),
      [a.ordId],
    );
    assert.deepEqual(await store.listOrders(u.id, 'live', { open: true, instId: 'ETH-USDT', limit: 10 }), []);
    assert.equal((await store.findOrder(u.id, 'live', { clOrdId: 'same' }))?.ordId, again.ordId);
    assert.equal((await store.openOrders()).length, 3);
  });

  withStore(
    'books: operations catch up with what was stored since their version, take turns, and a refusal stores nothing',
    async (store) => {
      const u = await user(store);
      await store.applyEntries([depositEntry(u.id, 'live', '18', 'USDT', '1000')], T0);
      assert.deepEqual(await store.bookVersions(), []);
      const btc = { env: 'live' as const, instId: 'BTC-USDT' };
      const a = orderRow(u.id);
      const first = await store.runBookOperation({ ...btc, version: 0 }, T0, async (since) => {
        assert.deepEqual(since, { version: 0, orders: [], fills: [] });
        return { change: { orders: [a], fills: [], entries: [freeze(a, '100')] }, result: 'stored' };
      });
      assert.equal(first, 'stored');
      // An instance still at version 0 is given the order stored since.
      const b = orderRow(u.id);
      const trade: Fill = {
        tradeId: '9',
        instId: 'BTC-USDT',
        ordId: b.ordId,
        clOrdId: '',
        tag: '',
        userId: u.id,
        env: 'live',
        side: 'buy',
        px: '100',
        sz: '0',
        fee: '0',
        feeCcy: 'BTC',
        execType: 'T',
        ts: T0,
      };
      // Both sides of a fill come back to the other instances (their order pushes carry the fill).
      const makerSide: Fill = { ...trade, tradeId: '10', ordId: a.ordId, side: 'sell', execType: 'M' };
      await store.runBookOperation({ ...btc, version: 0 }, T0, async (since) => {
        assert.deepEqual(since, { version: 1, orders: [a], fills: [] });
        return { change: { orders: [b], fills: [trade, makerSide], entries: [freeze(b, '100')] }, result: undefined };
      });
      // Refused (a rule error, or a balance that would go negative): nothing stored, the version unchanged.
      await assert.rejects(
        store.runBookOperation({ ...btc, version: 2 }, T0, async () => {
          throw new RuleError('51400', 'gone');
        }),
        RuleError,
      );
      const c = orderRow(u.id);
      await assert.rejects(
        store.runBookOperation({ ...btc, version: 2 }, T0, async () => ({
          change: { orders: [c], fills: [], entries: [freeze(c, '900')] },
          result: undefined,
        })),
        (err: unknown) => err instanceof RuleError && err.code === '51008',
      );
      assert.equal(await store.findOrder(u.id, 'live', { ordId: c.ordId }), null);
      assert.deepEqual(
        (await store.getBalances(u.id, 'live', '18')).map((r) => [r.avail, r.frozen]),
        [['800', '200']],
      );
      const canceled: Order = { ...a, state: 'canceled', frozen: '0', uTime: T0 + 9 };
      await record(store, { orders: [canceled], fills: [], entries: [] }, T0);
      // Concurrent operations on one book take turns: each sees the version the previous one left.
      const seen: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, () =>
          store
            .runBookOperation({ ...btc, version: 0 }, T0, async (since) => {
              await new Promise((r) => setTimeout(r, 2));
              const o = orderRow(u.id, { frozen: '0' });
              return { change: { orders: [o], fills: [], entries: [] }, result: since.version };
            })
            .then((v) => seen.push(v)),
        ),
      );
      assert.deepEqual(
        seen.sort((x, y) => x - y),
        [3, 4, 5, 6, 7, 8, 9, 10],
      );
      // Other books have their own versions.
      await record(
        store,
        { orders: [orderRow(u.id, { instId: 'ETH-USDT', frozen: '0' })], fills: [], entries: [] },
        T0,
      );
      assert.deepEqual(await store.bookVersions(), [
        { env: 'live', instId: 'BTC-USDT', version: 11 },
        { env: 'live', instId: 'ETH-USDT', version: 1 },
      ]);
      const since1 = await store.bookChangesSince('live', 'BTC-USDT', 1);
      assert.equal(since1.version, 11);
      assert.deepEqual(
        since1.orders
          .filter((o) => o.ordId === a.ordId || o.ordId === b.ordId)
          .map((o) => [o.ordId, o.state])
          .sort(),
        [
          [a.ordId, 'canceled'],
          [b.ordId, 'live'],
        ].sort(),
      );
      assert.equal(since1.orders.length, 10);
      assert.deepEqual(since1.fills, [trade, makerSide]);
      assert.deepEqual((await store.bookChangesSince('live', 'BTC-USDT', 2)).fills, []);
      assert.deepEqual(await store.bookChangesSince('live', 'BTC-USDT', 11), { version: 11, orders: [], fills: [] });
      assert.deepEqual(await store.bookChangesSince('demo', 'BTC-USDT', 0), { version: 0, orders: [], fills: [] });
    },
  );

  withStore(
    'books: a batch stores its steps in one transaction at one version; a refused step (51008, 51016) stores nothing of itself and leaves the others',
    async (store) => {
      const u = await user(store);
      await store.applyEntries([depositEntry(u.id, 'live', '18', 'USDT', '300')], T0);
      const btc = { env: 'live' as const, instId: 'BTC-USDT' };
      const first = orderRow(u.id);
      await record(store, { orders: [first], fills: [], entries: [freeze(first, '50')] }, T0);
      const a = orderRow(u.id, { clOrdId: 'taken' });
      const b = orderRow(u.id);
      const c = orderRow(u.id, { clOrdId: 'taken' });
      const d = orderRow(u.id);
      const steps = [
        { orders: [a], fills: [], entries: [freeze(a, '100')] },
        { orders: [b], fills: [], entries: [freeze(b, '100'), freeze(b, '100')] },
        { orders: [c], fills: [], entries: [freeze(c, '10')] },
        {
          orders: [d],
          fills: [],
          entries: [freeze(d, '100'), { ...freeze(d, '60'), availDelta: '60', frozenDelta: '-60' }],
        },
      ];
      const seen: unknown[] = [];
      const refusals: Array<string | null> = [];
      await store.runBookBatch(
        { ...btc, version: 0 },
        {
          catchUp: (since) => seen.push(since),
          next: () => {
            const change = steps[refusals.length];
            return change === undefined ? null : { change, at: T0 + 1 };
          },
          settled: (refusal) => refusals.push(refusal === null ? null : refusal.code),
        },
      );
      assert.deepEqual(seen, [{ version: 1, orders: [first], fills: [] }]);
      assert.deepEqual(refusals, [null, '51008', '51016', null]);
      assert.deepEqual(await store.bookVersions(), [{ ...btc, version: 2 }]);
      assert.equal(await store.findOrder(u.id, 'live', { ordId: b.ordId }), null);
      assert.equal(await store.findOrder(u.id, 'live', { ordId: c.ordId }), null);
      assert.deepEqual(
        (await store.bookChangesSince('live', 'BTC-USDT', 1)).orders.map((o) => o.ordId),
        [a.ordId, d.ordId],
      );
      // 300 - 50 - 100 - (100 - 60): each step's entries applied on the balance the steps before it left.
      assert.deepEqual(
        (await store.getBalances(u.id, 'live', '18')).map((r) => [r.avail, r.frozen]),
        [['110', '190']],
      );
    },
  );
}
