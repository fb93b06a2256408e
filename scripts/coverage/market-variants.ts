import { expect, same, type Variant, v } from './variant.js';
import { type Okx, SYMBOL } from './world.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** True when a candle of `timeframe` may open at `ts` (ccxt asks for UTC bars from 6h up; weeks open on Monday). */
function aligned(timeframe: string, ts: number): boolean {
  const d = new Date(ts);
  if (timeframe === '1M') return d.getUTCDate() === 1 && ts % DAY === 0;
  if (timeframe === '3M') return d.getUTCDate() === 1 && d.getUTCMonth() % 3 === 0 && ts % DAY === 0;
  // 1970-01-05 was a Monday.
  if (timeframe === '1w') return (ts - 4 * DAY) % (7 * DAY) === 0;
  const ms = Number(timeframeSeconds[timeframe] ?? 0) * 1000;
  return ms > 0 && ts % ms === 0;
}

const timeframeSeconds: Record<string, number> = {
  '1m': 60,
  '3m': 180,
  '5m': 300,
  '15m': 900,
  '30m': 1800,
  '1h': 3600,
  '2h': 7200,
  '4h': 14400,
  '6h': 21600,
  '12h': 43200,
  '1d': 86400,
};

type Candle = ReadonlyArray<number | undefined>;

/** Candles oldest first, OHLC consistent, volumes not negative. */
function checkCandles(candles: Candle[], timeframe: string): void {
  let prev = -1;
  for (const c of candles) {
    const [ts = Number.NaN, o = Number.NaN, h = Number.NaN, l = Number.NaN, cl = Number.NaN, vol = Number.NaN] = c;
    expect(ts > prev, `candles not oldest first at ${ts}`);
    prev = ts;
    expect(aligned(timeframe, ts), `a ${timeframe} candle opens at ${new Date(ts).toISOString()}`);
    expect(h >= Math.max(o, cl) && l <= Math.min(o, cl) && l > 0, `candle ${JSON.stringify(c)} is not OHLC`);
    expect(vol >= 0, `candle ${JSON.stringify(c)} has a negative volume`);
  }
}

const bookOk = (ob: Awaited<ReturnType<Okx['fetchOrderBook']>>, depth?: number): void => {
  expect(ob.symbol === SYMBOL, `symbol ${ob.symbol}`);
  expect(ob.bids.length > 0 && ob.asks.length > 0, 'an empty side');
  if (depth !== undefined) expect(ob.bids.length <= depth && ob.asks.length <= depth, `more than ${depth} levels`);
  const bids = ob.bids.map((l) => Number(l[0]));
  const asks = ob.asks.map((l) => Number(l[0]));
  expect(
    bids.every((p, i) => i === 0 || p < (bids[i - 1] ?? 0)),
    'bids not best first',
  );
  expect(
    asks.every((p, i) => i === 0 || p > (asks[i - 1] ?? 0)),
    'asks not best first',
  );
  expect((bids[0] ?? 0) < (asks[0] ?? 0), 'crossed book');
};

/** Public market data: time, status, markets, currencies, tickers, books, trades, candles. */
export const MARKET_VARIANTS: readonly Variant[] = [
  v('fetchTime', 'default', async ({ rest }) => {
    const t = await rest.fetchTime();
    expect(typeof t === 'number' && Math.abs(t - Date.now()) < 5000, `server time ${t}`);
  }),
  v('fetchStatus', 'default', async ({ rest }) => {
    const s = await rest.fetchStatus();
    same(s.status, 'ok', 'status');
  }),
  v('fetchMarkets', 'default', async ({ rest }) => {
    const markets = await rest.fetchMarkets();
    const btc = markets.find((m) => m?.symbol === SYMBOL);
    expect(btc !== undefined, 'no BTC/USDT');
    same([btc.spot, btc.active, btc.precision.price, btc.precision.amount], [true, true, 0.1, 1e-8], 'BTC/USDT');
    expect(btc.limits.amount?.min === 0.00001, `min amount ${btc.limits.amount?.min}`);
  }),
  v('fetchCurrencies', 'default', async ({ rest }) => {
    const c = await rest.fetchCurrencies();
    const usdt = c['USDT'];
    expect(usdt !== undefined, 'no USDT');
    const trc = usdt.networks['TRC20'] ?? Object.values(usdt.networks).find((n) => String(n.id).includes('TRC20'));
    expect(trc !== undefined, `USDT networks ${Object.keys(usdt.networks)}`);
    expect(typeof trc.fee === 'number' && trc.withdraw === true && trc.deposit === true, 'TRC20 network fields');
  }),
  v('fetchTicker', 'default', async ({ rest }) => {
    const t = await rest.fetchTicker(SYMBOL);
    same(t.symbol, SYMBOL, 'symbol');
    expect((t.bid ?? 0) > 0 && (t.ask ?? 0) > (t.bid ?? 0), `bid ${t.bid} ask ${t.ask}`);
    expect((t.last ?? 0) > 0 && (t.baseVolume ?? 0) > 0, `last ${t.last} volume ${t.baseVolume}`);
    expect(t.open !== undefined && Math.abs((t.timestamp ?? 0) - Date.now()) < 60_000, 'open/timestamp');
  }),
  v('fetchTickers', 'two symbols', async ({ rest }) => {
    const t = await rest.fetchTickers([SYMBOL, 'ETH/USDT']);
    same(Object.keys(t).sort(), ['BTC/USDT', 'ETH/USDT'], 'symbols');
  }),
  v('fetchTickers', 'all spot', async ({ rest }) => {
    const t = await rest.fetchTickers();
    expect(Object.keys(t).length >= 4 && t[SYMBOL] !== undefined, `symbols ${Object.keys(t)}`);
  }),
  v('fetchOrderBook', 'default', async ({ rest }) => bookOk(await rest.fetchOrderBook(SYMBOL))),
  v('fetchOrderBook', 'limit 5', async ({ rest }) => bookOk(await rest.fetchOrderBook(SYMBOL, 5), 5)),
  v('fetchL2OrderBook', 'limit 5', async ({ rest }) => bookOk(await rest.fetchL2OrderBook(SYMBOL, 5), 5)),
  v('fetchTrades', 'default', async ({ rest }) => {
    const trades = await rest.fetchTrades(SYMBOL);
    expect(trades.length > 0, 'no trades');
    expect(
      trades.every((t) => t.symbol === SYMBOL && (t.price ?? 0) > 0 && (t.amount ?? 0) > 0 && t.id !== undefined),
      'trade fields',
    );
  }),
  v('fetchTrades', 'limit 5', async ({ rest }) => {
    const trades = await rest.fetchTrades(SYMBOL, undefined, 5);
    same(trades.length, 5, 'trades');
  }),
  v('fetchTrades', 'since', async ({ rest, history }) => {
    const since = history.filled[50]?.ts ?? 0;
    const trades = await rest.fetchTrades(SYMBOL, since);
    expect(trades.length > 0 && trades.every((t) => (t.timestamp ?? 0) >= since), 'trades before since');
  }),
  // What ccxt does against OKX, not an ideal: okx.js fetchTrades pages with
  // fetchPaginatedCallCursor(..., 'tradeId', 'after', undefined, 100), which (base/Exchange.js)
  // scans each page from its last entry, i.e. the NEWEST trade once parseTrades has sorted it
  // ascending, and sends that tradeId as `after` (= older than it). So page k+1 repeats page k
  // less its newest trade plus one older: 3 calls give 300 rows, 102 distinct trades. The pages
  // only move at all with `method: 'publicGetMarketHistoryTrades'`: ccxt's default market/trades
  // takes no cursor on OKX (limit only), so each call there is the same newest page.
  v('fetchTrades', 'paginate over >100 (history-trades)', async ({ rest }) => {
    const calls = 3;
    const trades = await rest.fetchTrades(SYMBOL, undefined, undefined, {
      paginate: true,
      paginationCalls: calls,
      method: 'publicGetMarketHistoryTrades',
    });
    same(trades.length, calls * 100, 'rows over 3 full pages (overlapping, as on OKX)');
    // 102 when every page's newest trade has a millisecond of its own (ccxt sorts by timestamp).
    const ids = new Set(trades.map((t) => t.id));
    expect(
      ids.size > 100 && ids.size < trades.length,
      `${ids.size} distinct trades in ${trades.length}: expected past one page, and overlapping pages`,
    );
    expect(
      trades.every((t) => t.symbol === SYMBOL && (t.price ?? 0) > 0),
      'trade fields',
    );
  }),
  v('fetchOHLCV', '1m default', async ({ rest }) => {
    const c = await rest.fetchOHLCV(SYMBOL, '1m');
    expect(c.length > 0, 'no candles');
    checkCandles(c, '1m');
    const last = c[c.length - 1]?.[0] ?? 0;
    expect(Date.now() - last < 3 * MINUTE, `newest candle ${new Date(last).toISOString()}`);
  }),
  v('fetchOHLCV', 'limit 2', async ({ rest }) => {
    const c = await rest.fetchOHLCV(SYMBOL, '1m', undefined, 2);
    expect(c.length >= 1 && c.length <= 2, `${c.length} candles`);
    checkCandles(c, '1m');
  }),
  v('fetchOHLCV', 'since (recent)', async ({ rest, history }) => {
    const since = Math.floor((history.filled[0]?.ts ?? 0) / MINUTE) * MINUTE;
    const c = await rest.fetchOHLCV(SYMBOL, '1m', since);
    expect(c.length > 0 && (c[0]?.[0] ?? 0) === since, `first candle ${c[0]?.[0]}, expected ${since}`);
    checkCandles(c, '1m');
  }),
  v('fetchOHLCV', 'since far back + until (history-candles)', async ({ rest }) => {
    const since = Date.now() - 2000 * MINUTE;
    const c = await rest.fetchOHLCV(SYMBOL, '1m', since, 300, { until: Date.now() });
    expect(c.length > 0, 'no candles');
    checkCandles(c, '1m');
    expect(
      c.every((x) => (x[0] ?? 0) >= since),
      'candles before since',
    );
  }),
  v('fetchOHLCV', 'paginate', async ({ rest, history }) => {
    const since = Math.floor((history.filled[0]?.ts ?? 0) / MINUTE) * MINUTE;
    const c = await rest.fetchOHLCV(SYMBOL, '1m', since, undefined, { paginate: true, paginationCalls: 2 });
    expect(c.length > 0 && c[0]?.[0] === since, `first candle ${c[0]?.[0]}`);
    checkCandles(c, '1m');
  }),
  ...['3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d', '1w', '1M', '3M'].map((tf) =>
    v('fetchOHLCV', `timeframe ${tf}`, async ({ rest }) => {
      const c = await rest.fetchOHLCV(SYMBOL, tf);
      expect(c.length > 0, 'no candles');
      checkCandles(c, tf);
    }),
  ),
];

/**
 * Run late (checks before it trade in later minutes): `until` at the end of the setup's first
 * minute leaves out every later candle.
 */
export const OHLCV_UNTIL: Variant = v('fetchOHLCV', 'until', async ({ rest, history }) => {
  const until = Math.floor((history.filled[0]?.ts ?? 0) / MINUTE) * MINUTE + MINUTE - 1;
  const c = await rest.fetchOHLCV(SYMBOL, '1m', undefined, 10, { until });
  expect(c.length > 0, 'no candles');
  expect(
    c.every((x) => (x[0] ?? 0) <= until),
    'candles after until',
  );
});
