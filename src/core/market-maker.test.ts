import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import { ladderNeeds, quoteLadder, seededRandom, walkPrice } from './market-maker.js';
import { SPOT_INSTRUMENTS } from './markets.js';
import { isMultiple } from './orders.js';

test('the walk is seeded, stays on the tick and within the step', () => {
  for (const inst of SPOT_INSTRUMENTS) {
    const a = seededRandom(7);
    const b = seededRandom(7);
    let price = inst.instId === 'ETH-BTC' ? '0.05' : '100';
    for (let i = 0; i < 500; i++) {
      const next = walkPrice(price, inst, a);
      assert.equal(next, walkPrice(price, inst, b));
      assert.ok(isMultiple(new Big(next), inst.tickSz), `${next} on ${inst.tickSz}`);
      const change = new Big(next).minus(price).abs().div(price);
      assert.ok(change.lte(new Big('0.002').plus(new Big(inst.tickSz).div(price))), `${price} -> ${next}`);
      price = next;
    }
  }
});

test('the ladder: bids below and asks above the mid, on tick and lot, not crossing', () => {
  const inst = SPOT_INSTRUMENTS[0];
  assert.ok(inst !== undefined);
  const quotes = quoteLadder(inst, '60000', 3, '0.0005', '6000');
  assert.deepEqual(
    quotes.map((q) => [q.side, q.px, q.sz]),
    [
      ['buy', '59970', '0.1'],
      ['sell', '60030', '0.1'],
      ['buy', '59940', '0.1'],
      ['sell', '60060', '0.1'],
      ['buy', '59910', '0.1'],
      ['sell', '60090', '0.1'],
    ],
  );
  assert.deepEqual(ladderNeeds(quotes), { base: '0.3', quote: '17982' });
  // Tiny values still quote the minimum size.
  assert.ok(quoteLadder(inst, '60000', 1, '0.0005', '0.01').every((q) => q.sz === inst.minSz));
});
