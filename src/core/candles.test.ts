import assert from 'node:assert/strict';
import { test } from 'node:test';
import { candles, type PublicTrade } from './candles.js';

test('candles: open/high/low/close by time, volumes, newest first, the current bar unconfirmed', () => {
  const t = (ts: number, px: string, sz: string): PublicTrade => ({ tradeId: String(ts), px, sz, side: 'buy', ts });
  const trades = [
    t(60_500, '101', '2'),
    t(60_000, '100', '1'),
    t(119_999, '99', '1'),
    t(120_000, '105', '0.5'),
    t(90_000, '103', '1'),
  ];
  assert.deepEqual(candles(trades, 60_000, 10, 150_000), [
    ['120000', '105', '105', '105', '105', '0.5', '52.5', '52.5', '0'],
    ['60000', '100', '103', '99', '99', '5', '504', '504', '1'],
  ]);
  assert.equal(candles(trades, 60_000, 1, 150_000).length, 1);
  assert.deepEqual(candles([], 60_000, 10, 0), []);
});
