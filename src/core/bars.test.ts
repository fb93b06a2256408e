import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_BARS, type Bar, barEnd, barStart, CANDLE_BARS, HISTORY_CANDLE_BARS, WS_CANDLE_BARS } from './bars.js';

const bar = (name: string): Bar => {
  const b = ALL_BARS.get(name);
  assert.ok(b, name);
  return b;
};
const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);
const start = (name: string, ts: string) => iso(barStart(bar(name), at(ts)));

test('bars: which bar each endpoint takes', () => {
  const fixedBars = ['1m', '3m', '5m', '15m', '30m', '1H', '2H', '4H'];
  const zonedBars = ['6H', '12H', '1D', '2D', '3D', '1W', '1M', '3M'];
  const all = [...fixedBars, ...zonedBars, ...zonedBars.map((b) => `${b}utc`)];
  assert.deepEqual([...CANDLE_BARS].sort(), [...all].sort());
  assert.deepEqual([...HISTORY_CANDLE_BARS].sort(), ['1s', ...all].sort());
  assert.deepEqual([...WS_CANDLE_BARS].sort(), ['1s', '5D', '5Dutc', ...all].sort());
  assert.ok(!CANDLE_BARS.has('1d') && !CANDLE_BARS.has('1h') && !CANDLE_BARS.has('8H'), 'names are case-sensitive');
});

test('bars: minutes and hours open on multiples of their length, UTC', () => {
  assert.equal(start('1s', '2026-03-04T05:06:07.890Z'), '2026-03-04T05:06:07.000Z');
  assert.equal(start('1m', '2026-03-04T05:06:07.890Z'), '2026-03-04T05:06:00.000Z');
  assert.equal(start('15m', '2026-03-04T05:44:59.999Z'), '2026-03-04T05:30:00.000Z');
  assert.equal(start('4H', '2026-03-04T03:59:59.999Z'), '2026-03-04T00:00:00.000Z');
  assert.equal(start('4H', '2026-03-04T04:00:00.000Z'), '2026-03-04T04:00:00.000Z');
});

test('bars: 6H, 12H and days open on Hong Kong time (UTC+8) unless utc', () => {
  // HK 6H bars open at HK 00/06/12/18 = UTC 16/22/04/10.
  assert.equal(start('6H', '2026-03-04T03:59:00Z'), '2026-03-03T22:00:00.000Z');
  assert.equal(start('6H', '2026-03-04T04:00:00Z'), '2026-03-04T04:00:00.000Z');
  assert.equal(start('6Hutc', '2026-03-04T03:59:00Z'), '2026-03-04T00:00:00.000Z');
  assert.equal(start('12H', '2026-03-04T15:59:59.999Z'), '2026-03-04T04:00:00.000Z');
  assert.equal(start('12Hutc', '2026-03-04T15:59:59.999Z'), '2026-03-04T12:00:00.000Z');
  // HK midnight is 16:00 UTC the day before.
  assert.equal(start('1D', '2026-03-04T15:59:59.999Z'), '2026-03-03T16:00:00.000Z');
  assert.equal(start('1D', '2026-03-04T16:00:00.000Z'), '2026-03-04T16:00:00.000Z');
  assert.equal(start('1Dutc', '2026-03-04T15:59:59.999Z'), '2026-03-04T00:00:00.000Z');
  assert.equal(iso(barEnd(bar('1D'), at('2026-03-03T16:00:00Z'))), '2026-03-04T16:00:00.000Z');
});

test('bars: multi-day bars count whole days from 1970-01-01 in their zone', () => {
  const day = 86_400_000;
  for (const [name, n, zone] of [
    ['2D', 2, 8],
    ['3D', 3, 8],
    ['5D', 5, 8],
    ['2Dutc', 2, 0],
    ['3Dutc', 3, 0],
  ] as const) {
    const s = barStart(bar(name), at('2026-03-04T12:00:00Z'));
    assert.equal((s + zone * 3_600_000) % (n * day), 0, name);
    assert.ok(s <= at('2026-03-04T12:00:00Z') && at('2026-03-04T12:00:00Z') < barEnd(bar(name), s), name);
    assert.equal(barEnd(bar(name), s) - s, n * day, name);
  }
});

test('bars: weeks open on Monday (HK or UTC midnight)', () => {
  // 2026-03-04 is a Wednesday.
  assert.equal(start('1Wutc', '2026-03-04T12:00:00Z'), '2026-03-02T00:00:00.000Z');
  assert.equal(start('1W', '2026-03-04T12:00:00Z'), '2026-03-01T16:00:00.000Z');
  // Sunday 23:59 UTC is Monday 07:59 in Hong Kong: a new HK week, the old UTC week.
  assert.equal(start('1W', '2026-03-08T23:59:00Z'), '2026-03-08T16:00:00.000Z');
  assert.equal(start('1Wutc', '2026-03-08T23:59:00Z'), '2026-03-02T00:00:00.000Z');
  assert.equal(new Date(barStart(bar('1Wutc'), at('1970-01-01T00:00:00Z'))).getUTCDay(), 1, 'before the epoch too');
  assert.equal(iso(barEnd(bar('1Wutc'), at('2026-03-02T00:00:00Z'))), '2026-03-09T00:00:00.000Z');
});

test('bars: months on the 1st, quarters on Jan/Apr/Jul/Oct 1st, year ends and leap days', () => {
  assert.equal(start('1Mutc', '2026-02-28T23:59:59.999Z'), '2026-02-01T00:00:00.000Z');
  assert.equal(start('1M', '2026-02-28T16:00:00Z'), '2026-02-28T16:00:00.000Z', 'HK 1 March');
  assert.equal(start('1M', '2026-02-28T15:59:59.999Z'), '2026-01-31T16:00:00.000Z', 'HK 28 Feb: HK February');
  assert.equal(iso(barEnd(bar('1Mutc'), at('2024-02-01T00:00:00Z'))), '2024-03-01T00:00:00.000Z');
  assert.equal(iso(barEnd(bar('1Mutc'), at('2026-12-01T00:00:00Z'))), '2027-01-01T00:00:00.000Z');
  assert.equal(start('3Mutc', '2026-06-30T23:59:59Z'), '2026-04-01T00:00:00.000Z');
  assert.equal(start('3Mutc', '2026-07-01T00:00:00Z'), '2026-07-01T00:00:00.000Z');
  assert.equal(start('3M', '2026-12-31T16:00:00Z'), '2026-12-31T16:00:00.000Z', 'HK 1 January');
  assert.equal(start('3M', '2026-12-31T15:59:59Z'), '2026-09-30T16:00:00.000Z');
  assert.equal(iso(barEnd(bar('3M'), at('2026-09-30T16:00:00Z'))), '2026-12-31T16:00:00.000Z');
});

test('bars: no daylight saving: HK and UTC bars keep their hour all year', () => {
  for (const month of [0, 2, 3, 6, 9, 10]) {
    const ts = Date.UTC(2026, month, 15, 12);
    assert.equal(new Date(barStart(bar('1D'), ts)).getUTCHours(), 16);
    assert.equal(new Date(barStart(bar('1Dutc'), ts)).getUTCHours(), 0);
  }
});

test('bars: every bar contains the time it was asked for, and ends where the next opens', () => {
  for (const b of ALL_BARS.values()) {
    for (const ts of [0, at('2024-02-29T23:59:59.999Z'), at('2026-03-04T16:00:00Z'), at('2031-07-01T07:59:00Z')]) {
      const s = barStart(b, ts);
      const e = barEnd(b, s);
      assert.ok(s <= ts && ts < e, `${b.name} ${iso(ts)}`);
      assert.equal(barStart(b, e), e, `${b.name}: the next bar opens at the end`);
      assert.equal(barStart(b, e - 1), s, b.name);
    }
  }
});
