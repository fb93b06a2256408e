import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Big from 'big.js';
import pg from 'pg';
import { checkConservationWith } from './conservation.js';
import { cli, PASSPHRASE, type RunningServer, signedCall, sleep, startServer, tempDir } from './helpers.js';
import { dropSchemas, freshSchemaUrl, postgresUnavailable } from './pg.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

const unavailable = await postgresUnavailable();
if (unavailable !== null) console.log(`SKIP algo orders on two instances: ${unavailable}`);

/**
 * Algo orders on two `signet serve` processes sharing one PostgreSQL schema: both instances see
 * every trade (their own, and the other's through the book catch-up), so both try to fire every
 * algo; exactly one of them may win each one.
 */
describe('algo orders on two instances of one PostgreSQL database', { skip: unavailable ?? false }, () => {
  const masterKey = randomBytes(32).toString('hex');
  let url = '';
  let a: RunningServer;
  let b: RunningServer;
  const keys = new Map<string, CreatedKey>();
  const call = (server: RunningServer, who: string, method: 'GET' | 'POST', path: string, body?: unknown) =>
    signedCall(server.url, { ...(keys.get(who) as CreatedKey), passphrase: PASSPHRASE }, method, path, body);
  const ok = async (
    server: RunningServer,
    who: string,
    path: string,
    body: unknown,
  ): Promise<Record<string, string>> => {
    const res = await call(server, who, 'POST', path, body);
    assert.equal(res.code, '0', `${path} ${JSON.stringify(body)}: ${JSON.stringify(res)}`);
    return res.data[0] ?? {};
  };

  before(async () => {
    url = await freshSchemaUrl();
    const run = async (args: string[]) => {
      const r = await cli([...args, '--db', url], { env: { SIGNET_MASTER_KEY: masterKey } });
      if (r.code !== 0) throw new Error(`signet ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r;
    };
    await run(['migrate']);
    for (const name of ['owner', 'buyer', 'seller', 'maker']) {
      const email = `${name}@example.com`;
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
      keys.set(name, JSON.parse(r.stdout) as CreatedKey);
    }
    const env = {
      SIGNET_MASTER_KEY: masterKey,
      DATABASE_URL: url,
      SIGNET_MARKET_MAKER: '0',
      SIGNET_RATE_LIMITS: '0',
      SIGNET_LOG_LEVEL: 'warn',
    };
    [a, b] = await Promise.all([startServer(tempDir(), env), startServer(tempDir(), env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchemas();
  });

  test('trades through both instances cross many algos concurrently: each fires once, its order placed once, the same through either instance; the ledger balanced', async () => {
    // The last price: 60000.
    await ok(a, 'seller', '/api/v5/trade/order', {
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'sell',
      ordType: 'limit',
      px: '60000',
      sz: '0.001',
    });
    await ok(a, 'buyer', '/api/v5/trade/order', {
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '60000',
      sz: '0.001',
    });
    // Liquidity outside the walk for the market orders the algos place: bids below 59800, asks above 60150.
    for (let i = 0; i < 5; i++) {
      await ok(b, 'maker', '/api/v5/trade/order', {
        instId: 'BTC-USDT',
        tdMode: 'cash',
        side: 'buy',
        ordType: 'limit',
        px: String(59790 - i * 10),
        sz: '1',
        clOrdId: `lb${i}`,
      });
      await ok(b, 'maker', '/api/v5/trade/order', {
        instId: 'BTC-USDT',
        tdMode: 'cash',
        side: 'sell',
        ordType: 'limit',
        px: String(60200 + i * 10),
        sz: '1',
        clOrdId: `la${i}`,
      });
    }
    // The algos, placed alternately through A and B, each with a tag its order carries too. Every
    // one fires on the walk below: stop-losses and OCOs and trailing stops on the way down to
    // 59800, trigger buys on the way up to 60150, attached TP/SL once their parent fills.
    const base = { instId: 'BTC-USDT', tdMode: 'cash', sz: '0.01' };
    const algoIds: string[] = [];
    const parents: string[] = [];
    for (let k = 0; k < 64; k++) {
      const server = k % 2 === 0 ? a : b;
      const tag = `s${k}`;
      if (k < 60) {
        const kind = k % 4;
        const body =
          kind === 0
            ? {
                ...base,
                tag,
                side: 'sell',
                ordType: 'conditional',
                slTriggerPx: String(59990 - (k % 20) * 5),
                slOrdPx: '-1',
              }
            : kind === 1
              ? {
                  ...base,
                  tag,
                  side: 'buy',
                  ordType: 'trigger',
                  triggerPx: String(60010 + (k % 20) * 5),
                  orderPx: '-1',
                }
              : kind === 2
                ? {
                    ...base,
                    tag,
                    side: 'sell',
                    ordType: 'oco',
                    tpTriggerPx: String(60020 + (k % 10) * 8),
                    tpOrdPx: '-1',
                    slTriggerPx: String(59980 - (k % 10) * 8),
                    slOrdPx: '-1',
                  }
                : { ...base, tag, side: 'sell', ordType: 'move_order_stop', callbackRatio: '0.001' };
        algoIds.push((await ok(server, 'owner', '/api/v5/trade/order-algo', body)).algoId ?? '');
      } else {
        // A limit buy inside the walk with an attached TP/SL (market legs), by an account of its
        // own (self-trade prevention would cancel it if the owner's stop-losses sold into it).
        const px = 59900 - (k - 60) * 10;
        const order = await ok(server, 'buyer', '/api/v5/trade/order', {
          ...base,
          tag,
          side: 'buy',
          ordType: 'limit',
          px: String(px),
          clOrdId: `p${k}`,
          attachAlgoOrds: [{ tpTriggerPx: '60100', tpOrdPx: '-1', slTriggerPx: String(px - 30), slOrdPx: '-1' }],
        });
        parents.push(order.ordId ?? '');
      }
    }

    // Two walkers, one through each instance, walk the price down to 59800 and up to 60150 at once.
    const path = [
      ...Array.from({ length: 41 }, (_, i) => 60000 - i * 5),
      ...Array.from({ length: 70 }, (_, i) => 59805 + i * 5),
    ];
    const walk = async (server: RunningServer) => {
      for (const px of path) {
        await ok(server, 'seller', '/api/v5/trade/order', {
          ...base,
          side: 'sell',
          ordType: 'limit',
          px: String(px),
          sz: '0.001',
        });
        await ok(server, 'buyer', '/api/v5/trade/order', {
          ...base,
          side: 'buy',
          ordType: 'limit',
          px: String(px),
          sz: '0.001',
        });
      }
    };
    await Promise.all([walk(a), walk(b)]);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const q = async (sql: string) => (await client.query(sql)).rows as Array<Record<string, unknown>>;
      // Every algo (the attached ones too) has fired and its order is placed: polled, with a deadline.
      let algos: Array<Record<string, unknown>> = [];
      for (const end = Date.now() + 20_000; ; ) {
        algos = await q(`SELECT * FROM algo_orders WHERE tag LIKE 's%'`);
        const done = algos.filter((x) => x.state === 'effective' && Number(x.is_placing) === 0);
        if (done.length === 64 || Date.now() > end) break;
        await sleep(50);
      }
      assert.deepEqual(
        algos
          .filter((x) => x.state !== 'effective' || Number(x.is_placing) !== 0)
          .map((x) => [x.algo_id, x.state, x.is_placing]),
        [],
        'algos not fired, or fired and not placed',
      );
      assert.equal(algos.length, 64);
      // Each fired once: one order carries its tag without a clOrdId, and it is the algo's ordId.
      const orders = await q(`SELECT ord_id, tag, state FROM orders WHERE tag LIKE 's%' AND cl_ord_id = ''`);
      for (const x of algos) {
        const placed = orders.filter((o) => o.tag === x.tag).map((o) => o.ord_id);
        assert.deepEqual(placed, [x.ord_id], `the orders of algo ${String(x.algo_id)} (${String(x.ord_type)})`);
      }
      assert.equal(new Set(algos.map((x) => x.ord_id)).size, 64);
      // The attached ones are the parents' children.
      assert.deepEqual(
        algos
          .filter((x) => x.parent_ord_id !== '')
          .map((x) => x.parent_ord_id)
          .sort(),
        [...parents].sort(),
      );

      // Read through either instance, an algo is the same.
      const names = new Map(
        (await q('SELECT id, email FROM users')).map((u) => [String(u.id), String(u.email).split('@')[0] ?? '']),
      );
      for (const x of algos) {
        const id = String(x.algo_id);
        const who = names.get(String(x.user_id)) ?? '';
        const [ra, rb] = await Promise.all([
          call(a, who, 'GET', `/api/v5/trade/order-algo?algoId=${id}`),
          call(b, who, 'GET', `/api/v5/trade/order-algo?algoId=${id}`),
        ]);
        assert.equal(ra.code, '0');
        assert.equal(ra.data[0]?.state, 'effective');
        assert.equal(ra.data[0]?.ordId, x.ord_id);
        assert.deepEqual(rb, ra, `algo ${id} through A and B`);
      }
      const pendingOf = async (s: RunningServer) =>
        (await call(s, 'owner', 'GET', '/api/v5/trade/orders-algo-pending?ordType=conditional,oco')).data;
      assert.deepEqual(await pendingOf(a), []);
      assert.deepEqual(await pendingOf(b), []);

      // The ledger: conservation, balances replayed from entries, each algo's hold from its own entries.
      await checkConservationWith(q);
      // Frozen: what open orders hold (nothing left on algos: all fired) is what the balances hold.
      const frozen = new Map<string, Big>();
      for (const o of await q(`SELECT user_id, side, frozen FROM orders WHERE state IN ('live', 'partially_filled')`)) {
        const k = `${String(o.user_id)}:${o.side === 'buy' ? 'USDT' : 'BTC'}`;
        frozen.set(k, (frozen.get(k) ?? new Big(0)).plus(String(o.frozen)));
      }
      for (const x of await q(`SELECT user_id, frozen_ccy, frozen FROM algo_orders WHERE frozen_ccy <> ''`)) {
        const k = `${String(x.user_id)}:${String(x.frozen_ccy)}`;
        frozen.set(k, (frozen.get(k) ?? new Big(0)).plus(String(x.frozen)));
      }
      for (const r of await q(`SELECT user_id, ccy, frozen FROM balances WHERE account = '18'`)) {
        assert.equal(
          new Big(String(r.frozen)).toFixed(),
          (frozen.get(`${String(r.user_id)}:${String(r.ccy)}`) ?? new Big(0)).toFixed(),
          `frozen ${String(r.user_id)} ${String(r.ccy)}`,
        );
      }
    } finally {
      await client.end();
    }
  });
});
