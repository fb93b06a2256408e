import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ccxt from 'ccxt';
import { cliJson, cliOk, PASSPHRASE, type RunningServer, signedCall, startServer, tempDir } from './helpers.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

type Okx = InstanceType<typeof ccxt.okx>;
type ProOkx = InstanceType<typeof ccxt.pro.okx>;
type Info = Record<string, unknown> & { attachAlgoOrds?: Array<Record<string, string>> };
const SYMBOL = 'BTC/USDT';
const INST = 'BTC-USDT';

const idOf = (o: { id?: string | undefined }): string => {
  assert.equal(typeof o.id, 'string');
  return o.id ?? '';
};
const infoOf = (o: { info?: unknown }): Info => o.info as Info;

/**
 * An order placed with a TP/SL shows it as OKX does, through ccxt unchanged: `attachAlgoOrds`
 * and the top-level TP/SL fields on GET /trade/order, orders-pending, orders-history(-archive)
 * and the `orders` WebSocket push, so ccxt's stopLossPrice / takeProfitPrice are set.
 */
describe('orders show their attached TP/SL', () => {
  const data = tempDir();
  let server: RunningServer;
  let alice: Okx;
  let bob: Okx;
  let pro: ProOkx;
  let aliceKey: CreatedKey;

  before(async () => {
    const keys: CreatedKey[] = [];
    for (const name of ['alice', 'bob']) {
      const email = `${name}@example.com`;
      await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
      await cliOk(['deposit', '--user', email, '--ccy', 'USDT', '--amt', '100000'], data);
      await cliOk(['deposit', '--user', email, '--ccy', 'BTC', '--amt', '5'], data);
      keys.push(
        await cliJson<CreatedKey>(
          ['keys', 'create', '--user', email, '--name', name, '--passphrase', PASSPHRASE, '--perm', 'read,trade'],
          data,
        ),
      );
    }
    [aliceKey] = keys as [CreatedKey];
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0' });
    const rest = (k: CreatedKey) =>
      new ccxt.okx({
        apiKey: k.apiKey,
        secret: k.secretKey,
        password: PASSPHRASE,
        urls: { api: { rest: server.url }, test: { rest: server.url } },
      });
    [alice, bob] = keys.map(rest) as [Okx, Okx];
    const urls = { rest: server.url, ws: `${server.url.replace(/^http/, 'ws')}/ws/v5` };
    pro = new ccxt.pro.okx({
      apiKey: aliceKey.apiKey,
      secret: aliceKey.secretKey,
      password: PASSPHRASE,
      urls: { api: urls, test: urls },
    });
    await pro.loadHttpProxyAgent();
    for (const ex of [alice, bob, pro]) await ex.loadMarkets();
  });
  after(async () => {
    await pro?.close();
    await server.stop();
  });

  test('ccxt createOrder with stopLoss and takeProfit: fetchOrder, the lists and the push carry them', async () => {
    const pushed = pro.watchOrders(SYMBOL);
    // The subscription is made before the order (no snapshot of this order then).
    await new Promise((r) => setTimeout(r, 0));
    const placed = await alice.createOrder(SYMBOL, 'limit', 'buy', 0.001, 50000, {
      stopLoss: { triggerPrice: 45000 },
      takeProfit: { triggerPrice: 60000 },
    });
    const id = idOf(placed);
    const o = await alice.fetchOrder(id, SYMBOL);
    assert.deepEqual([o.status, o.stopLossPrice, o.takeProfitPrice], ['open', 45000, 60000]);
    const info = infoOf(o);
    const [att] = info.attachAlgoOrds ?? [];
    assert.ok(att !== undefined && /^\d+$/.test(att.attachAlgoId ?? ''), JSON.stringify(info.attachAlgoOrds));
    assert.deepEqual(
      {
        tpTriggerPx: att.tpTriggerPx,
        tpTriggerPxType: att.tpTriggerPxType,
        tpOrdPx: att.tpOrdPx,
        slTriggerPx: att.slTriggerPx,
        slTriggerPxType: att.slTriggerPxType,
        slOrdPx: att.slOrdPx,
        sz: att.sz,
        amendPxOnTriggerType: att.amendPxOnTriggerType,
        failCode: att.failCode,
        failReason: att.failReason,
        attachAlgoClOrdId: att.attachAlgoClOrdId,
      },
      {
        tpTriggerPx: '60000',
        tpTriggerPxType: 'last',
        tpOrdPx: '-1',
        slTriggerPx: '45000',
        slTriggerPxType: 'last',
        slOrdPx: '-1',
        sz: '',
        amendPxOnTriggerType: '0',
        failCode: '',
        failReason: '',
        attachAlgoClOrdId: '',
      },
    );
    assert.deepEqual(
      [info.tpTriggerPx, info.tpOrdPx, info.slTriggerPx, info.slOrdPx, info.slTriggerPxType],
      ['60000', '-1', '45000', '-1', 'last'],
    );

    const open = (await alice.fetchOpenOrders(SYMBOL)).find((x) => x.id === id);
    assert.deepEqual([open?.stopLossPrice, open?.takeProfitPrice], [45000, 60000]);
    assert.deepEqual(infoOf(open ?? {}).attachAlgoOrds, info.attachAlgoOrds);

    let seen = await pushed;
    const deadline = Date.now() + 5000;
    while (!seen.some((x) => x.id === id)) {
      assert.ok(Date.now() < deadline, 'no orders push of the order');
      seen = await pro.watchOrders(SYMBOL);
    }
    const p = seen.find((x) => x.id === id);
    assert.deepEqual([p?.stopLossPrice, p?.takeProfitPrice], [45000, 60000]);
    assert.deepEqual(infoOf(p ?? {}).attachAlgoOrds, info.attachAlgoOrds);

    await alice.cancelOrder(id, SYMBOL);
    const closed = (await alice.fetchCanceledOrders(SYMBOL)).find((x) => x.id === id);
    assert.deepEqual([closed?.status, closed?.stopLossPrice, closed?.takeProfitPrice], ['canceled', 45000, 60000]);
  });

  test('createOrderWithTakeProfitAndStopLoss, and the older top-level tpTriggerPx/slTriggerPx of a raw request', async () => {
    const o = await alice.createOrderWithTakeProfitAndStopLoss(SYMBOL, 'limit', 'buy', 0.001, 50000, 61000, 44000);
    const f = await alice.fetchOrder(idOf(o), SYMBOL);
    assert.deepEqual([f.stopLossPrice, f.takeProfitPrice], [44000, 61000]);
    await alice.cancelOrder(idOf(o), SYMBOL);

    const creds = { ...aliceKey, passphrase: PASSPHRASE };
    const placed = await signedCall(server.url, creds, 'POST', '/api/v5/trade/order', {
      instId: INST,
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '50000',
      sz: '0.001',
      slTriggerPx: '43000',
      slOrdPx: '42900',
    });
    assert.equal(placed.code, '0', JSON.stringify(placed));
    const ordId = placed.data[0]?.ordId ?? '';
    const got = await signedCall(server.url, creds, 'GET', `/api/v5/trade/order?instId=${INST}&ordId=${ordId}`);
    const row = got.data[0] as unknown as Info;
    assert.deepEqual(
      [row.slTriggerPx, row.slOrdPx, row.tpTriggerPx, row.attachAlgoOrds?.length, row.attachAlgoOrds?.[0]?.slOrdPx],
      ['43000', '42900', '', 1, '42900'],
    );
    await alice.cancelOrder(ordId, SYMBOL);
  });

  test('a filled order keeps its attachAlgoOrds (with attachAlgoClOrdId); one whose fill is below the minimum says 51020', async () => {
    await bob.createOrder(SYMBOL, 'limit', 'sell', 0.002, 50000);
    const creds = { ...aliceKey, passphrase: PASSPHRASE };
    const placed = await signedCall(server.url, creds, 'POST', '/api/v5/trade/order', {
      instId: INST,
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '50000',
      sz: '0.001',
      attachAlgoOrds: [{ attachAlgoClOrdId: 'tpsl1', tpTriggerPx: '70000', tpOrdPx: '-1' }],
    });
    assert.equal(placed.code, '0', JSON.stringify(placed));
    const ordId = placed.data[0]?.ordId ?? '';
    for (const path of ['/api/v5/trade/orders-history', '/api/v5/trade/orders-history-archive']) {
      const got = await signedCall(server.url, creds, 'GET', `${path}?instType=SPOT&instId=${INST}`);
      const row = got.data.find((r) => r.ordId === ordId) as unknown as Info | undefined;
      assert.deepEqual(
        [row?.state, row?.attachAlgoClOrdId, row?.tpTriggerPx, row?.attachAlgoOrds?.[0]?.attachAlgoClOrdId],
        ['filled', 'tpsl1', '70000', 'tpsl1'],
        path,
      );
      assert.equal(row?.attachAlgoOrds?.[0]?.failCode, '');
    }
    // 0.00001 BTC bought, less the 0.1% fee in BTC, is below the 0.00001 minimum: the TP/SL cannot be placed.
    const tiny = await signedCall(server.url, creds, 'POST', '/api/v5/trade/order', {
      instId: INST,
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '50000',
      sz: '0.00001',
      attachAlgoOrds: [{ slTriggerPx: '40000', slOrdPx: '-1' }],
    });
    const tinyId = tiny.data[0]?.ordId ?? '';
    const deadline = Date.now() + 5000;
    for (;;) {
      const got = await signedCall(server.url, creds, 'GET', `/api/v5/trade/order?instId=${INST}&ordId=${tinyId}`);
      const att = (got.data[0] as unknown as Info).attachAlgoOrds?.[0];
      if (att?.failCode === '51020') break;
      assert.ok(Date.now() < deadline, `no failCode: ${JSON.stringify(got.data[0])}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  });

  test('an orders-algo push comes after the answer to the request that made it (ccxt pro watchOrders trigger)', async () => {
    // A bot matches the push against the algoId it got back, as on OKX: the answer must come first.
    const answered = new Set<string>();
    const order: string[] = [];
    let matched = false;
    const deadline = Date.now() + 5000;
    const watching = (async () => {
      while (!matched && Date.now() < deadline) {
        const left = deadline - Date.now();
        const v = await Promise.race([
          pro.watchOrders(SYMBOL, undefined, undefined, { trigger: true }),
          new Promise<null>((r) => setTimeout(() => r(null), left)),
        ]);
        if (v === null) return;
        for (const o of v) order.push(`push ${o.id} ${answered.has(o.id ?? '') ? 'after' : 'before'} its answer`);
        matched = v.some((o) => answered.has(o.id ?? ''));
      }
    })();
    // Until the subscription is in place a placement is not pushed (no snapshot): place again.
    const ids: string[] = [];
    while (!matched && Date.now() < deadline) {
      const o = await alice.createOrder(SYMBOL, 'limit', 'buy', 0.001, 20000, { triggerPrice: 21000 });
      ids.push(idOf(o));
      answered.add(idOf(o));
      await new Promise((r) => setTimeout(r, 200));
    }
    await watching;
    for (const id of ids) await alice.cancelOrder(id, SYMBOL, { trigger: true });
    assert.ok(matched, order.join('; '));
    assert.ok(
      order.every((e) => e.endsWith('after its answer')),
      order.join('; '),
    );
  });
});
