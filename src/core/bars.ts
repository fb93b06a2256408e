/**
 * OKX candle bars and where each one opens. Every time is Unix ms; no clock is read here.
 *
 * From OKX's V5 documentation (GET /api/v5/market/candles, history-candles, WS candle channels):
 * - `1s` `1m` `3m` `5m` `15m` `30m` `1H` `2H` `4H` open on multiples of their length (UTC).
 * - `6H` `12H` `1D` `2D` `3D` `1W` `1M` `3M` open on Hong Kong time (UTC+8, no daylight saving):
 *   days at HK midnight, weeks on Monday, months on the 1st, quarters on Jan/Apr/Jul/Oct 1st.
 * - The `utc` variants (`6Hutc` … `3Mutc`) open on UTC instead.
 * - `5D`/`5Dutc` exist only as WebSocket channels (`candle5D`); `1s` only on history-candles
 *   and the WebSocket channel (GET /market/candles lists no `1s` and answers 51000 for it).
 * **signet:** multi-day bars (2D, 3D, 5D) count whole days from 1970-01-01 in their zone;
 * OKX does not document their anchor.
 */

export type BarUnit = 'ms' | 'day' | 'week' | 'month';

export interface Bar {
  /** OKX's name, e.g. `1Dutc`. */
  readonly name: string;
  readonly unit: BarUnit;
  /** Length in `unit`s (ms for 'ms'). */
  readonly size: number;
  /** Offset of the bar's zone from UTC, ms (HK: 8 h; UTC: 0). */
  readonly zoneMs: number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const HK = 8 * HOUR;

const fixed = (name: string, ms: number, zoneMs = 0): Bar => ({ name, unit: 'ms', size: ms, zoneMs });
const calendar = (name: string, unit: BarUnit, size: number, zoneMs: number): Bar => ({ name, unit, size, zoneMs });

/** Both zones of the bars that open on a calendar: `name` (HK) and `${name}utc`. */
function zoned(name: string, unit: BarUnit, size: number): Bar[] {
  const hk = unit === 'ms' ? fixed(name, size, HK) : calendar(name, unit, size, HK);
  const utc = unit === 'ms' ? fixed(`${name}utc`, size, 0) : calendar(`${name}utc`, unit, size, 0);
  return [hk, utc];
}

/** Every bar signet knows, by name. */
export const ALL_BARS: ReadonlyMap<string, Bar> = new Map(
  [
    fixed('1s', 1000),
    fixed('1m', 60_000),
    fixed('3m', 180_000),
    fixed('5m', 300_000),
    fixed('15m', 900_000),
    fixed('30m', 1_800_000),
    fixed('1H', HOUR),
    fixed('2H', 2 * HOUR),
    fixed('4H', 4 * HOUR),
    ...zoned('6H', 'ms', 6 * HOUR),
    ...zoned('12H', 'ms', 12 * HOUR),
    ...zoned('1D', 'day', 1),
    ...zoned('2D', 'day', 2),
    ...zoned('3D', 'day', 3),
    ...zoned('5D', 'day', 5),
    ...zoned('1W', 'week', 1),
    ...zoned('1M', 'month', 1),
    ...zoned('3M', 'month', 3),
  ].map((b) => [b.name, b]),
);

const WS_ONLY = new Set(['5D', '5Dutc']);

/** The `bar` values of GET /api/v5/market/history-candles (OKX: 1s included). */
export const HISTORY_CANDLE_BARS: ReadonlySet<string> = new Set([...ALL_BARS.keys()].filter((b) => !WS_ONLY.has(b)));
/** The `bar` values of GET /api/v5/market/candles (OKX: no 1s). */
export const CANDLE_BARS: ReadonlySet<string> = new Set([...HISTORY_CANDLE_BARS].filter((b) => b !== '1s'));
/** The bars of the WebSocket `candle<bar>` channels (OKX: every bar, 5D included). */
export const WS_CANDLE_BARS: ReadonlySet<string> = new Set(ALL_BARS.keys());

const floorDiv = (a: number, b: number): number => Math.floor(a / b);

/** When the bar containing `ts` opens. */
export function barStart(bar: Bar, ts: number): number {
  const local = ts + bar.zoneMs;
  switch (bar.unit) {
    case 'ms':
      return floorDiv(local, bar.size) * bar.size - bar.zoneMs;
    case 'day':
      return floorDiv(floorDiv(local, DAY), bar.size) * bar.size * DAY - bar.zoneMs;
    case 'week': {
      // 1970-01-01 was a Thursday: Monday-based weeks start 3 days earlier (1969-12-29).
      const monday = -3 * DAY;
      return monday + floorDiv(local - monday, 7 * DAY) * 7 * DAY - bar.zoneMs;
    }
    case 'month': {
      const d = new Date(local);
      const month = d.getUTCMonth() - (d.getUTCMonth() % bar.size);
      return Date.UTC(d.getUTCFullYear(), month, 1) - bar.zoneMs;
    }
  }
}

/** When the bar opening at `start` (a value from barStart) closes: the next bar's start. */
export function barEnd(bar: Bar, start: number): number {
  switch (bar.unit) {
    case 'ms':
      return start + bar.size;
    case 'day':
      return start + bar.size * DAY;
    case 'week':
      return start + 7 * DAY;
    case 'month': {
      const d = new Date(start + bar.zoneMs);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + bar.size, 1) - bar.zoneMs;
    }
  }
}

/** The start of the bar before the one opening at `start`. */
export const previousBarStart = (bar: Bar, start: number): number => barStart(bar, start - 1);

/** The start of the bar `n` bars before the one containing `ts` (n = 0: that bar). */
export function barsBack(bar: Bar, ts: number, n: number): number {
  let start = barStart(bar, ts);
  if (bar.unit === 'ms') return start - n * bar.size;
  for (let i = 0; i < n; i++) start = previousBarStart(bar, start);
  return start;
}
