import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import Big from 'big.js';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { openRuntime } from '../src/runtime.js';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { algoHoldFromView, checkConservation } from './conservation.js';
import { cliJson, cliOk, type Envelope, PASSPHRASE, signedHeaders, startServer, tempDir } from './helpers.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

const EMAILS = ['x@example.com', 'y@example.com', 'z@example.com'];

/** An algo acknowledged by the server: on its own (algoId), or attached to an order (the parent's ordId). */
interface AckedAlgo {
  user: number;
  algoId?: string;
  parentOrdId?: string;
}

/**
 * The load of one algo worker's i-th request: an order with an attached TP/SL (a limit buy or a
 * limit sell), an OCO, a trigger order or a trailing stop, all around the band (59900 to 60100)
 * the plain orders trade in, so that trades cross their triggers while the process is killed.
 * Each carries a tag of its own, which the orders it places carry too.
 */
function algoRequest(w: number, i: number): { path: string; body: Record<string, unknown> } {
  const tag = `t${w}x${i}`;
  const p = 59900 + ((w * 37 + i * 13) % 200);
  const base = { instId: 'BTC-USDT', tdMode: 'cash', sz: '0.01', tag };
  switch (i % 6) {
    case 0: // limit buy, TP above and SL below it, market legs: a sell of the filled size when it fires
      return {
        path: '/api/v5/trade/order',
        body: {
          ...base,
          side: 'buy',
          ordType: 'limit',
          px: String(p),
          clOrdId: `c${w}x${i}`,
          attachAlgoOrds: [{ tpTriggerPx: String(p + 40), tpOrdPx: '-1', slTriggerPx: String(p - 40), slOrdPx: '-1' }],
        },
      };
    case 1: // limit sell, TP below and SL above it, limit legs: a buy freezing quote currency once live
      return {
        path: '/api/v5/trade/order',
        body: {
          ...base,
          side: 'sell',
          ordType: 'limit',
          px: String(p),
          clOrdId: `c${w}x${i}`,
          attachAlgoOrds: [
            {
              tpTriggerPx: String(p - 40),
              tpOrdPx: String(p - 35),
              slTriggerPx: String(p + 40),
              slOrdPx: String(p + 45),
            },
          ],
        },
      };
    case 2: // OCO sell around the band's middle (refused with OKX's code when the last price is outside its legs)
      return {
        path: '/api/v5/trade/order-algo',
        body: {
          ...base,
          side: 'sell',
          ordType: 'oco',
          tpTriggerPx: String(60000 + 20 + (i % 60)),
          tpOrdPx: '-1',
          slTriggerPx: String(60000 - 20 - (i % 60)),
          slOrdPx: '-1',
        },
      };
    case 3: // OCO buy with limit legs
      return {
        path: '/api/v5/trade/order-algo',
        body: {
          ...base,
          side: 'buy',
          ordType: 'oco',
          tpTriggerPx: String(60000 - 20 - (i % 60)),
          tpOrdPx: String(60000 - 10 - (i % 60)),
          slTriggerPx: String(60000 + 20 + (i % 60)),
          slOrdPx: String(60000 + 30 + (i % 60)),
        },
      };
    case 4: // trigger order (freezes nothing until it fires)
      return {
        path: '/api/v5/trade/order-algo',
        body: {
          ...base,
          side: i % 4 === 0 ? 'buy' : 'sell',
          ordType: 'trigger',
          triggerPx: String(p),
          orderPx: i % 4 === 0 ? String(p + 10) : '-1',
        },
      };
    default: // trailing sell, active at once: fires after a 30 USDT (0.05%) fall from the highest price since
      return {
        path: '/api/v5/trade/order-algo',
        body: { ...base, side: 'sell', ordType: 'move_order_stop', callbackRatio: '0.0005' },
      };
  }
}

test('kill -9 under load with algo orders in the mix: nothing acknowledged lost, no algo fired twice, frozen funds and the ledger exact', async (t) => {
  const data = tempDir();
  const keys: CreatedKey[] = [];
  for (const email of EMAILS) {
    await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
    await cliOk(['deposit', '--user', email, '--ccy', 'USDT', '--amt', '10000000'], data);
    await cliOk(['deposit', '--user', email, '--ccy', 'BTC', '--amt', '1000'], data);
    keys.push(
      await cliJson<CreatedKey>(
        ['keys', 'create', '--user', email, '--name', 'k', '--passphrase', PASSPHRASE, '--perm', 'read,trade'],
        data,
      ),
    );
  }
  const server = await startServer(data, { SIGNET_RATE_LIMITS: '0', SIGNET_MM_INTERVAL_MS: '200' });
  const acked: string[] = [];
  const ackedAlgos: AckedAlgo[] = [];
  let stop = false;
  const post = async (key: CreatedKey, path: string, body: unknown) => {
    const text = JSON.stringify(body);
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      body: text,
      headers: signedHeaders({ ...key, passphrase: PASSPHRASE }, 'POST', path, text),
    });
    return (await res.json()) as { code: string; data: Array<{ ordId?: string; algoId?: string; sCode: string }> };
  };
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const key = keys[(w + i) % keys.length] as CreatedKey;
      const side = (w + i) % 2 === 0 ? 'buy' : 'sell';
      try {
        const json = await post(key, '/api/v5/trade/order', {
          instId: 'BTC-USDT',
          tdMode: 'cash',
          side,
          ordType: i % 5 === 0 ? 'market' : 'limit',
          px: String(59900 + ((w * 7 + i) % 200)),
          sz: '0.01',
          tgtCcy: 'base_ccy',
          clOrdId: `p${w}x${i}`,
        });
        const ordId = json.data[0]?.ordId;
        if (json.code === '0' && ordId !== undefined) acked.push(ordId);
      } catch {
        return; // the server is gone
      }
    }
  };
  const algoWorker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const user = (w + i) % keys.length;
      const { path, body } = algoRequest(w, i);
      try {
        const json = await post(keys[user] as CreatedKey, path, body);
        const item = json.data[0];
        if (json.code !== '0' || item === undefined) continue;
        if (item.algoId !== undefined) ackedAlgos.push({ user, algoId: item.algoId });
        else if (item.ordId !== undefined) {
          acked.push(item.ordId);
          ackedAlgos.push({ user, parentOrdId: item.ordId });
        }
      } catch {
        return;
      }
    }
  };
  const workers = [
    ...Array.from({ length: 10 }, (_, w) => worker(w)),
    ...Array.from({ length: 6 }, (_, w) => algoWorker(w)),
  ];
  // Killed mid-stream once enough is acknowledged (a loaded machine takes longer to get there).
  const deadline = Date.now() + 25_000;
  while ((acked.length < 100 || ackedAlgos.length < 60) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  await server.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  assert.ok(acked.length > 50, `only ${acked.length} orders acknowledged`);
  assert.ok(ackedAlgos.length > 30, `only ${ackedAlgos.length} algo orders acknowledged`);

  // As the kill left them: how many algos had fired, and how many were between firing and their order.
  {
    const db = new Database(join(data, 'signet.db'), { readonly: true });
    const states = db
      .prepare('SELECT state, is_placing AS placing, COUNT(*) AS n FROM algo_orders GROUP BY state, is_placing')
      .all();
    db.close();
    t.diagnostic(
      `${acked.length} orders, ${ackedAlgos.length} algos acknowledged; algos at the kill: ${JSON.stringify(states)}`,
    );
  }

  // Restarted (placements of fired algos re-run at start-up), the market maker off: nothing moves the books.
  const rt = await openRuntime(loadConfig({ SIGNET_DATA: data, SIGNET_LOG_LEVEL: 'silent', SIGNET_MARKET_MAKER: '0' }));
  const app = buildApp(rt.appDeps);
  try {
    // What the start-up placements traded may fire more algos: wait until the engine has nothing left.
    await rt.algos.engine.idle();
    const users = await Promise.all(EMAILS.map((e) => rt.users.byEmail(e)));
    const get = async (user: number, target: string): Promise<Envelope> => {
      const key = keys[user] as CreatedKey;
      const res = await app.inject({
        method: 'GET',
        url: target,
        headers: signedHeaders({ ...key, passphrase: PASSPHRASE }, 'GET', target),
      });
      const json = res.json() as Envelope;
      assert.equal(json.code, '0', `${target}: ${res.body}`);
      return json;
    };
    /** Every page of a newest-first list, paged with `after` on `idField`. */
    const all = async (user: number, path: string, idField: string) => {
      const rows: Array<Record<string, string>> = [];
      for (let after = ''; ; ) {
        const page = (await get(user, `${path}${after === '' ? '' : `&after=${after}`}`)).data;
        rows.push(...page);
        if (page.length < 100) return rows;
        after = String(page[page.length - 1]?.[idField]);
      }
    };

    const missing: string[] = [];
    for (const ordId of acked) {
      const found = await Promise.all(users.map((u) => rt.store.findOrder(u.id, 'live', { ordId })));
      if (found.every((o) => o === null)) missing.push(ordId);
    }
    assert.deepEqual(missing, [], 'acknowledged orders lost');

    // Every acknowledged algo exists (an attached one under its parent, never dropped: its parent is stored).
    for (const a of ackedAlgos) {
      const u = users[a.user];
      assert.ok(u !== undefined);
      if (a.algoId !== undefined) {
        const found = await get(a.user, `/api/v5/trade/order-algo?algoId=${a.algoId}`);
        assert.equal(found.data[0]?.algoId, a.algoId);
      } else {
        const children = await rt.algos.attachedTo(u.id, 'live', a.parentOrdId ?? '');
        assert.equal(children.length, 1, `the TP/SL attached to ${a.parentOrdId}`);
        assert.notEqual(children[0]?.state, 'dropped');
      }
    }

    // No algo fired twice and none is left half placed: an algo's order is the one order carrying
    // its tag without a clOrdId (the parents of attached TP/SL and the plain orders have one), and
    // every order placed by an algo is the ordId of exactly one algo.
    const db = (rt.store as SqliteStore).handle;
    const algos = db
      .prepare(`SELECT algo_id, user_id, tag, state, ord_id, is_placing FROM algo_orders WHERE tag LIKE 't%'`)
      .all() as Array<{
      algo_id: string;
      user_id: number;
      tag: string;
      state: string;
      ord_id: string;
      is_placing: number;
    }>;
    const algoOrders = db
      .prepare(`SELECT ord_id, user_id, tag FROM orders WHERE cl_ord_id = '' AND tag LIKE 't%'`)
      .all() as Array<{ ord_id: string; user_id: number; tag: string }>;
    const ordersByTag = new Map<string, string[]>();
    for (const o of algoOrders) ordersByTag.set(o.tag, [...(ordersByTag.get(o.tag) ?? []), o.ord_id]);
    const firedIds = new Set<string>();
    let fired = 0;
    for (const a of algos) {
      assert.equal(a.is_placing, 0, `algo ${a.algo_id} still placing after the restart`);
      const placed = ordersByTag.get(a.tag) ?? [];
      if (a.state === 'effective') {
        fired++;
        assert.deepEqual(placed, [a.ord_id], `the order of algo ${a.algo_id}`);
      } else {
        assert.deepEqual(placed, [], `orders of ${a.state} algo ${a.algo_id}`);
      }
      if (a.ord_id !== '') {
        assert.ok(!firedIds.has(a.ord_id), `ordId ${a.ord_id} of two algos`);
        firedIds.add(a.ord_id);
      }
    }
    for (const o of algoOrders) assert.ok(firedIds.has(o.ord_id), `order ${o.ord_id} placed by no algo`);
    assert.ok(fired > 0, 'no algo fired: the load did not cross any trigger');
    const untagged = db
      .prepare(`SELECT COUNT(*) AS n FROM orders o JOIN users u ON u.id = o.user_id
        WHERE o.cl_ord_id = '' AND o.tag NOT LIKE 't%' AND u.email LIKE '%@example.com'`)
      .get() as { n: number };
    assert.equal(untagged.n, 0, 'orders of the test accounts that neither the test nor an algo placed');

    // Frozen funds: what orders-pending and orders-algo-pending say the account holds is exactly
    // what the balance says is frozen (limit orders: the unfilled size, times the price for a buy;
    // algos: as OKX documents for spot, see algo-funds.ts).
    for (const [n, u] of users.entries()) {
      const expected = new Map<string, Big>();
      const add = (ccy: string, amt: Big.BigSource) => expected.set(ccy, (expected.get(ccy) ?? new Big(0)).plus(amt));
      for (const o of await all(n, '/api/v5/trade/orders-pending?instType=SPOT&limit=100', 'ordId')) {
        const remaining = new Big(o.sz as string).minus(o.accFillSz as string);
        if (o.side === 'buy') add('USDT', remaining.times(o.px as string));
        else add('BTC', remaining);
      }
      let liveAlgos = 0;
      for (const t of ['conditional,oco', 'trigger', 'move_order_stop']) {
        for (const a of await all(n, `/api/v5/trade/orders-algo-pending?ordType=${t}&limit=100`, 'algoId')) {
          liveAlgos++;
          const hold = algoHoldFromView(a, 'BTC', 'USDT');
          if (hold !== null) add(hold.ccy, hold.amount);
        }
      }
      assert.ok(liveAlgos >= 0);
      const details = (await get(n, '/api/v5/account/balance')).data[0] as unknown as {
        details: Array<{ ccy: string; frozenBal: string }>;
      };
      for (const ccy of ['BTC', 'USDT']) {
        const bal = details.details.find((d) => d.ccy === ccy);
        assert.equal(
          new Big(bal?.frozenBal ?? '0').toFixed(),
          (expected.get(ccy) ?? new Big(0)).toFixed(),
          `${u.email} ${ccy} frozen: open orders and live algos against the balance`,
        );
      }
    }
    checkConservation(rt);
    assert.equal(
      rt.trading.book('live', 'BTC-USDT').size,
      (await rt.store.openOrders()).filter((o) => o.instId === 'BTC-USDT' && o.env === 'live').length,
    );
  } finally {
    await app.close();
    await rt.close();
  }
});
