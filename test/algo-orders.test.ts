import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ccxt from 'ccxt';
import { cliJson, cliOk, PASSPHRASE, type RunningServer, startServer, tempDir } from './helpers.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

type Okx = InstanceType<typeof ccxt.okx>;
const SYMBOL = 'BTC/USDT';

function idOf(order: { id?: string | undefined }): string {
  assert.equal(typeof order.id, 'string');
  return order.id ?? '';
}

/** Polls `read` until `done` holds (5 s at most): waiting for an event without a fixed sleep. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Algo orders as bots place them through ccxt okx, unchanged: a limit buy with an attached TP/SL
 * whose stop fires when another account trades through it, an OCO, a trailing stop, a trigger
 * order, cancel and amend, and freqtrade's stop-loss-on-exchange. The market maker is off: three
 * accounts make the trades.
 */
describe('algo orders with ccxt against a listening server', () => {
  const data = tempDir();
  let server: RunningServer;
  let alice: Okx;
  let bob: Okx;
  let carol: Okx;

  const ccxtFor = (k: CreatedKey) =>
    new ccxt.okx({
      apiKey: k.apiKey,
      secret: k.secretKey,
      password: PASSPHRASE,
      urls: { api: { rest: server.url }, test: { rest: server.url } },
    });
  /** One trade at `px` between bob (resting) and carol (taker), moving the last price there. */
  const tradeAt = async (px: number) => {
    const ask = await bob.createOrder(SYMBOL, 'limit', 'sell', 0.001, px);
    await carol.createOrder(SYMBOL, 'limit', 'buy', 0.001, px);
    assert.equal((await bob.fetchOrder(idOf(ask), SYMBOL)).status, 'closed');
  };
  const algo = (ex: Okx, id: string) => ex.fetchOrder(id, SYMBOL, { trigger: true });
  const balance = async (ex: Okx, ccy: string) => {
    const b = await ex.fetchBalance();
    return { free: b[ccy]?.free ?? 0, used: b[ccy]?.used ?? 0, total: b[ccy]?.total ?? 0 };
  };

  before(async () => {
    const keys: CreatedKey[] = [];
    for (const name of ['alice', 'bob', 'carol']) {
      const email = `${name}@example.com`;
      await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
      await cliOk(['deposit', '--user', email, '--ccy', 'USDT', '--amt', '100000'], data);
      if (name !== 'alice') await cliOk(['deposit', '--user', email, '--ccy', 'BTC', '--amt', '5'], data);
      keys.push(
        await cliJson<CreatedKey>(
          ['keys', 'create', '--user', email, '--name', name, '--passphrase', PASSPHRASE, '--perm', 'read,trade'],
          data,
        ),
      );
    }
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0' });
    [alice, bob, carol] = keys.map(ccxtFor) as [Okx, Okx, Okx];
    for (const ex of [alice, bob, carol]) await ex.loadMarkets();
  });
  after(async () => {
    await server.stop();
  });

  test('a limit buy with attached TP/SL fills; the stop fires when another account trades through it', async () => {
    await bob.createOrder(SYMBOL, 'limit', 'sell', 0.1, 60000);
    const buy = await alice.createOrder(SYMBOL, 'limit', 'buy', 0.1, 60000, {
      stopLoss: { triggerPrice: 55000 },
      takeProfit: { triggerPrice: 65000 },
    });
    assert.equal((await alice.fetchOrder(idOf(buy), SYMBOL)).status, 'closed');
    // The attached TP/SL is now an OCO selling what the buy brought (0.1 less the 0.1% fee in BTC), frozen.
    const [oco] = await until(
      () => alice.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true, ordType: 'conditional,oco' }),
      (l) => l.length === 1,
      'the attached OCO to go live',
    );
    assert.deepEqual(
      [oco?.type, oco?.side, oco?.amount, oco?.stopLossPrice, oco?.takeProfitPrice, oco?.status],
      ['oco', 'sell', 0.0999, 55000, 65000, 'open'],
    );
    assert.deepEqual(await balance(alice, 'BTC'), { free: 0, used: 0.0999, total: 0.0999 });

    // Bob bids 54000; carol sells into it: the last price falls through the stop.
    await bob.createOrder(SYMBOL, 'limit', 'buy', 0.5, 54000);
    await carol.createOrder(SYMBOL, 'market', 'sell', 0.01);
    const fired = await until(
      () => algo(alice, idOf(oco ?? {})),
      (o) => o.status === 'closed',
      'the stop-loss to fire',
    );
    const info = fired.info as Record<string, string>;
    assert.deepEqual([info.state, info.actualSide, info.actualSz, info.actualPx], ['effective', 'sl', '0.0999', '-1']);
    const sold = await alice.fetchOrder(info.ordId ?? '', SYMBOL);
    assert.deepEqual(
      [sold.status, sold.side, sold.type, sold.filled, sold.average],
      ['closed', 'sell', 'market', 0.0999, 54000],
    );
    assert.deepEqual(await balance(alice, 'BTC'), { free: 0, used: 0, total: 0 });
    // 100000 - 6000 + 0.0999 × 54000 less the 0.1% taker fee in USDT.
    assert.equal((await balance(alice, 'USDT')).total, 100000 - 6000 + 5394.6 - 5.3946);
    const history = await alice.fetchClosedOrders(SYMBOL, undefined, undefined, { trigger: true, ordType: 'oco' });
    assert.deepEqual(
      history.map((o) => o.id),
      [idOf(oco ?? {})],
    );
    assert.deepEqual(await alice.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true, ordType: 'oco' }), []);
  });

  test('an OCO: the take-profit fires and the stop-loss leg goes with it', async () => {
    await cliOk(['deposit', '--user', 'alice@example.com', '--ccy', 'BTC', '--amt', '1'], data);
    // ccxt sends both prices as ordType oco to order-algo only when asked for type 'oco' (with
    // type 'market' it sends them to batch-orders, which OKX and signet refuse).
    const oco = await alice.createOrder(SYMBOL, 'oco', 'sell', 0.01, undefined, {
      takeProfitPrice: 70000,
      stopLossPrice: 50000,
    });
    assert.equal((await algo(alice, idOf(oco))).type, 'oco');
    assert.deepEqual(await balance(alice, 'BTC'), { free: 0.99, used: 0.01, total: 1 });
    await tradeAt(70000);
    const fired = await until(
      () => algo(alice, idOf(oco)),
      (o) => o.status === 'closed',
      'the TP to fire',
    );
    assert.equal((fired.info as Record<string, string>).actualSide, 'tp');
    // Down through the stop-loss price: the OCO is done, nothing more is placed.
    await tradeAt(49000);
    const after = await algo(alice, idOf(oco));
    assert.deepEqual([after.status, (after.info as Record<string, string>).actualSide], ['closed', 'tp']);
    const orders = await alice.fetchClosedOrders(SYMBOL);
    assert.equal(orders.filter((o) => o.id === (fired.info as Record<string, string>).ordId).length, 1);
    assert.equal((await balance(alice, 'BTC')).used, 0);
  });

  test('a trailing stop (trailingPercent) follows the price up and fires on the callback', async () => {
    await tradeAt(50000);
    const trail = await alice.createOrder(SYMBOL, 'market', 'sell', 0.02, undefined, { trailingPercent: 5 });
    let info = (await algo(alice, idOf(trail))).info as Record<string, string>;
    assert.deepEqual([info.ordType, info.callbackRatio, info.moveTriggerPx], ['move_order_stop', '0.05', '47500']);
    await tradeAt(60000);
    info = (
      await until(
        () => algo(alice, idOf(trail)),
        (o) => (o.info as Record<string, string>).moveTriggerPx === '57000',
        'the trailing mark',
      )
    ).info as Record<string, string>;
    assert.equal(info.state, 'live');
    await tradeAt(57500);
    assert.equal((await algo(alice, idOf(trail))).status, 'open');
    await bob.createOrder(SYMBOL, 'limit', 'buy', 0.1, 56000);
    await tradeAt(56900);
    const fired = await until(
      () => algo(alice, idOf(trail)),
      (o) => o.status === 'closed',
      'the trailing stop to fire',
    );
    const sold = await alice.fetchOrder((fired.info as Record<string, string>).ordId ?? '', SYMBOL);
    assert.deepEqual([sold.side, sold.filled], ['sell', 0.02]);
  });

  test('a trigger order: listed with {trigger: true}, nothing frozen, canceled, then in fetchCanceledOrders', async () => {
    const before = await balance(alice, 'USDT');
    const trig = await alice.createOrder(SYMBOL, 'limit', 'buy', 0.01, 45000, { triggerPrice: 46000 });
    const open = await alice.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true });
    assert.deepEqual(
      open.map((o) => [o.id, o.type, o.price, o.triggerPrice]),
      [[idOf(trig), 'trigger', 45000, 46000]],
    );
    assert.deepEqual(await balance(alice, 'USDT'), before);
    await alice.cancelOrder(idOf(trig), SYMBOL, { trigger: true });
    const canceled = await alice.fetchCanceledOrders(SYMBOL, undefined, undefined, {
      trigger: true,
      ordType: 'trigger',
    });
    assert.deepEqual(
      canceled.map((o) => [o.id, o.status]),
      [[idOf(trig), 'canceled']],
    );
  });

  test('a trigger order fires and places its limit order', async () => {
    const trig = await alice.createOrder(SYMBOL, 'limit', 'buy', 0.01, 45000, { triggerPrice: 46000 });
    // Bob's ask at 45500 cancels his own higher bids (self-trade prevention) and rests for carol.
    await tradeAt(45500);
    const fired = await until(
      () => algo(alice, idOf(trig)),
      (o) => o.status === 'closed',
      'the trigger',
    );
    const placed = await alice.fetchOrder((fired.info as Record<string, string>).ordId ?? '', SYMBOL);
    assert.deepEqual([placed.status, placed.type, placed.price, placed.amount], ['open', 'limit', 45000, 0.01]);
    assert.equal((await balance(alice, 'USDT')).used, 450);
    await alice.cancelOrder(idOf(placed), SYMBOL);
  });

  test("freqtrade's stop-loss on exchange: a limit stop placed with stopLossPrice, amended, then canceled", async () => {
    const stop = await alice.createOrder(SYMBOL, 'limit', 'sell', 0.05, 44000, { stopLossPrice: 44500 });
    const placed = await algo(alice, idOf(stop));
    assert.deepEqual([placed.type, placed.status, placed.stopLossPrice], ['conditional', 'open', 44500]);
    assert.equal((await balance(alice, 'BTC')).used, 0.05);
    const amended = await alice.privatePostTradeAmendAlgos({
      instId: 'BTC-USDT',
      algoId: idOf(stop),
      newSz: '0.04',
      newSlTriggerPx: '44000',
      newSlOrdPx: '43500',
    });
    assert.equal(amended.data[0].sCode, '0');
    const now = (await algo(alice, idOf(stop))).info as Record<string, string>;
    assert.deepEqual([now.sz, now.slTriggerPx, now.slOrdPx], ['0.04', '44000', '43500']);
    assert.equal((await balance(alice, 'BTC')).used, 0.04);
    await alice.cancelOrder(idOf(stop), SYMBOL, { trigger: true });
    assert.equal((await algo(alice, idOf(stop))).status, 'canceled');
    assert.equal((await balance(alice, 'BTC')).used, 0);
  });

  test('ccxt pro watchOrders({trigger: true}) sees an algo order placed, then canceled (orders-algo on /business)', async () => {
    const keys = await cliJson<CreatedKey>(
      [
        'keys',
        'create',
        '--user',
        'alice@example.com',
        '--name',
        'alicews',
        '--passphrase',
        PASSPHRASE,
        '--perm',
        'read,trade',
      ],
      data,
    );
    const urls = { rest: server.url, ws: `${server.url.replace('http', 'ws')}/ws/v5` };
    const pro = new ccxt.pro.okx({
      apiKey: keys.apiKey,
      secret: keys.secretKey,
      password: PASSPHRASE,
      urls: { api: urls, test: urls },
    });
    await pro.loadHttpProxyAgent();
    try {
      let seen: Awaited<ReturnType<typeof pro.watchOrders>> | null = null;
      void pro.watchOrders(SYMBOL, undefined, undefined, { trigger: true }).then((v) => {
        seen = v;
      });
      const trig = await alice.createOrder(SYMBOL, 'limit', 'buy', 0.01, 30000, { triggerPrice: 31000 });
      // Until the subscription is acknowledged a push can be missed: amend (each amendment is pushed) until one arrives.
      let sz = 0.01;
      await until(
        async () => {
          if (seen !== null) return seen;
          sz = sz === 0.01 ? 0.02 : 0.01;
          await alice.privatePostTradeAmendAlgos({ instId: 'BTC-USDT', algoId: idOf(trig), newSz: String(sz) });
          return seen;
        },
        (v) => v !== null,
        'an orders-algo push',
      );
      const first = (seen ?? []) as Array<{ id?: string; status?: string; type?: string }>;
      assert.deepEqual([first.at(-1)?.id, first.at(-1)?.status, first.at(-1)?.type], [idOf(trig), 'open', 'trigger']);
      // A push of the last amendment may still be on its way: read pushes until this algo's cancel arrives.
      let next = pro.watchOrders(SYMBOL, undefined, undefined, { trigger: true });
      await alice.cancelOrder(idOf(trig), SYMBOL, { trigger: true });
      let last = (await next).at(-1);
      for (let extra = 0; last?.status === 'open' && extra < 5; extra++) {
        next = pro.watchOrders(SYMBOL, undefined, undefined, { trigger: true });
        last = (await next).at(-1);
      }
      assert.deepEqual([last?.id, last?.status], [idOf(trig), 'canceled']);
    } finally {
      await pro.close();
    }
  });

  test('OKX refusals: a sell stop above the last price (51280), insufficient balance (51008), unknown algo (51603)', async () => {
    await assert.rejects(
      alice.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { stopLossPrice: 90000 }),
      /51280/,
    );
    await assert.rejects(alice.createOrder(SYMBOL, 'market', 'sell', 50, undefined, { stopLossPrice: 40000 }), /51008/);
    await assert.rejects(alice.fetchOrder('123', SYMBOL, { trigger: true }), /51603/);
  });
});
