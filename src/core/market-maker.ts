import Big from 'big.js';
import type { SpotInstrument } from './markets.js';
import type { Side } from './orders.js';

/** One order the market maker wants resting. */
export interface Quote {
  side: Side;
  px: string;
  sz: string;
}

/** A small seeded generator (mulberry32): the same seed gives the same walk. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const roundTo = (value: Big, step: string, mode: Big.RoundingMode): Big => value.div(step).round(0, mode).times(step);

/**
 * One step of the reference price: a relative move of at most `maxStep` either way (0.002 =
 * 0.2 %), on the instrument's tick, never below 100 ticks.
 */
export function walkPrice(price: string, inst: SpotInstrument, random: () => number, maxStep = '0.002'): string {
  const move = new Big(Math.round((random() * 2 - 1) * 1e6)).div(1e6).times(maxStep);
  const next = roundTo(new Big(price).times(new Big(1).plus(move)), inst.tickSz, Big.roundHalfUp);
  const floor = new Big(inst.tickSz).times(100);
  return (next.lt(floor) ? floor : next).toFixed();
}

/**
 * The ladder quoted around `mid`: `levels` bids and asks, level i at mid × (1 ∓ i × spread),
 * bids rounded down and asks up to the tick, each worth about `levelValue` of quote currency
 * (at least the minimum size), on the lot.
 */
export function quoteLadder(
  inst: SpotInstrument,
  mid: string,
  levels: number,
  spread: string,
  levelValue: string,
): Quote[] {
  const m = new Big(mid);
  let sz = roundTo(new Big(levelValue).div(m), inst.lotSz, Big.roundDown);
  if (sz.lt(inst.minSz)) sz = new Big(inst.minSz);
  const quotes: Quote[] = [];
  for (let i = 1; i <= levels; i++) {
    const offset = new Big(spread).times(i);
    const bid = roundTo(m.times(new Big(1).minus(offset)), inst.tickSz, Big.roundDown);
    const ask = roundTo(m.times(new Big(1).plus(offset)), inst.tickSz, Big.roundUp);
    if (bid.gt(0)) quotes.push({ side: 'buy', px: bid.toFixed(), sz: sz.toFixed() });
    quotes.push({ side: 'sell', px: ask.toFixed(), sz: sz.toFixed() });
  }
  return quotes;
}

/** What a ladder holds frozen: base currency for the asks, quote currency for the bids. */
export function ladderNeeds(quotes: readonly Quote[]): { base: string; quote: string } {
  let base = new Big(0);
  let quote = new Big(0);
  for (const q of quotes) {
    if (q.side === 'sell') base = base.plus(q.sz);
    else quote = quote.plus(new Big(q.sz).times(q.px));
  }
  return { base: base.toFixed(), quote: quote.toFixed() };
}
