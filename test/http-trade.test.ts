import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../src/runtime.js';
import { checkConservation } from './conservation.js';
import { type Credentials, PASSPHRASE, signedHeaders, testApp } from './helpers.js';

interface Envelope {
  code: string;
  msg: string;
  data: Array<Record<string, string>>;
}

describe('trade endpoints over HTTP (app.inject)', () => {
  let app: FastifyInstance;
  let rt: Runtime;
  let close: () => Promise<void>;
  let alice: Credentials;
  let bob: Credentials;
  let reader: Credentials;
  let demo: Credentials;

  const keyFor = async (
    email: string,
    name: string,
    perm: string,
    env: 'live' | 'demo' = 'live',
  ): Promise<Credentials> => {
    const user = await rt.users.byEmail(email);
    const k = await rt.keys.create(user.id, { label: name, passphrase: PASSPHRASE, perm, env }, 'cli', Date.now());
    return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
  };
  const call = async (c: Credentials, method: 'GET' | 'POST', target: string, body?: unknown, demoEnv = false) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const res = await app.inject({
      method,
      url: target,
      payload: text,
      headers: signedHeaders(c, method, target, text, { demo: demoEnv }),
    });
    return { status: res.statusCode, body: res.json<Envelope>() };
  };

  before(async () => {
    ({ app, rt, close } = await testApp({ SIGNET_MARKET_MAKER: '0' }));
    const now = Date.now();
    for (const email of ['alice@example.com', 'bob@example.com']) {
      const u = await rt.users.create(email, 'long enough password', now);
      await rt.ledger.deposit(u.id, 'live', '18', 'USDT', '100000', now);
      await rt.ledger.deposit(u.id, 'live', '18', 'BTC', '10', now);
    }
    alice = await keyFor('alice@example.com', 'alice', 'trade');
    bob = await keyFor('bob@example.com', 'bob', 'trade');
    reader = await keyFor('alice@example.com', 'reader', 'read');
    demo = await keyFor('alice@example.com', 'demo', 'trade', 'demo');
  });
  after(() => close());

  test('place (object body with tag), read it back by ordId and clOrdId, list it as pending', async () => {
    const placed = await call(alice, 'POST', '/api/v5/trade/order', {
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'sell',
      ordType: 'limit',
      px: '60000',
      sz: '0.5',
      clOrdId: 'a1',
      tag: '159881cb7207BCDE',
    });
    assert.equal(placed.status, 200);
    assert.equal(placed.body.code, '0');
    const ack = placed.body.data[0];
    assert.deepEqual([ack?.sCode, ack?.clOrdId, ack?.tag], ['0', 'a1', '159881cb7207BCDE']);
    assert.match(ack?.ordId ?? '', /^\d{16,19}$/);
    const byId = await call(alice, 'GET', `/api/v5/trade/order?instId=BTC-USDT&ordId=${ack?.ordId}`);
    assert.deepEqual(
      [byId.body.data[0]?.state, byId.body.data[0]?.px, byId.body.data[0]?.sz],
      ['live', '60000', '0.5'],
    );
    const byCl = await call(alice, 'GET', '/api/v5/trade/order?instId=BTC-USDT&clOrdId=a1');
    assert.equal(byCl.body.data[0]?.ordId, ack?.ordId);
    const pending = await call(alice, 'GET', '/api/v5/trade/orders-pending?instType=SPOT');
    assert.deepEqual(
      pending.body.data.map((o) => o.clOrdId),
      ['a1'],
    );
    const missing = await call(alice, 'GET', '/api/v5/trade/order?instId=BTC-USDT&ordId=1');
    assert.equal(missing.body.code, '51603');
    // Bob cannot see Alice's order.
    assert.equal(
      (await call(bob, 'GET', `/api/v5/trade/order?instId=BTC-USDT&ordId=${ack?.ordId}`)).body.code,
      '51603',
    );
  });

  test('batch: per-item sCode/sMsg, top-level 0 / 2 / 1; duplicate clOrdId among open orders is 51016', async () => {
    const good = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '50000', sz: '0.01' };
    const mixed = await call(bob, 'POST', '/api/v5/trade/batch-orders', [
      { ...good, clOrdId: 'b1' },
      { ...good, px: '50000.05', clOrdId: 'b2' },
      { ...good, sz: '0.000001', clOrdId: 'b3' },
      { ...good, sz: '1000', clOrdId: 'b4' },
      { ...good, clOrdId: 'b1' },
    ]);
    assert.equal(mixed.body.code, '2');
    assert.deepEqual(
      mixed.body.data.map((d) => d.sCode),
      ['0', '51000', '51020', '51008', '51016'],
    );
    assert.match(mixed.body.data[1]?.sMsg ?? '', /tick size 0\.1/);
    assert.match(mixed.body.data[3]?.sMsg ?? '', /Insufficient USDT balance/);
    const failed = await call(bob, 'POST', '/api/v5/trade/batch-orders', [{ ...good, instId: 'NOPE-USDT' }]);
    assert.equal(failed.body.code, '1');
    assert.equal(failed.body.data[0]?.sCode, '51001');
    const tooMany = await call(
      bob,
      'POST',
      '/api/v5/trade/batch-orders',
      Array.from({ length: 21 }, () => good),
    );
    assert.equal(tooMany.body.code, '51111');
    const single = await call(bob, 'POST', '/api/v5/trade/order', { ...good, sz: 'lots' });
    assert.deepEqual([single.body.code, single.body.data[0]?.sCode], ['1', '51000']);
  });

  test('a crossing order trades; fills and history; cancel and cancel-batch; amend', async () => {
    const buy = await call(bob, 'POST', '/api/v5/trade/order', {
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '60000',
      sz: '0.2',
    });
    const ordId = buy.body.data[0]?.ordId ?? '';
    const order = (await call(bob, 'GET', `/api/v5/trade/order?instId=BTC-USDT&ordId=${ordId}`)).body.data[0];
    assert.deepEqual(
      [order?.state, order?.accFillSz, order?.avgPx, order?.fee, order?.feeCcy],
      ['filled', '0.2', '60000', '-0.0002', 'BTC'],
    );
    const fills = await call(bob, 'GET', `/api/v5/trade/fills?instType=SPOT&ordId=${ordId}`);
    assert.deepEqual(
      fills.body.data.map((f) => [f.fillPx, f.fillSz, f.execType, f.side]),
      [['60000', '0.2', 'T', 'buy']],
    );
    const makerFills = await call(alice, 'GET', '/api/v5/trade/fills-history?instType=SPOT');
    assert.deepEqual(
      makerFills.body.data.map((f) => [f.fillSz, f.execType, f.fee, f.feeCcy]),
      [['0.2', 'M', '-9.6', 'USDT']],
    );
    const history = await call(bob, 'GET', '/api/v5/trade/orders-history?instType=SPOT');
    assert.ok(history.body.data.some((o) => o.ordId === ordId && o.state === 'filled'));

    const amended = await call(alice, 'POST', '/api/v5/trade/amend-order', {
      instId: 'BTC-USDT',
      clOrdId: 'a1',
      newSz: '0.25',
      reqId: 'r1',
    });
    assert.deepEqual([amended.body.code, amended.body.data[0]?.sCode, amended.body.data[0]?.reqId], ['0', '0', 'r1']);
    assert.equal((await call(alice, 'GET', '/api/v5/trade/order?instId=BTC-USDT&clOrdId=a1')).body.data[0]?.sz, '0.25');
    const badAmend = await call(alice, 'POST', '/api/v5/trade/amend-order', {
      instId: 'BTC-USDT',
      clOrdId: 'a1',
      newSz: '0.1',
    });
    assert.equal(badAmend.body.data[0]?.sCode, '51000');

    const canceled = await call(alice, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', clOrdId: 'a1' });
    assert.deepEqual([canceled.body.code, canceled.body.data[0]?.sCode], ['0', '0']);
    const again = await call(alice, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', clOrdId: 'a1' });
    assert.deepEqual([again.body.code, again.body.data[0]?.sCode], ['1', '51400']);
    const open = (await call(bob, 'GET', '/api/v5/trade/orders-pending')).body.data;
    const batch = await call(bob, 'POST', '/api/v5/trade/cancel-batch-orders', [
      ...open.map((o) => ({ instId: 'BTC-USDT', ordId: o.ordId })),
      { instId: 'BTC-USDT', ordId: '42' },
    ]);
    assert.deepEqual(
      batch.body.data.map((d) => d.sCode),
      [...open.map(() => '0'), '51400'],
    );
    assert.equal(batch.body.code, '2');
    const balance = (await call(bob, 'GET', '/api/v5/account/balance')).body.data[0] as unknown as {
      details: Array<{ ccy: string; frozenBal: string }>;
    };
    assert.deepEqual(
      balance.details.map((d) => [d.ccy, d.frozenBal]),
      [
        ['BTC', '0'],
        ['USDT', '0'],
      ],
    );
    checkConservation(rt);
  });

  test('permission gate and environments: read-only key 50120; demo keys trade the demo ledger', async () => {
    const refused = await call(reader, 'POST', '/api/v5/trade/order', {
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '1',
      sz: '1',
    });
    assert.equal(refused.body.code, '50120');
    assert.equal((await call(reader, 'GET', '/api/v5/trade/orders-pending')).body.code, '0');
    const noFunds = await call(
      demo,
      'POST',
      '/api/v5/trade/order',
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '60000', sz: '1' },
      true,
    );
    assert.equal(noFunds.body.data[0]?.sCode, '51008');
    const user = await rt.users.byEmail('alice@example.com');
    await rt.ledger.deposit(user.id, 'demo', '18', 'BTC', '1', Date.now());
    const placed = await call(
      demo,
      'POST',
      '/api/v5/trade/order',
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '60000', sz: '1' },
      true,
    );
    assert.equal(placed.body.code, '0');
    // The live book does not see the demo order.
    assert.equal(rt.trading.book('live', 'BTC-USDT').best('sell'), undefined);
    assert.equal(rt.trading.book('demo', 'BTC-USDT').best('sell')?.sz, '1');
  });

  test('bodies: empty is 50000, wrong shape 51000', async () => {
    assert.equal((await call(alice, 'POST', '/api/v5/trade/order')).body.code, '50000');
    assert.equal((await call(alice, 'POST', '/api/v5/trade/order', [1])).body.code, '51000');
    assert.equal((await call(alice, 'POST', '/api/v5/trade/batch-orders', { a: 1 })).body.code, '51000');
  });

  test('rate limits per key and endpoint: the 61st order in 2 s gets 50011 (HTTP 429); other keys and endpoints unaffected', async () => {
    const busy = await keyFor('bob@example.com', 'busy', 'trade');
    const order = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '1', sz: '0.001' };
    // Sent at once, so that a busy machine cannot stretch them past the 2 s window.
    const sendAll = async (n: number, target: string, body: unknown) => {
      const replies = await Promise.all(Array.from({ length: n }, () => call(busy, 'POST', target, body)));
      const codes = replies.map((r) => r.body.code).sort();
      return { codes, statuses: replies.filter((r) => r.body.code !== '0').map((r) => r.status) };
    };
    const orders = await sendAll(62, '/api/v5/trade/order', order);
    assert.deepEqual(orders.codes, [...Array(60).fill('0'), '50011', '50011']);
    assert.deepEqual(orders.statuses, [429, 429]);
    assert.equal((await call(busy, 'GET', '/api/v5/trade/orders-pending')).body.code, '0');
    assert.equal((await call(bob, 'POST', '/api/v5/trade/order', order)).body.code, '0');
    // A batch costs one point per order: 300 per 2 s (batch-orders has its own allowance).
    const batch = Array.from({ length: 20 }, () => order);
    const batches = await sendAll(16, '/api/v5/trade/batch-orders', batch);
    assert.deepEqual(batches.codes, [...Array(15).fill('0'), '50011']);
    assert.deepEqual(batches.statuses, [429]);
  });

  test('ledger and account reads have OKX limits too: 6th bills read in 1 s, 21st max-size in 2 s, 2nd asset valuation in 1 s get 50011', async () => {
    const reads = await keyFor('bob@example.com', 'reads', 'read');
    const burst = async (target: string, n: number) => {
      const codes: string[] = [];
      for (let i = 0; i < n; i++) codes.push((await call(reads, 'GET', target)).body.code);
      return codes;
    };
    // The first `points` of each window pass, the next is refused; every endpoint has its own allowance.
    for (const [target, points] of [
      ['/api/v5/account/bills', 5],
      ['/api/v5/account/max-size?instId=BTC-USDT&tdMode=cash', 20],
      ['/api/v5/asset/asset-valuation', 1],
    ] as const) {
      const codes = await burst(target, points + 1);
      assert.deepEqual(codes, [...Array.from({ length: points }, () => '0'), '50011'], target);
    }
    const limited = await call(reads, 'GET', '/api/v5/asset/asset-valuation');
    assert.equal(limited.status, 429);
    // Another key of the same user still has its own allowance (signet counts per API key).
    assert.equal((await call(reader, 'GET', '/api/v5/asset/asset-valuation')).body.code, '0');
  });

  test('spot orders and fills say posSide "net", as real OKX answers for SPOT cash (ccxt recorded responses)', async () => {
    const bobUser = await rt.users.byEmail('bob@example.com');
    await rt.ledger.deposit(bobUser.id, 'live', '18', 'ETH', '1', Date.now());
    const order = { instId: 'ETH-USDT', tdMode: 'cash', ordType: 'limit', px: '2000', sz: '0.1' };
    const sell = await call(bob, 'POST', '/api/v5/trade/order', { ...order, side: 'sell' });
    const buy = await call(alice, 'POST', '/api/v5/trade/order', { ...order, side: 'buy' });
    const [sellId, buyId] = [sell.body.data[0]?.ordId, buy.body.data[0]?.ordId];
    const filled = await call(alice, 'GET', `/api/v5/trade/order?instId=ETH-USDT&ordId=${buyId}`);
    assert.deepEqual([filled.body.data[0]?.state, filled.body.data[0]?.posSide], ['filled', 'net']);
    const fills = await call(alice, 'GET', '/api/v5/trade/fills?instType=SPOT&instId=ETH-USDT');
    assert.deepEqual(
      fills.body.data.map((f) => [f.ordId, f.posSide]),
      [[buyId, 'net']],
    );
    const maker = await call(bob, 'GET', `/api/v5/trade/order?instId=ETH-USDT&ordId=${sellId}`);
    assert.equal(maker.body.data[0]?.posSide, 'net');
    // A resting order too.
    const live = await call(alice, 'POST', '/api/v5/trade/order', { ...order, side: 'buy', px: '1000' });
    const pending = await call(alice, 'GET', '/api/v5/trade/orders-pending?instId=ETH-USDT');
    assert.deepEqual(
      pending.body.data.map((o) => [o.ordId, o.state, o.posSide]),
      [[live.body.data[0]?.ordId, 'live', 'net']],
    );
  });
});
