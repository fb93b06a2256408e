import Big from 'big.js';
import { ALL_BARS, type Bar, barStart } from './bars.js';
import { type Bucket, CandleSeries, type PublicTrade } from './candles.js';

const DAY = 86_400_000;
const SECOND = ALL_BARS.get('1s') as Bar;
const MINUTE = ALL_BARS.get('1m') as Bar;

/** How long 1s bars are kept, ms (OKX: history-candles serves 1s bars for the last 3 months). */
export const SECOND_BARS_KEEP_MS = 92 * DAY;
/** At most this many 1s bars per book (a bound on memory for a book trading every second). */
export const SECOND_BARS_MAX = 250_000;

/** The 24 h figures of OKX's ticker. */
export interface DayFigures {
  open24h: string;
  high24h: string;
  low24h: string;
  vol24h: string;
  volCcy24h: string;
  /** Open price of today's UTC day and of today's Hong Kong (UTC+8) day. */
  sodUtc0: string;
  sodUtc8: string;
}

/**
 * Every bar size of one book, kept up to date trade by trade. At start-up the whole stored
 * history goes in through `addHistory` (1s and 1m bars only), then `deriveFromMinutes` builds
 * every longer bar from the 1m bars: every bar boundary (HK or UTC days, weeks, months) is a
 * minute boundary, so this is exact and costs one merge per traded minute instead of one per trade.
 */
export class CandleBook {
  private readonly series = new Map<string, CandleSeries>();
  private last: PublicTrade | undefined;

  constructor() {
    for (const bar of ALL_BARS.values()) this.series.set(bar.name, new CandleSeries(bar));
  }

  /** The series of a bar name (every name of ALL_BARS). */
  of(bar: string): CandleSeries | undefined {
    return this.series.get(bar);
  }

  get lastTrade(): PublicTrade | undefined {
    return this.last;
  }

  private noteLast(t: PublicTrade): void {
    const l = this.last;
    if (l === undefined || t.ts > l.ts || (t.ts === l.ts && Number(t.tradeId) > Number(l.tradeId))) this.last = t;
  }

  /** A new trade: every series. */
  add(t: PublicTrade, now: number): void {
    this.noteLast(t);
    const vol = new Big(t.sz);
    const quote = vol.times(t.px);
    for (const s of this.series.values())
      if (s.bar !== SECOND || t.ts >= now - SECOND_BARS_KEEP_MS) s.add(t, vol, quote);
    this.trimSeconds(now);
  }

  /**
   * A stored trade at start-up, newest first: 1s and 1m bars only, until `deriveFromMinutes`
   * (1s bars only until SECOND_BARS_MAX of them: older ones would be dropped anyway).
   */
  addHistory(t: PublicTrade, now: number): void {
    this.noteLast(t);
    const vol = new Big(t.sz);
    const quote = vol.times(t.px);
    const seconds = this.series.get('1s');
    const keep =
      seconds !== undefined &&
      t.ts >= now - SECOND_BARS_KEEP_MS &&
      (seconds.size < SECOND_BARS_MAX || seconds.at(barStart(SECOND, t.ts)) !== undefined);
    if (keep) seconds.add(t, vol, quote);
    this.series.get('1m')?.add(t, vol, quote);
  }

  /** Builds every bar longer than 1m from the 1m bars (once, after `addHistory`). */
  deriveFromMinutes(now: number): void {
    const minutes = this.series.get('1m')?.buckets() ?? [];
    for (const s of this.series.values()) {
      if (s.bar === SECOND || s.bar === MINUTE) continue;
      for (const b of minutes) s.merge(b);
    }
    this.trimSeconds(now);
  }

  private trimSeconds(now: number): void {
    const s = this.series.get('1s');
    if (s === undefined || s.size <= SECOND_BARS_MAX * 1.1) return;
    const keep = s.buckets().at(-SECOND_BARS_MAX)?.start ?? 0;
    s.dropBefore(Math.max(keep, now - SECOND_BARS_KEEP_MS));
  }

  /**
   * The ticker's 24 h figures over trades after `now` − 24 h, counted in whole seconds at the
   * window's edge; with no trade in the window, every price is the last price (`fallback`
   * before any trade) and the volumes 0.
   */
  dayFigures(now: number, fallback: string): DayFigures {
    const lastPx = this.last?.px ?? fallback;
    const open = now - DAY;
    const edgeMinute = barStart(MINUTE, open);
    const edge = (this.series.get('1s')?.between(open + 1, edgeMinute + 59_999) ?? []).filter((b) => b.start > open);
    const inside = this.series.get('1m')?.between(edgeMinute + 60_000, now) ?? [];
    const window: Bucket[] = [...edge, ...inside];
    let high = lastPx;
    let low = lastPx;
    let vol = new Big(0);
    let quote = new Big(0);
    window.forEach((b, i) => {
      if (i === 0 || Number(b.h) > Number(high)) high = b.h;
      if (i === 0 || Number(b.l) < Number(low)) low = b.l;
      vol = vol.plus(b.vol);
      quote = quote.plus(b.quote);
    });
    return {
      open24h: window[0]?.o ?? lastPx,
      high24h: high,
      low24h: low,
      vol24h: vol.toFixed(),
      volCcy24h: quote.toFixed(),
      sodUtc0: this.dayOpen('1Dutc', now, lastPx),
      sodUtc8: this.dayOpen('1D', now, lastPx),
    };
  }

  /** The open of today's bar: its first trade, else the close before it, else `fallback`. */
  private dayOpen(bar: '1D' | '1Dutc', now: number, fallback: string): string {
    const s = this.series.get(bar);
    if (s === undefined) return fallback;
    const start = barStart(s.bar, now);
    return s.at(start)?.o ?? s.atOrBefore(start)?.c ?? fallback;
  }
}
