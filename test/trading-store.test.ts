import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Big from 'big.js';
import { loadConfig } from '../src/config.js';
import { RuleError } from '../src/core/errors.js';
import { TRADING } from '../src/core/ledger.js';
import { seededRandom } from '../src/core/market-maker.js';
import type { Runtime } from '../src/runtime.js';
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
    const sell = await rt.trading.place(
      a.id,
      'live',
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '60000', sz: '1.5', clOrdId: 'ask1' },
      now,
    );
    const buy = await rt.trading.place(
      b.id,
      'live',
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '60000', sz: '0.5' },
      now,
    );
    assert.equal(buy.state, 'filled');
    await assert.rejects(
      rt.trading.place(
        a.id,
        'live',
        { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '61000', sz: '0.1', clOrdId: 'ask1' },
        now,
      ),
      (err: unknown) => err instanceof RuleError && err.code === '51016',
    );
    await assert.rejects(
      rt.trading.place(
        a.id,
        'live',
        { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '61000', sz: '1' },
        now,
      ),
      (err: unknown) => err instanceof RuleError && err.code === '51008',
    );
    checkConservation(rt);
    await rt.close();

    rt = await open(data);
    const book = rt.trading.book('live', 'BTC-USDT');
    assert.deepEqual(book.levels('sell', 5), [['60000', '1', 1]]);
    // Public trades (the taker side) come back for /market/trades and /market/candles.
    assert.deepEqual(
      rt.appDeps.market.recentTrades('live', 'BTC-USDT', 10).map((t) => [t.px, t.sz, t.side]),
      [['60000', '0.5', 'buy']],
    );
    assert.equal(book.get(sell.ordId)?.accFillSz, '0.5');
    assert.equal((await rt.trading.findOrder(a.id, 'live', { clOrdId: 'ask1' }))?.state, 'partially_filled');
    assert.equal((await rt.trading.listFills(b.id, 'live', { limit: 10 }))[0]?.fee, '-0.0005');
    const balances = await rt.store.getBalances(a.id, 'live', TRADING);
    assert.deepEqual(
      balances.map((r) => [r.ccy, r.avail, r.frozen]),
      [
        ['BTC', '0.5', '1'],
        ['USDT', '29976', '0'],
      ],
    );
    // New ids continue after the stored ones; the rebuilt book trades.
    const more = await rt.trading.place(
      b.id,
      'live',
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '30000' },
      Date.now(),
    );
    assert.ok(BigInt(more.ordId) > BigInt(buy.ordId));
    assert.deepEqual([more.state, more.accFillSz], ['filled', '0.5']);
    await rt.trading.cancel(a.id, 'live', { instId: 'BTC-USDT', clOrdId: 'ask1' }, Date.now());
    assert.deepEqual(book.levels('sell', 5), []);
    assert.deepEqual(
      (await rt.store.getBalances(a.id, 'live', TRADING)).map((r) => [r.ccy, r.frozen]),
      [
        ['BTC', '0'],
        ['USDT', '0'],
      ],
    );
    checkConservation(rt);
    await rt.close();
  });

  test('time priority survives a restart, including a re-queuing amendment', async () => {
    const data = tempDir();
    let rt = await open(data);
    const now = Date.now();
    const ids: number[] = [];
    for (const email of ['p@example.com', 'q@example.com']) {
      const u = await rt.users.create(email, 'a long enough password', now);
      await rt.ledger.deposit(u.id, 'live', TRADING, 'USDT', '10000', now);
      ids.push(u.id);
    }
    const [p = 0, q = 0] = ids;
    const bid = { instId: 'SOL-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '140', sz: '1' };
    const first = await rt.trading.place(p, 'live', bid, now);
    await rt.trading.place(q, 'live', bid, now + 1);
    await rt.trading.amend(p, 'live', { instId: 'SOL-USDT', ordId: first.ordId }, { newSz: '2' }, now + 2);
    const queue = () => [...rt.trading.book('live', 'SOL-USDT').side('buy')].map((o) => [o.userId, o.sz]);
    assert.deepEqual(queue(), [
      [q, '1'],
      [p, '2'],
    ]);
    await rt.close();
    rt = await open(data);
    assert.deepEqual(queue(), [
      [q, '1'],
      [p, '2'],
    ]);
    await rt.close();
  });

  test('randomized concurrent workload from six accounts: conservation, frozen == open orders, books == stored open orders, also after a restart', async () => {
    const data = tempDir();
    let rt = await open(data);
    const random = seededRandom(2026);
    const now = Date.now();
    const users: number[] = [];
    for (let u = 0; u < 6; u++) {
      const user = await rt.users.create(`c${u}@example.com`, 'a long enough password', now);
      await rt.ledger.deposit(user.id, 'live', TRADING, 'USDT', String(5000 + Math.floor(random() * 50000)), now);
      await rt.ledger.deposit(user.id, 'live', TRADING, 'ETH', String(1 + Math.floor(random() * 20)), now);
      users.push(user.id);
    }
    const types = ['limit', 'limit', 'limit', 'market', 'ioc', 'fok', 'post_only'];
    const op = (): Promise<unknown> => {
      const userId = users[Math.floor(random() * users.length)] ?? 0;
      const book = rt.trading.book('live', 'ETH-USDT');
      const open = [...book.side('buy'), ...book.side('sell')].filter((o) => o.userId === userId);
      const victim = open[Math.floor(random() * open.length)];
      const r = random();
      if (victim !== undefined && r < 0.15)
        return rt.trading.cancel(userId, 'live', { instId: 'ETH-USDT', ordId: victim.ordId }, Date.now());
      if (victim !== undefined && r < 0.25) {
        return rt.trading.amend(
          userId,
          'live',
          { instId: 'ETH-USDT', ordId: victim.ordId },
          { newPx: (2990 + Math.floor(random() * 20)).toFixed(2) },
          Date.now(),
        );
      }
      const ordType = types[Math.floor(random() * types.length)] ?? 'limit';
      const side = random() < 0.5 ? 'buy' : 'sell';
      const sz = ((1 + Math.floor(random() * 2000)) / 1000).toFixed(3);
      return rt.trading.place(
        userId,
        'live',
        {
          instId: 'ETH-USDT',
          tdMode: 'cash',
          side,
          ordType,
          sz: ordType === 'market' && side === 'buy' ? (Number(sz) * 3000).toFixed(2) : sz,
          ...(ordType === 'market' ? {} : { px: (2990 + Math.floor(random() * 20)).toFixed(2) }),
        },
        Date.now(),
      );
    };
    let refused = 0;
    for (let round = 0; round < 20; round++) {
      const results = await Promise.allSettled(Array.from({ length: 30 }, op));
      for (const r of results) {
        if (r.status === 'rejected') {
          assert.ok(r.reason instanceof RuleError, String(r.reason));
          refused++;
        }
      }
    }
    assert.ok(refused < 600);
    const fills = await Promise.all(users.map((u) => rt.trading.listFills(u, 'live', { limit: 100 })));
    assert.ok(fills.flat().length > 50, `${fills.flat().length} fills`);
    const check = async (runtime: Runtime) => {
      checkConservation(runtime);
      const open = (await runtime.store.openOrders()).filter((o) => o.instId === 'ETH-USDT');
      const book = runtime.trading.book('live', 'ETH-USDT');
      assert.equal(book.size, open.length);
      for (const o of open) assert.deepEqual(book.get(o.ordId), o);
      for (const userId of users) {
        for (const b of await runtime.store.getBalances(userId, 'live', TRADING)) {
          const held = open
            .filter((o) => o.userId === userId && (o.side === 'buy' ? 'USDT' : 'ETH') === b.ccy)
            .reduce((t, o) => t.plus(o.frozen), new Big(0));
          assert.equal(b.frozen, held.toFixed(), `user ${userId} ${b.ccy}`);
        }
      }
      return [book.levels('buy', 100), book.levels('sell', 100)];
    };
    const before = await check(rt);
    await rt.close();
    rt = await open(data);
    assert.deepEqual(await check(rt), before);
    await rt.close();
  });
});
