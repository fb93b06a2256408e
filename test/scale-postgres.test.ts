import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Big from 'big.js';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SPOT_INSTRUMENTS } from '../src/core/markets.js';
import {
  type CliResult,
  cli,
  consoleLogin,
  type Envelope,
  PASSPHRASE,
  type RunningServer,
  signedCall,
  sleep,
  startServer,
  tempDir,
} from './helpers.js';
import { dropSchemas, freshSchemaUrl, postgresUnavailable } from './pg.js';

const REDIS_URL = process.env.SIGNET_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisUnavailable(): Promise<string | null> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG' ? null : 'no PONG';
  } catch (err) {
    return `no Redis server answers at ${REDIS_URL} (${err instanceof Error ? err.message : String(err)}); set SIGNET_TEST_REDIS_URL`;
  } finally {
    client.disconnect();
  }
}

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

const unavailable = (await postgresUnavailable()) ?? (await redisUnavailable());
if (unavailable !== null) console.log(`SKIP two instances on PostgreSQL and Redis: ${unavailable}`);

/** Two `signet serve` processes on one PostgreSQL schema and one Redis: what one does, the other honours. */
describe('two instances on one PostgreSQL and one Redis', { skip: unavailable ?? false }, () => {
  const masterKey = randomBytes(32).toString('hex');
  const prefix = `signet-test-${randomBytes(4).toString('hex')}`;
  let url = '';
  let env: Record<string, string> = {};
  let a: RunningServer;
  let b: RunningServer;
  const keys = new Map<string, CreatedKey>();

  const run = async (args: string[]): Promise<CliResult> => {
    const r = await cli([...args, '--db', url], { env: { SIGNET_MASTER_KEY: masterKey } });
    if (r.code !== 0) throw new Error(`signet ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r;
  };
  const call = (
    server: RunningServer,
    key: CreatedKey,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<Envelope> => signedCall(server.url, { ...key, passphrase: PASSPHRASE }, method, path, body);

  before(async () => {
    url = await freshSchemaUrl();
    env = {
      SIGNET_MASTER_KEY: masterKey,
      DATABASE_URL: url,
      SIGNET_REDIS_URL: REDIS_URL,
      SIGNET_REDIS_PREFIX: prefix,
      SIGNET_MARKET_MAKER: '0',
      SIGNET_RATE_LIMITS: '0',
      SIGNET_AUTH_FAILS_PER_KEY: '10',
      SIGNET_LOG_LEVEL: 'warn',
      // The poll is the fallback only: a deletion must reach the other instance through NOTIFY.
      SIGNET_KEY_SYNC_MS: '5000',
    };
    await run(['migrate']);
    for (const email of ['buyer@example.com', 'seller@example.com', 'owner@example.com']) {
      await run(['user', 'create', '--email', email, '--password', 'a long enough password']);
      await run(['deposit', '--user', email, '--ccy', 'USDT', '--amt', '1000000']);
      await run(['deposit', '--user', email, '--ccy', 'BTC', '--amt', '100']);
      const r = await run([
        'keys',
        'create',
        '--user',
        email,
        '--name',
        'k',
        '--passphrase',
        PASSPHRASE,
        '--perm',
        'read,trade',
        '--json',
      ]);
      keys.set(email, JSON.parse(r.stdout) as CreatedKey);
    }
    // Data directories differ: nothing is shared but the database and Redis.
    [a, b] = await Promise.all([startServer(tempDir(), env), startServer(tempDir(), env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchemas();
  });

  test('a key deleted through one instance is refused by the other within 1 s', async () => {
    const owner = keys.get('owner@example.com') as CreatedKey;
    // Both instances have the key cached (and its passphrase checked).
    assert.equal((await call(a, owner, 'GET', '/api/v5/account/balance')).code, '0');
    assert.equal((await call(b, owner, 'GET', '/api/v5/account/balance')).code, '0');
    const { cookie, csrf } = await consoleLogin(a.url, 'owner@example.com', 'a long enough password');
    const deleted = await fetch(`${a.url}/console/api/keys/${owner.apiKey}`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    assert.equal(deleted.status, 200, await deleted.clone().text());
    const t0 = Date.now();
    let code = '0';
    while (Date.now() - t0 < 3000) {
      code = (await call(b, owner, 'GET', '/api/v5/account/balance')).code;
      if (code !== '0') break;
      await sleep(20);
    }
    const elapsed = Date.now() - t0;
    assert.equal(code, '50111');
    assert.ok(elapsed < 1000, `refused by the other instance after ${elapsed} ms`);
  });

  test('concurrent crossing orders through both instances: no double fill, no lost order, the ledger balanced', async () => {
    const buyer = keys.get('buyer@example.com') as CreatedKey;
    const seller = keys.get('seller@example.com') as CreatedKey;
    const acked: string[] = [];
    const worker = async (w: number) => {
      for (let i = 0; i < 25; i++) {
        const server = (w + i) % 2 === 0 ? a : b;
        const buy = (w + i) % 3 !== 0;
        const body = {
          instId: 'BTC-USDT',
          tdMode: 'cash',
          side: buy ? 'buy' : 'sell',
          ordType: i % 7 === 0 ? 'market' : 'limit',
          px: String(60000 + ((w * 13 + i * 7) % 21) - 10),
          sz: ['0.01', '0.02', '0.05'][i % 3] ?? '0.01',
          tgtCcy: 'base_ccy',
        };
        const res = await call(server, buy ? buyer : seller, 'POST', '/api/v5/trade/order', body);
        assert.equal(res.code, '0', JSON.stringify(res));
        acked.push(String(res.data[0]?.ordId));
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    assert.equal(new Set(acked).size, acked.length, 'order ids are unique across instances');

    let tradeCount = 0;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const q = async <T>(sql: string): Promise<T[]> => (await client.query(sql)).rows as T[];
      const orders = await q<{
        ord_id: string;
        sz: string;
        acc_fill_sz: string;
        side: string;
        state: string;
        frozen: string;
        user_id: string;
      }>('SELECT * FROM orders');
      const stored = new Set(orders.map((o) => o.ord_id));
      assert.deepEqual(
        acked.filter((id) => !stored.has(id)),
        [],
        'every acknowledged order is stored',
      );
      const fills = await q<{
        ord_id: string;
        trade_id: string;
        sz: string;
        side: string;
        fee: string;
        fee_ccy: string;
      }>('SELECT * FROM fills');
      assert.ok(fills.length > 20, `only ${fills.length} fills`);
      tradeCount = new Set(fills.map((f) => f.trade_id)).size;
      // Each fill of an order counted once: filled size == sum of its fills, never above the order size (limit orders).
      const filled = new Map<string, Big>();
      for (const f of fills) filled.set(f.ord_id, (filled.get(f.ord_id) ?? new Big(0)).plus(f.sz));
      for (const o of orders) {
        assert.equal(
          new Big(o.acc_fill_sz).toFixed(),
          (filled.get(o.ord_id) ?? new Big(0)).toFixed(),
          `fills of ${o.ord_id}`,
        );
      }
      // Each trade has exactly a buy side and a sell side of equal size.
      const trades = new Map<string, Array<{ side: string; sz: string }>>();
      for (const f of fills) trades.set(f.trade_id, [...(trades.get(f.trade_id) ?? []), f]);
      for (const [tradeId, sides] of trades) {
        assert.deepEqual(sides.map((s) => s.side).sort(), ['buy', 'sell'], `trade ${tradeId}`);
        assert.equal(sides[0]?.sz, sides[1]?.sz);
      }
      // Conservation: balances + fees collected == deposits, per currency; nothing negative.
      const balances = await q<{ ccy: string; avail: string; frozen: string }>(
        'SELECT ccy, avail, frozen FROM balances',
      );
      const held = new Map<string, Big>();
      for (const r of balances) {
        assert.ok(!r.avail.startsWith('-') && !r.frozen.startsWith('-'));
        held.set(r.ccy, (held.get(r.ccy) ?? new Big(0)).plus(r.avail).plus(r.frozen));
      }
      for (const f of fills) held.set(f.fee_ccy, (held.get(f.fee_ccy) ?? new Big(0)).minus(f.fee));
      const deposits = await q<{ ccy: string; total: string }>(
        `SELECT ccy, SUM(avail_delta::numeric)::text AS total FROM ledger_entries WHERE kind = 'deposit' GROUP BY ccy`,
      );
      for (const d of deposits)
        assert.equal((held.get(d.ccy) ?? new Big(0)).toFixed(), new Big(d.total).toFixed(), `conservation of ${d.ccy}`);
      // What open orders hold frozen is what the balances hold frozen.
      const frozenByOrders = new Map<string, Big>();
      for (const o of orders.filter((x) => x.state === 'live' || x.state === 'partially_filled')) {
        const k = `${o.user_id}:${o.side === 'buy' ? 'USDT' : 'BTC'}`;
        frozenByOrders.set(k, (frozenByOrders.get(k) ?? new Big(0)).plus(o.frozen));
      }
      for (const r of await q<{ user_id: string; ccy: string; frozen: string }>(
        'SELECT user_id, ccy, frozen FROM balances',
      )) {
        assert.equal(
          new Big(r.frozen).toFixed(),
          (frozenByOrders.get(`${r.user_id}:${r.ccy}`) ?? new Big(0)).toFixed(),
          `frozen ${r.user_id} ${r.ccy}`,
        );
      }
    } finally {
      await client.end();
    }
    // Both instances' books and public trades agree once caught up (SIGNET_BOOK_SYNC_MS): polled for
    // up to 10 s rather than a fixed pause, which a loaded machine can outlast.
    const get = async (s: RunningServer, path: string) => (await (await fetch(`${s.url}${path}`)).json()) as Envelope;
    const books = '/api/v5/market/books?instId=BTC-USDT&sz=400';
    const view = async (s: RunningServer) =>
      JSON.stringify([
        (await get(s, books)).data[0]?.bids,
        (await get(s, books)).data[0]?.asks,
        (await get(s, '/api/v5/market/trades?instId=BTC-USDT&limit=500')).data.map((t) => t.tradeId),
      ]);
    for (const end = Date.now() + 10_000; Date.now() < end && (await view(a)) !== (await view(b)); ) await sleep(50);
    assert.deepEqual((await get(a, books)).data[0]?.bids, (await get(b, books)).data[0]?.bids);
    assert.deepEqual((await get(a, books)).data[0]?.asks, (await get(b, books)).data[0]?.asks);
    const trades = '/api/v5/market/trades?instId=BTC-USDT&limit=500';
    const seen = (await get(a, trades)).data.map((t) => t.tradeId);
    assert.equal(seen.length, tradeCount, 'every trade, whichever instance made it, is in the public trades of both');
    assert.deepEqual(
      (await get(b, trades)).data.map((t) => t.tradeId),
      seen,
    );
  });

  test('failed authentications count against one limit shared through Redis', async () => {
    const buyer = keys.get('buyer@example.com') as CreatedKey;
    // A validly signed request with a wrong passphrase: the failures that count against the key
    // (a wrong signature counts only against the client IP, so that it cannot lock the owner out).
    const wrong = (server: RunningServer) =>
      signedCall(server.url, { ...buyer, passphrase: 'Wrong-Pass-99' }, 'GET', '/api/v5/account/balance');
    const codes: string[] = [];
    // SIGNET_AUTH_FAILS_PER_KEY=10: five failures of the key at each instance use up the allowance of both.
    for (let i = 0; i < 10; i++) codes.push((await wrong(i % 2 === 0 ? a : b)).code);
    assert.deepEqual(codes, Array(10).fill('50105'));
    assert.equal((await wrong(a)).code, '50011');
    assert.equal((await wrong(b)).code, '50011');
    // The owner's own requests are refused too while the key is blocked, at either instance.
    assert.equal((await call(b, buyer, 'GET', '/api/v5/account/balance')).code, '50011');
  });
});

/** The market maker runs on one instance at a time and moves to another when its instance stops. */
describe('the market maker with two instances', { skip: unavailable ?? false }, () => {
  test('one instance quotes (no doubled ladders); another takes over when it stops cleanly (it releases its lease)', async (t) => {
    const url = await freshSchemaUrl();
    const env = {
      // Three-second intervals: a released lease is taken at the other instance's next interval (≤ 3 s),
      // a lapsed one (three intervals) only 6 to 9 s after the stop, which leaves room for a loaded
      // machine in between.
      SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
      DATABASE_URL: url,
      SIGNET_MARKET_MAKER: '1',
      SIGNET_MM_INTERVAL_MS: '3000',
      SIGNET_LOG_LEVEL: 'warn',
    };
    const client = new pg.Client({ connectionString: url });
    let first: RunningServer | undefined;
    let second: RunningServer | undefined;
    try {
      // The first instance takes the lease; the second starts once quotes are up.
      first = await startServer(tempDir(), env);
      await client.connect();
      const quotes = async () =>
        (
          await client.query(`SELECT o.env, o.inst_id, COUNT(*)::int AS n, MAX(o.c_time) AS newest FROM orders o
        JOIN users u ON u.id = o.user_id WHERE u.email = 'market-maker@signet.invalid' AND o.state IN ('live', 'partially_filled')
        GROUP BY o.env, o.inst_id`)
        ).rows as Array<{ env: string; inst_id: string; n: number; newest: string }>;
      second = await startServer(tempDir(), env);
      // Ten levels a side: a second market maker would double that for good. One market maker
      // holds more only for the moment of a requote (the new ladder is in before the old goes),
      // so each book's fewest quotes over the samples is what tells.
      const singleLadders = async (samples: number) => {
        const fewest = new Map<string, number>();
        for (let i = 0; i < samples; i++) {
          for (const b of await quotes()) {
            const book = `${b.env}:${b.inst_id}`;
            fewest.set(book, Math.min(fewest.get(book) ?? b.n, b.n));
          }
          await sleep(250);
        }
        for (const [book, n] of fewest) assert.ok(n <= 20, `${book}: never fewer than ${n} quotes`);
        return fewest;
      };
      const quoted = new Set((await singleLadders(6)).keys());
      // (A book's ladder is replaced order by order, so one sample may catch a book between ladders.)
      assert.equal(quoted.size, 2 * SPOT_INSTRUMENTS.length, 'every book of both environments quoted');
      const holder = async () =>
        (
          (await client.query(`SELECT holder FROM leases WHERE name = 'market-maker'`)).rows[0] as
            | { holder: string }
            | undefined
        )?.holder;
      const before = await holder();
      assert.ok(before !== undefined, 'the quoting instance holds the lease');
      await first.stop();
      first = undefined;
      const stoppedAt = Date.now();
      // A clean stop gives the lease up at once (no waiting for it to lapse): checked in the
      // database, not by how soon the other instance happens to requote on a busy machine.
      assert.notEqual(await holder(), before, 'the stopped instance released its lease');
      let requoted = false;
      while (!requoted) {
        await sleep(100);
        requoted = (await quotes()).some((b) => Number(b.newest) > stoppedAt + 100);
      }
      t.diagnostic(`requoted ${Date.now() - stoppedAt} ms after the stop`);
      await singleLadders(6);
    } finally {
      await client.end().catch(() => undefined);
      await Promise.all([first?.stop(), second?.stop()]);
    }
  });
});
