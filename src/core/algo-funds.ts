import Big from 'big.js';
import type { AlgoOrder } from './algo-orders.js';
import { RuleError } from './errors.js';
import { type LedgerEntry, TRADING } from './ledger.js';
import type { SpotInstrument } from './markets.js';

/**
 * What a spot algo order holds frozen while it waits. OKX (help centre, "TP/SL" and "trigger
 * order" pages): a spot TP/SL (conditional, oco) and a trailing stop freeze the assets they will
 * sell or spend when placed; a trigger order freezes nothing and, if the funds are not there when
 * it triggers, ends `order_failed` with failCode 51008. The frozen amount is released when the
 * algo is canceled, and when it triggers (in the same transaction that stores its order, which
 * then freezes what it needs itself).
 *
 * A sell freezes its size in the base currency. A buy freezes quote currency: its size for a
 * market buy counted in quote currency, else size × the highest price it could place at (the
 * limit prices, or for a market leg its trigger price; a trailing buy its activation price or the
 * last price plus its callback). **signet:** that estimate is what OKX's UI shows as the
 * "estimated" cost; a market buy that costs more when it fires pays the rest from the available
 * balance or fails with 51008.
 */
export function algoHold(a: AlgoOrder, inst: SpotInstrument, last: string): { ccy: string; amount: string } {
  if (a.ordType === 'trigger') return { ccy: '', amount: '0' };
  if (a.side === 'sell') return { ccy: inst.baseCcy, amount: a.sz };
  if (a.tgtCcy === 'quote_ccy') return { ccy: inst.quoteCcy, amount: a.sz };
  return { ccy: inst.quoteCcy, amount: new Big(a.sz).times(highestPrice(a, last)).toFixed() };
}

function highestPrice(a: AlgoOrder, last: string): string {
  const prices: string[] = [];
  if (a.ordType === 'move_order_stop') {
    const base = a.activePx !== '' ? a.activePx : last;
    if (base === '')
      throw new RuleError('51000', 'activePx: a trailing buy needs activePx while the book has no trades', 'activePx');
    prices.push(
      a.callbackRatio !== ''
        ? new Big(base).times(new Big(1).plus(a.callbackRatio)).toFixed()
        : new Big(base).plus(a.callbackSpread).toFixed(),
    );
  }
  for (const [trig, ord] of [
    [a.tpTriggerPx, a.tpOrdPx],
    [a.slTriggerPx, a.slOrdPx],
    [a.triggerPx, a.orderPx],
  ] as const) {
    if (trig === '') continue;
    prices.push(ord === '-1' ? trig : ord);
  }
  return prices.reduce((m, p) => (new Big(p).gt(m) ? p : m), '0');
}

/** The ledger entry moving `amount` of `ccy` between available and frozen (positive: freeze). */
export function holdEntry(
  a: AlgoOrder,
  ccy: string,
  amount: string,
  kind: 'algo_freeze' | 'algo_release',
): LedgerEntry {
  const n = new Big(amount);
  const frozen = kind === 'algo_freeze' ? n : n.neg();
  return {
    userId: a.userId,
    env: a.env,
    account: TRADING,
    ccy,
    availDelta: frozen.neg().toFixed(),
    frozenDelta: frozen.toFixed(),
    kind,
    ref: a.algoId,
  };
}

/** Freezes what a new (or re-sized) algo needs: the algo with its hold, and the entry ([] when nothing). */
export function freezeAlgo(
  a: AlgoOrder,
  inst: SpotInstrument,
  last: string,
): { algo: AlgoOrder; entries: LedgerEntry[] } {
  const hold = algoHold(a, inst, last);
  if (new Big(hold.amount).eq(0)) return { algo: { ...a, frozen: '0', frozenCcy: '' }, entries: [] };
  return {
    algo: { ...a, frozen: hold.amount, frozenCcy: hold.ccy },
    entries: [holdEntry(a, hold.ccy, hold.amount, 'algo_freeze')],
  };
}

/** Releases everything the algo holds: the algo with nothing frozen, and the entry ([] when nothing). */
export function releaseAlgo(a: AlgoOrder): { algo: AlgoOrder; entries: LedgerEntry[] } {
  if (a.frozenCcy === '' || new Big(a.frozen).eq(0)) return { algo: { ...a, frozen: '0' }, entries: [] };
  return { algo: { ...a, frozen: '0' }, entries: [holdEntry(a, a.frozenCcy, a.frozen, 'algo_release')] };
}
