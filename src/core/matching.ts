import Big from 'big.js';
import { RuleError } from './errors.js';
import type { KeyEnv } from './key-rules.js';
import { type LedgerEntry, MAX_DECIMALS, TRADING } from './ledger.js';
import type { SpotInstrument } from './markets.js';
import { type OrderBook, remainingOf } from './order-book.js';
import { checkBaseSize, checkPrice, isOpen, type Order, positiveDecimal } from './orders.js';

/** Fee rates as fractions of the amount received, e.g. maker '0.0008', taker '0.001'. */
export interface FeeRates {
  maker: string;
  taker: string;
}

/** One side of one trade, as OKX's /trade/fills reports it. */
export interface Fill {
  tradeId: string;
  instId: string;
  ordId: string;
  clOrdId: string;
  tag: string;
  userId: number;
  env: KeyEnv;
  side: 'buy' | 'sell';
  px: string;
  sz: string;
  /** Charged fee, zero or negative as OKX spells it. */
  fee: string;
  feeCcy: string;
  /** T taker, M maker. */
  execType: 'T' | 'M';
  /** Unix ms. */
  ts: number;
}

/**
 * Everything one order operation changes: the orders in their new state (the taker, if any,
 * first), the fills, and the ledger entries that move the funds. Computed without touching the
 * book; `applyOutcome` puts it into the book once it has been stored.
 */
export interface MatchOutcome {
  orders: Order[];
  fills: Fill[];
  entries: LedgerEntry[];
}

const big = (s: string | number) => new Big(s);

function entry(
  o: Pick<Order, 'userId' | 'env'>,
  ccy: string,
  avail: Big,
  frozen: Big,
  kind: string,
  ref: string,
): LedgerEntry {
  return {
    userId: o.userId,
    env: o.env,
    account: TRADING,
    ccy,
    availDelta: avail.toFixed(),
    frozenDelta: frozen.toFixed(),
    kind,
    ref,
  };
}

/** Releases what an order still holds frozen (cancel, expiry of an ioc remainder). */
function release(o: Order, inst: SpotInstrument, kind: string, out: LedgerEntry[]): Order {
  const frozen = big(o.frozen);
  if (frozen.gt(0))
    out.push(entry(o, o.side === 'buy' ? inst.quoteCcy : inst.baseCcy, frozen, frozen.neg(), kind, o.ordId));
  return { ...o, frozen: '0' };
}

/** Freezes what a limit order needs for its unfilled size: quote for a buy, base for a sell. */
function freeze(o: Order, inst: SpotInstrument, out: LedgerEntry[]): Order {
  const remaining = big(remainingOf(o));
  const amount = o.side === 'buy' ? remaining.times(o.px) : remaining;
  if (amount.eq(0)) return o;
  out.push(entry(o, o.side === 'buy' ? inst.quoteCcy : inst.baseCcy, amount.neg(), amount, 'order_freeze', o.ordId));
  return { ...o, frozen: big(o.frozen).plus(amount).toFixed() };
}

const crosses = (taker: Order, maker: Order): boolean =>
  taker.px === '' || (taker.side === 'buy' ? big(maker.px).lte(taker.px) : big(maker.px).gte(taker.px));

const feeOf = (amount: Big, rate: string): Big => amount.times(rate).round(MAX_DECIMALS, Big.roundDown);

/** The ledger entries of one trade, and the two orders after it. */
function settle(
  taker: Order,
  maker: Order,
  px: string,
  q: Big,
  inst: SpotInstrument,
  fees: FeeRates,
  tradeId: string,
  now: number,
  out: MatchOutcome,
): { taker: Order; maker: Order } {
  const quote = q.times(px);
  const next = (o: Order, role: 'T' | 'M'): Order => {
    const rate = role === 'T' ? fees.taker : fees.maker;
    const received = o.side === 'buy' ? q : quote;
    const fee = feeOf(received, rate);
    const recvCcy = o.side === 'buy' ? inst.baseCcy : inst.quoteCcy;
    const payCcy = o.side === 'buy' ? inst.quoteCcy : inst.baseCcy;
    let frozen = big(o.frozen);
    if (o.px === '') {
      out.entries.push(entry(o, payCcy, (o.side === 'buy' ? quote : q).neg(), big(0), 'trade', tradeId));
    } else if (o.side === 'buy') {
      // A buy froze its own limit price per unit: the fill consumes that and refunds any price improvement.
      const held = q.times(o.px);
      frozen = frozen.minus(held);
      out.entries.push(entry(o, payCcy, held.minus(quote), held.neg(), 'trade', tradeId));
    } else {
      frozen = frozen.minus(q);
      out.entries.push(entry(o, payCcy, big(0), q.neg(), 'trade', tradeId));
    }
    out.entries.push(entry(o, recvCcy, received, big(0), 'trade', tradeId));
    if (fee.gt(0)) out.entries.push(entry(o, recvCcy, fee.neg(), big(0), 'fee', tradeId));
    out.fills.push({
      tradeId,
      instId: o.instId,
      ordId: o.ordId,
      clOrdId: o.clOrdId,
      tag: o.tag,
      userId: o.userId,
      env: o.env,
      side: o.side,
      px,
      sz: q.toFixed(),
      fee: fee.eq(0) ? '0' : fee.neg().toFixed(),
      feeCcy: recvCcy,
      execType: role,
      ts: now,
    });
    const accFillSz = big(o.accFillSz).plus(q);
    const done = o.tgtCcy === 'quote_ccy' ? false : accFillSz.eq(o.sz);
    return {
      ...o,
      accFillSz: accFillSz.toFixed(),
      accFillQuote: big(o.accFillQuote).plus(quote).toFixed(),
      fee: big(o.fee).minus(fee).toFixed(),
      frozen: frozen.toFixed(),
      state: done ? 'filled' : 'partially_filled',
      uTime: now,
    };
  };
  return { taker: next(taker, 'T'), maker: next(maker, 'M') };
}

/** Base size a fok order could fill now, ignoring the owner's own orders. */
function fillableSize(book: OrderBook, taker: Order): Big {
  let total = big(0);
  for (const maker of book.side(taker.side === 'buy' ? 'sell' : 'buy')) {
    if (!crosses(taker, maker)) break;
    if (maker.userId !== taker.userId) total = total.plus(remainingOf(maker));
  }
  return total;
}

/**
 * Matches an order (new, or re-priced by an amendment) against the book with price-time
 * priority. Limit-type orders first freeze what they need; a maker of the same account is
 * canceled instead of traded with (self-trade prevention, OKX's cancel_maker); post_only
 * orders that would take are canceled, fok orders that cannot fill completely are canceled
 * whole, ioc and market remainders are canceled. Pure: the book is only read.
 */
export function matchOrder(
  book: OrderBook,
  order: Order,
  inst: SpotInstrument,
  fees: FeeRates,
  nextTradeId: () => string,
  now: number,
): MatchOutcome {
  const out: MatchOutcome = { orders: [], fills: [], entries: [] };
  const makers: Order[] = [];
  const opposite = book.best(order.side === 'buy' ? 'sell' : 'buy');
  if (order.ordType === 'post_only' && opposite !== undefined && crosses(order, opposite)) {
    out.orders.push({ ...order, state: 'canceled', cancelSource: 'post_only', uTime: now });
    return out;
  }
  if (order.ordType === 'fok' && fillableSize(book, order).lt(remainingOf(order))) {
    out.orders.push({ ...order, state: 'canceled', cancelSource: 'fok', uTime: now });
    return out;
  }
  let taker = order.px === '' ? order : freeze(order, inst, out.entries);
  let spent = big(0);
  let budgetLeft = true;
  for (const resting of book.side(order.side === 'buy' ? 'sell' : 'buy')) {
    if (!crosses(taker, resting)) break;
    if (resting.userId === taker.userId) {
      makers.push({
        ...release(resting, inst, 'order_release', out.entries),
        state: 'canceled',
        cancelSource: 'self_trade',
        uTime: now,
      });
      continue;
    }
    const makerLeft = big(remainingOf(resting));
    let q: Big;
    if (taker.tgtCcy === 'quote_ccy') {
      // Whole lots only: the remaining quote budget buys lots of lotSz at this price.
      const lots = big(taker.sz).minus(spent).div(resting.px).div(inst.lotSz).round(0, Big.roundDown).times(inst.lotSz);
      q = lots.gt(makerLeft) ? makerLeft : lots;
      if (q.eq(0)) {
        budgetLeft = false;
        break;
      }
    } else {
      const takerLeft = big(taker.sz).minus(taker.accFillSz);
      q = takerLeft.lt(makerLeft) ? takerLeft : makerLeft;
    }
    const traded = settle(taker, resting, resting.px, q, inst, fees, nextTradeId(), now, out);
    taker = traded.taker;
    makers.push(traded.maker);
    spent = spent.plus(q.times(resting.px));
    if (taker.state === 'filled') break;
    if (taker.tgtCcy === 'quote_ccy' && big(taker.sz).minus(spent).lt(big(resting.px).times(inst.lotSz))) {
      budgetLeft = false;
      break;
    }
  }
  taker = finish(taker, budgetLeft, inst, now, out.entries);
  out.orders.push(taker, ...makers);
  return out;
}

/** The taker's state once matching stops: it rests, is filled, or its remainder is canceled. */
function finish(taker: Order, budgetLeft: boolean, inst: SpotInstrument, now: number, entries: LedgerEntry[]): Order {
  if (taker.state === 'filled') return taker;
  if (taker.tgtCcy === 'quote_ccy') {
    // The budget ran out before the book did: as filled as a quote-sized order can be.
    const filled = !budgetLeft && big(taker.accFillSz).gt(0);
    return { ...taker, state: filled ? 'filled' : 'canceled', cancelSource: filled ? '' : 'market', uTime: now };
  }
  if (taker.ordType === 'limit' || taker.ordType === 'post_only') return taker;
  const source = taker.ordType === 'market' ? 'market' : taker.ordType;
  return { ...release(taker, inst, 'order_release', entries), state: 'canceled', cancelSource: source, uTime: now };
}

/** Cancels a resting order and releases what it holds frozen. */
export function cancelOrder(order: Order, inst: SpotInstrument, source: string, now: number): MatchOutcome {
  const out: MatchOutcome = { orders: [], fills: [], entries: [] };
  out.orders.push({
    ...release(order, inst, 'order_release', out.entries),
    state: 'canceled',
    cancelSource: source,
    uTime: now,
  });
  return out;
}

export interface Amendment {
  newSz?: string;
  newPx?: string;
}

/**
 * Amends a resting order: a smaller size at the same price keeps its place and releases the
 * difference; a new price (or a larger size) re-queues it behind the level and may trade at
 * once. The new size counts what was already filled and must exceed it (51000 otherwise).
 */
export function amendOrder(
  book: OrderBook,
  order: Order,
  change: Amendment,
  inst: SpotInstrument,
  fees: FeeRates,
  nextTradeId: () => string,
  now: number,
): MatchOutcome {
  if (change.newSz === undefined && change.newPx === undefined) {
    throw new RuleError('51000', 'newSz: give newSz or newPx (or both)', 'newSz');
  }
  const sz = change.newSz === undefined ? big(order.sz) : positiveDecimal(change.newSz, 'newSz');
  if (change.newSz !== undefined) {
    checkBaseSize(sz, inst, 'newSz');
    if (sz.lte(order.accFillSz)) {
      throw new RuleError('51000', `newSz: must be greater than the filled size ${order.accFillSz}`, 'newSz');
    }
  }
  const px = change.newPx === undefined ? big(order.px) : positiveDecimal(change.newPx, 'newPx');
  if (change.newPx !== undefined) checkPrice(px, inst, 'newPx');
  const entries: LedgerEntry[] = [];
  const released = release(order, inst, 'order_release', entries);
  const amended: Order = { ...released, sz: sz.toFixed(), px: px.toFixed(), uTime: now };
  if (px.eq(order.px) && sz.lte(order.sz)) {
    const refrozen = freeze(amended, inst, entries);
    return { orders: [refrozen], fills: [], entries };
  }
  const matched = matchOrder(book, { ...amended, queuedAt: now }, inst, fees, nextTradeId, now);
  return { ...matched, entries: [...entries, ...matched.entries] };
}

/**
 * Puts a stored outcome into the book: open orders rest, keeping their place when their price is
 * unchanged and their size did not grow (fills, a smaller amendment); others leave.
 */
export function applyOutcome(book: OrderBook, outcome: MatchOutcome): void {
  for (const o of outcome.orders) {
    const resting = book.get(o.ordId);
    if (!isOpen(o)) {
      book.remove(o.ordId);
    } else if (resting !== undefined && resting.px === o.px && big(o.sz).lte(resting.sz)) {
      book.update(o, true);
    } else {
      book.remove(o.ordId);
      book.add(o);
    }
  }
}
