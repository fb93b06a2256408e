/**
 * Candles in memory: how long one book's whole history takes to load at start-up (1s and 1m bars
 * from the trades, then every longer bar from the 1m bars), what it holds, and what a poll of
 * GET /market/candles (300 bars) and a ticker cost. Run: node --import tsx bench/candles.ts [trades]
 */
import { ALL_BARS } from '../src/core/bars.js';
import { CandleBook } from '../src/core/candle-book.js';
import type { PublicTrade } from '../src/core/candles.js';

const n = Number(process.argv[2] ?? '1000000');
const now = Date.UTC(2026, 5, 1);
// One trade every 3 s, the newest just before `now` (a busy bot for a month at 1M trades).
const trades: PublicTrade[] = Array.from({ length: n }, (_, i) => ({
  tradeId: String(i + 1),
  px: (60_000 + Math.round(Math.sin(i / 500) * 5000) / 10).toFixed(1),
  sz: `0.0${(i % 9) + 1}`,
  side: 'buy',
  ts: now - (n - i) * 3000,
}));
const heap0 = process.memoryUsage().heapUsed;
const t0 = performance.now();
const book = new CandleBook();
for (let i = n - 1; i >= 0; i--) book.addHistory(trades[i] as PublicTrade, now);
const t1 = performance.now();
book.deriveFromMinutes(now);
const t2 = performance.now();
global.gc?.();
const heap = (process.memoryUsage().heapUsed - heap0) / 1e6;
console.log(
  `${n} trades: 1s+1m bars ${(t1 - t0).toFixed(0)} ms, longer bars ${(t2 - t1).toFixed(0)} ms, heap +${heap.toFixed(0)} MB (trades included)`,
);
for (const bar of ALL_BARS.keys()) {
  const s = book.of(bar);
  const reps = 200;
  const q0 = performance.now();
  for (let r = 0; r < reps; r++) s?.rows({ limit: 300, now, after: now - r * 1000 });
  console.log(
    `${bar.padEnd(6)} ${String(s?.size).padStart(8)} bars, 300-bar query ${((performance.now() - q0) / reps).toFixed(3)} ms`,
  );
}
const d0 = performance.now();
for (let r = 0; r < 200; r++) book.dayFigures(now - r * 1000, '1');
console.log(`ticker 24 h figures ${((performance.now() - d0) / 200).toFixed(3)} ms`);
const a0 = performance.now();
for (let i = 0; i < 10_000; i++)
  book.add({ tradeId: String(n + i + 1), px: '60000', sz: '0.01', side: 'sell', ts: now + i }, now + i);
console.log(`a live trade into every bar: ${((performance.now() - a0) / 10_000).toFixed(4)} ms`);
