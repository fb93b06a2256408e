import Big from 'big.js';
import type { AlgoOrder } from './algo-orders.js';

/** What a triggered algo places: the leg that fired ('tp', 'sl', or '' for trigger and trailing orders) and its price ('-1' market). */
export interface Firing {
  leg: 'tp' | 'sl' | '';
  ordPx: string;
}

/** The algo after seeing prices (a trailing stop's high-water mark may move), and what fires, if anything. */
export interface Evaluation {
  algo: AlgoOrder;
  fire: Firing | null;
  /** True when the algo's own state moved (trailing mark, a trigger order's reference price) without firing. */
  changed: boolean;
}

const big = (s: string | number) => new Big(s);

/**
 * A TP/SL leg fires when the price reaches its trigger (OKX: last price ≥ trigger for a sell's
 * TP and a buy's SL, ≤ for a sell's SL and a buy's TP). When both legs would fire on one price
 * (a gap through both) the stop-loss wins.
 */
function legs(a: AlgoOrder, px: Big): Firing | null {
  const up = (t: string) => t !== '' && px.gte(t);
  const down = (t: string) => t !== '' && px.lte(t);
  const sl = a.side === 'sell' ? down(a.slTriggerPx) : up(a.slTriggerPx);
  if (sl) return { leg: 'sl', ordPx: a.slOrdPx };
  const tp = a.side === 'sell' ? up(a.tpTriggerPx) : down(a.tpTriggerPx);
  if (tp) return { leg: 'tp', ordPx: a.tpOrdPx };
  return null;
}

/**
 * A trigger order fires when the price reaches its trigger from the side it was on when placed
 * (the last price then); placed before any trade, the first price seen sets that side.
 */
function trigger(a: AlgoOrder, px: Big): Evaluation {
  if (a.last === '') {
    const fire = px.eq(a.triggerPx) ? { leg: '' as const, ordPx: a.orderPx } : null;
    return { algo: { ...a, last: px.toFixed() }, fire, changed: true };
  }
  const rising = big(a.last).lte(a.triggerPx);
  const hit = rising ? px.gte(a.triggerPx) : px.lte(a.triggerPx);
  return { algo: a, fire: hit ? { leg: '', ordPx: a.orderPx } : null, changed: false };
}

/** Where a trailing stop fires given its best price: below it for a sell, above it for a buy. */
export function trailingTrigger(a: AlgoOrder, extreme: string): string {
  const e = big(extreme);
  const sell = a.side === 'sell';
  if (a.callbackRatio !== '') {
    const f = sell ? big(1).minus(a.callbackRatio) : big(1).plus(a.callbackRatio);
    return e.times(f).toFixed();
  }
  return (sell ? e.minus(a.callbackSpread) : e.plus(a.callbackSpread)).toFixed();
}

/**
 * A trailing stop (move_order_stop): inactive until the price reaches `activePx` (upward for a
 * sell, downward for a buy; with no activePx it is active from the first price), then it follows
 * the best price (highest for a sell, lowest for a buy) and fires when the price comes back by the
 * callback ratio or spread.
 */
function trailing(a: AlgoOrder, px: Big): Evaluation {
  const sell = a.side === 'sell';
  if (a.extremePx === '') {
    const reached = a.activePx === '' || (sell ? px.gte(a.activePx) : px.lte(a.activePx));
    if (!reached) return { algo: a, fire: null, changed: false };
    const extremePx = px.toFixed();
    return { algo: { ...a, extremePx, moveTriggerPx: trailingTrigger(a, extremePx) }, fire: null, changed: true };
  }
  const better = sell ? px.gt(a.extremePx) : px.lt(a.extremePx);
  if (better) {
    const extremePx = px.toFixed();
    return { algo: { ...a, extremePx, moveTriggerPx: trailingTrigger(a, extremePx) }, fire: null, changed: true };
  }
  const hit = sell ? px.lte(a.moveTriggerPx) : px.gte(a.moveTriggerPx);
  return { algo: a, fire: hit ? { leg: '', ordPx: '-1' } : null, changed: false };
}

/** Evaluates a live algo against one trade price. Pure. */
export function evaluateAlgo(a: AlgoOrder, price: string): Evaluation {
  const px = big(price);
  if (a.state !== 'live') return { algo: a, fire: null, changed: false };
  if (a.ordType === 'trigger') return trigger(a, px);
  if (a.ordType === 'move_order_stop') return trailing(a, px);
  return { algo: a, fire: legs(a, px), changed: false };
}

/** Evaluates a live algo against trade prices in the order they traded; stops at the first that fires. */
export function evaluateAlgoPrices(a: AlgoOrder, prices: readonly string[]): Evaluation {
  let algo = a;
  let changed = false;
  for (const p of prices) {
    const e = evaluateAlgo(algo, p);
    algo = e.algo;
    changed ||= e.changed;
    if (e.fire !== null) return { algo, fire: e.fire, changed };
  }
  return { algo, fire: null, changed };
}
