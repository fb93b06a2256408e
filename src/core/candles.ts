import Big from 'big.js';
import { type Bar, barEnd, barStart } from './bars.js';

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

/** [ts, open, high, low, close, vol (base), volCcy (quote), volCcyQuote (quote), confirm], OKX's candle row. */
export type Candle = [string, string, string, string, string, string, string, string, string];

/** One bar's figures. Open and close are the trades first and last by (ts, tradeId). */
export interface Bucket {
  readonly start: number;
  o: string;
  h: string;
  l: string;
  c: string;
  /** Order keys of the opening and closing trades: [ts, numeric tradeId]. */
  first: [number, number];
  last: [number, number];
  vol: Big;
  quote: Big;
}

const before = (a: [number, number], b: [number, number]): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
const keyOf = (t: PublicTrade): [number, number] => [t.ts, Number(t.tradeId)];

/** What candles a query asks for (OKX's after/before are exclusive bar-start cursors). */
export interface CandleQuery {
  /** Only bars opening before this ts. */
  after?: number | undefined;
  /** Only bars opening after this ts. */
  before?: number | undefined;
  limit: number;
  now: number;
  /** Only bars opening at or after this ts (GET /market/candles: the newest 1,440 bars). */
  notBefore?: number | undefined;
}

/**
 * The bars of one bar size on one book, built from trades or merged from a finer series,
 * and answered newest first with the periods without trades filled in as OKX does (open, high,
 * low and close at the previous close, volume 0), from the first traded bar to the current one.
 */
export class CandleSeries {
  private readonly byStart = new Map<number, Bucket>();
  /** Bar starts, ascending once `sorted`. */
  private starts: number[] = [];
  private sorted = true;

  constructor(readonly bar: Bar) {}

  get size(): number {
    return this.byStart.size;
  }

  /** Adds one trade (any order); `vol` and `quote` (its size and value) when already parsed. */
  add(t: PublicTrade, vol = new Big(t.sz), quote = vol.times(t.px)): void {
    const key = keyOf(t);
    this.mergeInto(barStart(this.bar, t.ts), t.px, t.px, t.px, t.px, key, key, vol, quote);
  }

  /** Merges a bucket of a finer series whose bar lies inside one of this series' bars. */
  merge(b: Bucket): void {
    this.mergeInto(barStart(this.bar, b.start), b.o, b.h, b.l, b.c, b.first, b.last, b.vol, b.quote);
  }

  private mergeInto(
    start: number,
    o: string,
    h: string,
    l: string,
    c: string,
    first: [number, number],
    last: [number, number],
    vol: Big,
    quote: Big,
  ): void {
    const b = this.byStart.get(start);
    if (b === undefined) {
      this.byStart.set(start, { start, o, h, l, c, first, last, vol, quote });
      const top = this.starts.at(-1);
      if (top !== undefined && start < top) this.sorted = false;
      this.starts.push(start);
      return;
    }
    if (before(first, b.first)) {
      b.o = o;
      b.first = first;
    }
    if (!before(last, b.last)) {
      b.c = c;
      b.last = last;
    }
    if (Number(h) > Number(b.h)) b.h = h;
    if (Number(l) < Number(b.l)) b.l = l;
    b.vol = b.vol.plus(vol);
    b.quote = b.quote.plus(quote);
  }

  private ordered(): number[] {
    if (!this.sorted) {
      this.starts.sort((a, b) => a - b);
      this.sorted = true;
    }
    return this.starts;
  }

  /** Every bucket, oldest first. */
  buckets(): Bucket[] {
    return this.ordered().flatMap((s) => this.byStart.get(s) ?? []);
  }

  /** Index of the last start <= ts, or -1. */
  private indexAtOrBefore(ts: number): number {
    const s = this.ordered();
    let lo = 0;
    let hi = s.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((s[mid] ?? 0) <= ts) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The bucket opening at `start`, if it has trades. */
  at(start: number): Bucket | undefined {
    return this.byStart.get(start);
  }

  /** The newest bucket opening at or before `ts`. */
  atOrBefore(ts: number): Bucket | undefined {
    const i = this.indexAtOrBefore(ts);
    return i < 0 ? undefined : this.byStart.get(this.ordered()[i] ?? Number.NaN);
  }

  /** The buckets opening from `lo` to `hi` (both included), oldest first. */
  between(lo: number, hi: number): Bucket[] {
    const s = this.ordered();
    const out: Bucket[] = [];
    for (let i = this.indexAtOrBefore(lo - 1) + 1; i < s.length && (s[i] ?? 0) <= hi; i++) {
      const b = this.byStart.get(s[i] ?? Number.NaN);
      if (b !== undefined) out.push(b);
    }
    return out;
  }

  /** Forgets the bars opening before `ts` (the retention of fine bars). */
  dropBefore(ts: number): void {
    const s = this.ordered();
    let n = 0;
    while (n < s.length && (s[n] ?? 0) < ts) this.byStart.delete(s[n++] ?? 0);
    if (n > 0) this.starts = s.slice(n);
  }

  /** The candles a query asks for, newest first. */
  rows(q: CandleQuery): Candle[] {
    const s = this.ordered();
    const firstStart = s[0];
    if (firstStart === undefined || q.limit <= 0) return [];
    let start = barStart(this.bar, q.now);
    if (q.after !== undefined) start = Math.min(start, barStart(this.bar, q.after - 1));
    const floor = Math.max(firstStart, q.notBefore ?? firstStart);
    const out: Candle[] = [];
    let i = this.indexAtOrBefore(start);
    while (out.length < q.limit && start >= floor && (q.before === undefined || start > q.before)) {
      while (i >= 0 && (s[i] ?? 0) > start) i--;
      const b = this.byStart.get(start);
      const confirm = barEnd(this.bar, start) <= q.now ? '1' : '0';
      if (b !== undefined) {
        const quote = b.quote.toFixed();
        out.push([String(start), b.o, b.h, b.l, b.c, b.vol.toFixed(), quote, quote, confirm]);
      } else {
        const prev = this.byStart.get(s[i] ?? Number.NaN);
        if (prev === undefined) break;
        out.push([String(start), prev.c, prev.c, prev.c, prev.c, '0', '0', '0', confirm]);
      }
      start = barStart(this.bar, start - 1);
    }
    return out;
  }
}

/** The row of one bar (the WebSocket push): the bucket opening at `start`, or a flat bar at the previous close. */
export function candleAt(series: CandleSeries, start: number, now: number): Candle | null {
  const rows = series.rows({ after: start + 1, limit: 1, now });
  const row = rows[0];
  return row !== undefined && row[0] === String(start) ? row : null;
}
