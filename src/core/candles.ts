import Big from 'big.js';

/** A trade as public market data shows it. */
export interface PublicTrade {
  tradeId: string;
  px: string;
  sz: string;
  /** The taker's side. */
  side: 'buy' | 'sell';
  /** Unix ms. */
  ts: number;
}

/** OKX bar names and their length in ms. */
export const BARS: ReadonlyMap<string, number> = new Map([
  ['1m', 60_000],
  ['3m', 180_000],
  ['5m', 300_000],
  ['15m', 900_000],
  ['30m', 1_800_000],
  ['1H', 3_600_000],
  ['2H', 7_200_000],
  ['4H', 14_400_000],
  ['6H', 21_600_000],
  ['12H', 43_200_000],
  ['1D', 86_400_000],
  ['1W', 604_800_000],
]);

/** [ts, open, high, low, close, vol (base), volCcy (quote), volCcyQuote (quote), confirm], OKX's candle row. */
export type Candle = [string, string, string, string, string, string, string, string, string];

/**
 * Candles of `barMs` from trades (any order), newest first, at most `limit`; the bar that
 * contains `now` is unconfirmed ('0'), earlier ones confirmed ('1'). Bars without trades are left out.
 */
export function candles(trades: readonly PublicTrade[], barMs: number, limit: number, now: number): Candle[] {
  const bars = new Map<number, { o: Big; h: Big; l: Big; c: Big; vol: Big; quote: Big; first: number; last: number }>();
  for (const t of trades) {
    const start = Math.floor(t.ts / barMs) * barMs;
    const px = new Big(t.px);
    const bar = bars.get(start);
    if (bar === undefined) {
      bars.set(start, {
        o: px,
        h: px,
        l: px,
        c: px,
        vol: new Big(t.sz),
        quote: px.times(t.sz),
        first: t.ts,
        last: t.ts,
      });
      continue;
    }
    if (t.ts < bar.first) {
      bar.o = px;
      bar.first = t.ts;
    }
    if (t.ts >= bar.last) {
      bar.c = px;
      bar.last = t.ts;
    }
    if (px.gt(bar.h)) bar.h = px;
    if (px.lt(bar.l)) bar.l = px;
    bar.vol = bar.vol.plus(t.sz);
    bar.quote = bar.quote.plus(px.times(t.sz));
  }
  const current = Math.floor(now / barMs) * barMs;
  return [...bars.entries()]
    .sort((a, b) => b[0] - a[0])
    .slice(0, limit)
    .map(([start, b]) => [
      String(start),
      b.o.toFixed(),
      b.h.toFixed(),
      b.l.toFixed(),
      b.c.toFixed(),
      b.vol.toFixed(),
      b.quote.toFixed(),
      b.quote.toFixed(),
      start >= current ? '0' : '1',
    ]);
}
