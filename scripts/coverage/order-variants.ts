import { expect, same, type Variant, v } from './variant.js';
import { type Okx, SYMBOL, type World } from './world.js';

type Order = Awaited<ReturnType<Okx['fetchOrder']>>;

/** The market's last price, rounded to the tick; prices of the checks are fractions of it. */
export async function lastPrice(ex: Okx): Promise<number> {
  const t = await ex.fetchTicker(SYMBOL);
  expect((t.last ?? 0) > 0, 'no last price');
  return t.last ?? 0;
}

/** A price `f` times the last one, on the 0.1 tick. */
export const at = (p: number, f: number): number => Math.round(p * f * 10) / 10;

export function idOf(o: { id?: string | undefined }): string {
  expect(typeof o.id === 'string' && o.id !== '', 'no order id');
  return o.id ?? '';
}

const near = (a: number | undefined, b: number, what: string): void =>
  expect(a !== undefined && Math.abs(a - b) <= Math.max(1e-9, Math.abs(b) * 1e-6), `${what}: ${a}, expected ${b}`);

/** The order as fetchOrder shows it after placing; then it is canceled again (when open). */
async function placed(ex: Okx, id: string, params: Record<string, unknown> = {}): Promise<Order> {
  return ex.fetchOrder(id, SYMBOL, params);
}

/** An algo order placed by `place`: fetchOrder(trigger) shows `check`, it is listed as open, cancelOrder(trigger) cancels it. */
function algo(
  method: string,
  variant: string,
  ordType: string,
  place: (ex: Okx, p: number) => Promise<{ id?: string | undefined }>,
  check: (o: Order, p: number) => void,
): Variant {
  return v(method, variant, async (w) => {
    const { rest } = w;
    const p = await lastPrice(rest);
    const id = idOf(await place(rest, p));
    const o = await placed(rest, id, { trigger: true });
    same(o.status, 'open', 'status');
    check(o, p);
    const pending = await rest.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true, ordType });
    expect(
      pending.some((x) => x.id === id),
      `not among the open ${ordType} orders`,
    );
    await rest.cancelOrder(id, SYMBOL, { trigger: true });
    same((await placed(rest, id, { trigger: true })).status, 'canceled', 'status after cancelOrder');
    w.notes.set(`canceled-algo:${ordType}`, id);
  });
}

/** A limit order far from the market: open, as asked, then canceled. */
async function restingRoundTrip(w: World, make: (ex: Okx, p: number) => Promise<Order>): Promise<Order> {
  const p = await lastPrice(w.rest);
  const o = await placed(w.rest, idOf(await make(w.rest, p)));
  same(o.status, 'open', 'status');
  await w.rest.cancelOrder(idOf(o), SYMBOL);
  return o;
}

/** Placing orders of every kind a spot bot uses, amending and canceling them. */
export const ORDER_VARIANTS: readonly Variant[] = [
  v('createOrder', 'limit', async (w) => {
    const o = await restingRoundTrip(w, (ex, p) => ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9)));
    same([o.type, o.side, o.amount, o.filled, o.symbol], ['limit', 'buy', 0.001, 0, SYMBOL], 'order');
  }),
  v('createLimitOrder', 'default', async (w) => {
    const o = await restingRoundTrip(w, (ex, p) => ex.createLimitOrder(SYMBOL, 'sell', 0.001, at(p, 1.1)));
    same([o.type, o.side], ['limit', 'sell'], 'order');
  }),
  v('createOrder', 'limit with clientOrderId', async ({ rest }) => {
    const p = await lastPrice(rest);
    const clientOrderId = `cov${Date.now()}`;
    await rest.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9), { clientOrderId });
    const o = await rest.fetchOrder('', SYMBOL, { clientOrderId });
    same([o.clientOrderId, o.status], [clientOrderId, 'open'], 'by clientOrderId');
    await rest.cancelOrder('', SYMBOL, { clientOrderId });
    same((await rest.fetchOrder('', SYMBOL, { clientOrderId })).status, 'canceled', 'after cancel by clientOrderId');
  }),
  v('createOrder', 'market buy (amount and price: cost)', async ({ rest }) => {
    const p = await lastPrice(rest);
    const o = await placed(rest, idOf(await rest.createOrder(SYMBOL, 'market', 'buy', 0.001, p)));
    same(o.status, 'closed', 'status');
    expect(Math.abs((o.cost ?? 0) - 0.001 * p) < 0.001 * p * 0.01, `cost ${o.cost}`);
  }),
  v('createOrder', 'market sell', async ({ rest }) => {
    const o = await placed(rest, idOf(await rest.createOrder(SYMBOL, 'market', 'sell', 0.001)));
    same([o.status, o.filled], ['closed', 0.001], 'status, filled');
  }),
  v('createMarketOrder', 'sell', async ({ rest }) => {
    const o = await placed(rest, idOf(await rest.createMarketOrder(SYMBOL, 'sell', 0.0005)));
    same([o.status, o.filled, o.type], ['closed', 0.0005, 'market'], 'status, filled, type');
  }),
  v('createMarketBuyOrderWithCost', 'cost 50', async ({ rest }) => {
    const o = await placed(rest, idOf(await rest.createMarketBuyOrderWithCost(SYMBOL, 50)));
    same(o.status, 'closed', 'status');
    expect(Math.abs((o.cost ?? 0) - 50) < 0.01, `cost ${o.cost}`);
  }),
  v('createMarketSellOrderWithCost', 'cost 50', async ({ rest }) => {
    const o = await placed(rest, idOf(await rest.createMarketSellOrderWithCost(SYMBOL, 50)));
    same(o.status, 'closed', 'status');
    expect(Math.abs((o.cost ?? 0) - 50) < 1, `cost ${o.cost}`);
  }),
  v('createPostOnlyOrder', 'resting', async (w) => {
    const o = await restingRoundTrip(w, (ex, p) => ex.createPostOnlyOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9)));
    same(o.postOnly, true, 'postOnly');
  }),
  v('createOrder', 'postOnly that would take: not filled', async ({ rest }) => {
    const p = await lastPrice(rest);
    const r = await rest
      .createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 1.05), { postOnly: true })
      .then((o) => placed(rest, idOf(o)))
      .catch((err: unknown) => err);
    if (r instanceof Error) return; // refused: as good as canceled
    same([(r as Order).status, (r as Order).filled], ['canceled', 0], 'a crossing post-only order');
  }),
  ...(['IOC', 'FOK'] as const).flatMap((tif) => [
    v('createOrder', `${tif} away from the market: canceled`, async ({ rest }) => {
      const p = await lastPrice(rest);
      const o = await placed(
        rest,
        idOf(await rest.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9), { timeInForce: tif })),
      );
      same([o.status, o.filled, o.timeInForce], ['canceled', 0, tif], 'status, filled, timeInForce');
    }),
    v('createOrder', `${tif} through the market: filled`, async ({ rest }) => {
      const p = await lastPrice(rest);
      const o = await placed(
        rest,
        idOf(await rest.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 1.01), { timeInForce: tif })),
      );
      same([o.status, o.filled], ['closed', 0.001], 'status, filled');
    }),
  ]),
  algo(
    'createOrder',
    'triggerPrice (trigger)',
    'trigger',
    (ex, p) => ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9), { triggerPrice: at(p, 0.95) }),
    (o, p) => near(o.triggerPrice, at(p, 0.95), 'triggerPrice'),
  ),
  algo(
    'createOrder',
    'stopLossPrice (conditional)',
    'conditional',
    (ex, p) => ex.createOrder(SYMBOL, 'market', 'sell', 0.001, undefined, { stopLossPrice: at(p, 0.9) }),
    (o, p) => near(o.stopLossPrice, at(p, 0.9), 'stopLossPrice'),
  ),
  algo(
    'createOrder',
    'takeProfitPrice (conditional)',
    'conditional',
    (ex, p) => ex.createOrder(SYMBOL, 'limit', 'sell', 0.001, at(p, 1.2), { takeProfitPrice: at(p, 1.1) }),
    (o, p) => near(o.takeProfitPrice, at(p, 1.1), 'takeProfitPrice'),
  ),
  algo(
    'createOrder',
    'trailingPercent (move_order_stop)',
    'move_order_stop',
    (ex) => ex.createOrder(SYMBOL, 'market', 'sell', 0.001, undefined, { trailingPercent: 5 }),
    (o) => expect(o.info['callbackRatio'] === '0.05', `callbackRatio ${o.info['callbackRatio']}`),
  ),
  algo(
    'createStopLimitOrder',
    'default',
    'trigger',
    (ex, p) => ex.createStopLimitOrder(SYMBOL, 'buy', 0.001, at(p, 0.9), at(p, 0.95)),
    (o, p) => near(o.triggerPrice, at(p, 0.95), 'triggerPrice'),
  ),
  algo(
    'createStopMarketOrder',
    'default',
    'trigger',
    (ex, p) => ex.createStopMarketOrder(SYMBOL, 'sell', 0.001, at(p, 0.9)),
    (o, p) => near(o.triggerPrice, at(p, 0.9), 'triggerPrice'),
  ),
  algo(
    'createStopOrder',
    'default',
    'trigger',
    (ex, p) => ex.createStopOrder(SYMBOL, 'limit', 'sell', 0.001, at(p, 0.85), at(p, 0.9)),
    (o, p) => near(o.triggerPrice, at(p, 0.9), 'triggerPrice'),
  ),
  algo(
    'createTriggerOrder',
    'default',
    'trigger',
    (ex, p) => ex.createTriggerOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.8), at(p, 0.85)),
    (o, p) => near(o.triggerPrice, at(p, 0.85), 'triggerPrice'),
  ),
  algo(
    'createStopLossOrder',
    'default',
    'conditional',
    (ex, p) => ex.createStopLossOrder(SYMBOL, 'market', 'sell', 0.001, undefined, at(p, 0.8)),
    (o, p) => near(o.stopLossPrice, at(p, 0.8), 'stopLossPrice'),
  ),
  algo(
    'createTakeProfitOrder',
    'default',
    'conditional',
    (ex, p) => ex.createTakeProfitOrder(SYMBOL, 'market', 'sell', 0.001, undefined, at(p, 1.2)),
    (o, p) => near(o.takeProfitPrice, at(p, 1.2), 'takeProfitPrice'),
  ),
  algo(
    'createTrailingPercentOrder',
    'default',
    'move_order_stop',
    (ex) => ex.createTrailingPercentOrder(SYMBOL, 'market', 'sell', 0.001, undefined, 3),
    (o) => expect(o.info['callbackRatio'] === '0.03', `callbackRatio ${o.info['callbackRatio']}`),
  ),
  v('createOrder', 'attached stopLoss and takeProfit', async (w) => {
    let asked = 0;
    const o = await restingRoundTrip(w, (ex, p) => {
      asked = p;
      return ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9), {
        stopLoss: { triggerPrice: at(p, 0.8) },
        takeProfit: { triggerPrice: at(p, 1.1) },
      });
    });
    near(o.stopLossPrice, at(asked, 0.8), 'stopLossPrice');
    near(o.takeProfitPrice, at(asked, 1.1), 'takeProfitPrice');
  }),
  v('createOrderWithTakeProfitAndStopLoss', 'default', async (w) => {
    const o = await restingRoundTrip(w, (ex, p) =>
      ex.createOrderWithTakeProfitAndStopLoss(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9), at(p, 1.1), at(p, 0.8)),
    );
    expect(o.stopLossPrice !== undefined && o.takeProfitPrice !== undefined, 'no stopLossPrice / takeProfitPrice');
  }),
  v('createOrders', 'two limit orders', async ({ rest }) => {
    const p = await lastPrice(rest);
    const orders = await rest.createOrders([
      { symbol: SYMBOL, type: 'limit', side: 'buy', amount: 0.001, price: at(p, 0.9) },
      { symbol: SYMBOL, type: 'limit', side: 'sell', amount: 0.001, price: at(p, 1.1) },
    ]);
    same(orders.length, 2, 'orders');
    for (const o of orders) same((await placed(rest, idOf(o))).status, 'open', 'status');
    await rest.cancelOrders(orders.map(idOf), SYMBOL);
  }),
  v('editOrder', 'price and amount', async ({ rest }) => {
    const p = await lastPrice(rest);
    const id = idOf(await rest.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9)));
    await rest.editOrder(id, SYMBOL, 'limit', 'buy', 0.002, at(p, 0.85));
    const o = await placed(rest, id);
    same([o.status, o.amount, o.price], ['open', 0.002, at(p, 0.85)], 'after editOrder');
    await rest.cancelOrder(id, SYMBOL);
  }),
  v('cancelOrder', 'by id', async (w) => {
    const o = await restingRoundTrip(w, (ex, p) => ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9)));
    same((await placed(w.rest, idOf(o))).status, 'canceled', 'status after cancelOrder');
  }),
  v('cancelOrders', 'by ids', async ({ rest }) => {
    const p = await lastPrice(rest);
    const ids = [
      idOf(await rest.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9))),
      idOf(await rest.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.91))),
    ];
    await rest.cancelOrders(ids, SYMBOL);
    for (const id of ids) same((await placed(rest, id)).status, 'canceled', 'status');
  }),
  v('cancelOrders', 'by clientOrderIds', async ({ rest }) => {
    const p = await lastPrice(rest);
    const cids = [`covA${Date.now()}`, `covB${Date.now()}`];
    for (const clientOrderId of cids)
      await rest.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9), { clientOrderId });
    // ccxt reads the client ids from the clientOrderId (or clOrdId) param, as a list.
    await rest.cancelOrders([], SYMBOL, { clientOrderId: cids });
    for (const clientOrderId of cids)
      same((await rest.fetchOrder('', SYMBOL, { clientOrderId })).status, 'canceled', 'status');
  }),
  v('cancelOrdersForSymbols', 'two symbols', async ({ rest, notes }) => {
    const p = await lastPrice(rest);
    const a = idOf(await rest.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9)));
    const b = idOf(await rest.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 100));
    await rest.cancelOrdersForSymbols([
      { id: a, symbol: SYMBOL },
      { id: b, symbol: 'ETH/USDT' },
    ]);
    same((await rest.fetchOrder(a, SYMBOL)).status, 'canceled', 'BTC/USDT order');
    same((await rest.fetchOrder(b, 'ETH/USDT')).status, 'canceled', 'ETH/USDT order');
    // The newest canceled ETH/USDT order from here on (fetchCanceledOrders 'symbol, limit 5' reads it).
    notes.set('canceled-eth', b);
  }),
  v('cancelAllOrdersAfter', 'arm 10 s (checked at the end)', async (w) => {
    const p = await lastPrice(w.deadman);
    const id = idOf(await w.deadman.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9)));
    const r = (await w.deadman.cancelAllOrdersAfter(10_000)) as { info?: unknown } | Record<string, unknown>;
    expect(r !== undefined, 'no answer');
    w.notes.set('deadman', { id, armedAt: Date.now() });
  }),
  v('cancelAllOrdersAfter', '0 disarms', async (w) => {
    const { rest } = w;
    const p = await lastPrice(rest);
    await rest.cancelAllOrdersAfter(10_000);
    await rest.cancelAllOrdersAfter(0);
    const id = idOf(await rest.createOrder(SYMBOL, 'limit', 'buy', 0.001, at(p, 0.9)));
    same((await rest.fetchOrder(id, SYMBOL)).status, 'open', 'status');
    // Kept open: the check at the end sees it still open, long after the disarmed countdown.
    w.notes.set('disarmed', id);
  }),
];

/** Run last: the switch armed early has fired on the other account, and the disarmed one has not. */
export const DEADMAN_FIRED: Variant = v(
  'cancelAllOrdersAfter',
  'fires: every open order canceled',
  async (w) => {
    const armed = w.notes.get('deadman') as { id: string; armedAt: number } | undefined;
    expect(armed !== undefined, 'the switch was never armed');
    const deadline = armed.armedAt + 20_000;
    for (;;) {
      const o = await w.deadman.fetchOrder(armed.id, SYMBOL);
      if (o.status === 'canceled') break;
      expect(
        Date.now() < deadline,
        `still ${o.status} ${Math.round((Date.now() - armed.armedAt) / 1000)} s after arming`,
      );
      await new Promise((r) => setTimeout(r, 250));
    }
    const disarmed = w.notes.get('disarmed');
    if (typeof disarmed === 'string') {
      same((await w.rest.fetchOrder(disarmed, SYMBOL)).status, 'open', 'an order of the disarmed account');
      await w.rest.cancelOrder(disarmed, SYMBOL);
    }
  },
  25_000,
);
