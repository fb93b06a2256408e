import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_BARS, type Bar } from './bars.js';
import { CandleBook } from './candle-book.js';
import { CandleSeries, candleAt, type PublicTrade } from './candles.js';

const bar = (name: string): Bar => ALL_BARS.get(name) as Bar;
let id = 0;
const t = (ts: number, px: string, sz: string): PublicTrade => ({ tradeId: String(++id), px, sz, side: 'buy', ts });

test('candles: open/high/low/close by time, volumes, newest first, the current bar unconfirmed', () => {
  const s = new CandleSeries(bar('1m'));
  for (const tr of [t(60_500, '101', '2'), t(60_000, '100', '1'), t(119_999, '99', '1'), t(120_000, '105', '0.5')])
    s.add(tr);
  s.add(t(90_000, '103', '1'));
  assert.deepEqual(s.rows({ limit: 10, now: 150_000 }), [
    ['120000', '105', '105', '105', '105', '0.5', '52.5', '52.5', '0'],
    ['60000', '100', '103', '99', '99', '5', '504', '504', '1'],
  ]);
  assert.equal(s.rows({ limit: 1, now: 150_000 }).length, 1);
  assert.deepEqual(new CandleSeries(bar('1m')).rows({ limit: 10, now: 0 }), []);
});

test('candles: periods without trades are flat bars at the previous close, up to the current bar', () => {
  const s = new CandleSeries(bar('1m'));
  s.add(t(60_000, '100', '1'));
  s.add(t(61_000, '102', '1'));
  s.add(t(240_000, '98', '2'));
  assert.deepEqual(s.rows({ limit: 10, now: 400_000 }), [
    ['360000', '98', '98', '98', '98', '0', '0', '0', '0'],
    ['300000', '98', '98', '98', '98', '0', '0', '0', '1'],
    ['240000', '98', '98', '98', '98', '2', '196', '196', '1'],
    ['180000', '102', '102', '102', '102', '0', '0', '0', '1'],
    ['120000', '102', '102', '102', '102', '0', '0', '0', '1'],
    ['60000', '100', '102', '100', '102', '2', '202', '202', '1'],
  ]);
});

test('candles: after = older than, before = newer than (both exclusive); before alone gives the newest', () => {
  const s = new CandleSeries(bar('1m'));
  for (let m = 1; m <= 10; m++) s.add(t(m * 60_000, String(100 + m), '1'));
  const starts = (q: Parameters<CandleSeries['rows']>[0]) => s.rows(q).map((r) => Number(r[0]) / 60_000);
  const now = 10 * 60_000 + 5;
  assert.deepEqual(starts({ limit: 3, now }), [10, 9, 8]);
  assert.deepEqual(starts({ after: 8 * 60_000, limit: 3, now }), [7, 6, 5]);
  assert.deepEqual(starts({ after: 8 * 60_000 + 1, limit: 3, now }), [8, 7, 6], 'a ts inside a bar');
  assert.deepEqual(starts({ before: 7 * 60_000, limit: 2, now }), [10, 9], 'before alone: the newest');
  assert.deepEqual(starts({ before: 7 * 60_000, limit: 10, now }), [10, 9, 8]);
  assert.deepEqual(starts({ after: 6 * 60_000, before: 2 * 60_000, limit: 10, now }), [5, 4, 3]);
  assert.deepEqual(starts({ after: 60_000, limit: 10, now }), [], 'before the first trade');
  assert.deepEqual(starts({ notBefore: 8 * 60_000, limit: 10, now }), [10, 9, 8]);
});

test('candles: longer bars merged from minute bars equal bars built from the trades', () => {
  const trades: PublicTrade[] = [];
  let px = 1000;
  for (let i = 0; i < 3000; i++) {
    px += ((i * 7919) % 11) - 5;
    trades.push(t(Date.UTC(2026, 0, 1) + i * 997_000 + (i % 7), String(px), `0.${(i % 9) + 1}`));
  }
  const now = Date.UTC(2026, 1, 10);
  const built = new CandleBook();
  const derived = new CandleBook();
  for (const tr of trades) built.add(tr, now);
  for (const tr of [...trades].reverse()) derived.addHistory(tr, now);
  derived.deriveFromMinutes(now);
  for (const name of ALL_BARS.keys()) {
    const q = { limit: 300, now };
    assert.deepEqual(derived.of(name)?.rows(q), built.of(name)?.rows(q), name);
  }
  const day = derived.of('1Dutc')?.rows({ limit: 300, now }) ?? [];
  assert.equal(day.length, 41, 'every UTC day from 1 January to 10 February (the current day, flat)');
  assert.deepEqual(day[0]?.slice(5), ['0', '0', '0', '0']);
});

test('candles: the bar of a WebSocket push', () => {
  const s = new CandleSeries(bar('1m'));
  s.add(t(60_000, '100', '1'));
  assert.deepEqual(candleAt(s, 60_000, 70_000), ['60000', '100', '100', '100', '100', '1', '100', '100', '0']);
  assert.deepEqual(candleAt(s, 120_000, 130_000), ['120000', '100', '100', '100', '100', '0', '0', '0', '0']);
  assert.equal(candleAt(s, 0, 70_000), null);
});

test('candle book: 24 h figures, and the opens of the UTC and Hong Kong days', () => {
  const book = new CandleBook();
  const day = Date.UTC(2026, 2, 4);
  assert.deepEqual(book.dayFigures(day, '50'), {
    open24h: '50',
    high24h: '50',
    low24h: '50',
    vol24h: '0',
    volCcy24h: '0',
    sodUtc0: '50',
    sodUtc8: '50',
  });
  book.add(t(day - 9 * 3_600_000, '90', '1'), day); // 15:00 UTC the day before (23:00 HK)
  book.add(t(day - 7 * 3_600_000, '95', '1'), day); // 17:00 UTC = 01:00 HK, the HK day's first trade
  book.add(t(day + 3_600_000, '105', '2'), day); // 01:00 UTC, the UTC day's first trade
  book.add(t(day + 2 * 3_600_000, '99', '1'), day);
  const f = book.dayFigures(day + 3 * 3_600_000, '50');
  assert.deepEqual(f, {
    open24h: '90',
    high24h: '105',
    low24h: '90',
    vol24h: '5',
    volCcy24h: '494',
    sodUtc0: '105',
    sodUtc8: '95',
  });
  // 24 h after the first trade: it has left the window.
  const later = book.dayFigures(day + 15 * 3_600_000, '50');
  assert.deepEqual([later.open24h, later.low24h, later.vol24h], ['95', '95', '4']);
  // A new UTC day without a trade yet opens at the last close.
  assert.equal(book.dayFigures(day + 86_400_000 + 60_000, '50').sodUtc0, '99');
});
