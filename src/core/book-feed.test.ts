import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyBookDelta, type BookLevels, bookChecksum, bookDelta, type WireLevel } from './book-feed.js';

/** CRC-32 (IEEE) by hand, bit by bit, to check the zlib-based checksum against. */
function crc32ByHand(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) | 0;
}

const lvl = (px: string, sz: string, n = 1): WireLevel => [px, sz, '0', String(n)];

describe('bookChecksum (OKX: best 25 levels, bid:ask interleaved, signed CRC-32)', () => {
  test('interleaves bid and ask levels as px:sz', () => {
    const book: BookLevels = {
      bids: [lvl('3366.1', '7'), lvl('3366', '6')],
      asks: [lvl('3366.8', '9'), lvl('3368', '8')],
    };
    assert.equal(bookChecksum(book), crc32ByHand('3366.1:7:3366.8:9:3366:6:3368:8'));
  });

  test('a shorter side stops contributing; the other goes on alone', () => {
    const book: BookLevels = {
      bids: [lvl('3366.1', '7')],
      asks: [lvl('3366.8', '9'), lvl('3368', '8'), lvl('3372', '8')],
    };
    assert.equal(bookChecksum(book), crc32ByHand('3366.1:7:3366.8:9:3368:8:3372:8'));
  });

  test('only the best 25 levels of each side count', () => {
    const side = (base: number, step: number) =>
      Array.from({ length: 30 }, (_, i) => lvl(String(base + i * step), '1'));
    const book: BookLevels = { bids: side(100, -1), asks: side(200, 1) };
    const expected = Array.from({ length: 25 }, (_, i) => `${100 - i}:1:${200 + i}:1`).join(':');
    assert.equal(bookChecksum(book), crc32ByHand(expected));
    const changedBeyond = { ...book, asks: book.asks.map((l, i) => (i === 27 ? lvl(l[0], '5') : l)) };
    assert.equal(bookChecksum(changedBeyond), bookChecksum(book));
  });

  test('is a signed 32-bit integer (negative values occur)', () => {
    const values = Array.from({ length: 50 }, (_, i) => bookChecksum({ bids: [lvl(String(i), '1')], asks: [] }));
    assert.ok(values.some((v) => v < 0));
    assert.ok(values.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31));
  });

  test('an empty book', () => {
    assert.equal(bookChecksum({ bids: [], asks: [] }), crc32ByHand(''));
  });
});

describe('bookDelta', () => {
  const before: BookLevels = { bids: [lvl('99', '1'), lvl('98', '2')], asks: [lvl('101', '1'), lvl('102', '3', 2)] };

  test('null when nothing changed', () => {
    assert.equal(bookDelta(before, structuredClone(before)), null);
  });

  test('new and changed levels, removed levels with size 0', () => {
    const after: BookLevels = { bids: [lvl('99', '1.5'), lvl('97', '4')], asks: [lvl('101', '1'), lvl('102', '3', 3)] };
    const delta = bookDelta(before, after);
    assert.ok(delta !== null);
    assert.deepEqual(delta.bids, [lvl('99', '1.5'), lvl('97', '4'), ['98', '0', '0', '0']]);
    assert.deepEqual(delta.asks, [lvl('102', '3', 3)]);
  });

  test('applying the delta to the old state gives the new state (random books)', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const randomBook = (): BookLevels => {
      const prices = (lo: number) => [...new Set(Array.from({ length: 12 }, () => lo + Math.floor(rnd() * 20)))];
      return {
        bids: prices(80)
          .sort((a, b) => b - a)
          .map((p) => lvl(String(p), String(1 + Math.floor(rnd() * 3)))),
        asks: prices(101)
          .sort((a, b) => a - b)
          .map((p) => lvl(String(p), String(1 + Math.floor(rnd() * 3)))),
      };
    };
    let state = randomBook();
    for (let i = 0; i < 200; i++) {
      const next = randomBook();
      const delta = bookDelta(state, next);
      const applied = delta === null ? state : applyBookDelta(state, delta);
      assert.deepEqual(applied, next);
      assert.equal(bookChecksum(applied), bookChecksum(next));
      state = next;
    }
  });
});
