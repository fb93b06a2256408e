import { Decimal } from './decimal.js';
import { RuleError } from './errors.js';
import type { KeyEnv } from './key-rules.js';
import { type LedgerEntry, MAX_DECIMALS, TRADING } from './ledger.js';
import type { SpotInstrument } from './markets.js';
import { type OrderBook, remainingSize } from './order-book.js';
import { checkBaseSize, checkPrice, copyOrder, isOpen, type Order, parsePositive } from './orders.js';

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

const ZERO = Decimal.ZERO;
const dec = Decimal.parse;

function entry(
  o: Pick<Order, 'userId' | 'env'>,
  ccy: string,
  availDelta: string,
  frozenDelta: string,
  kind: string,
  ref: string,
): LedgerEntry {
  return {
    userId: o.userId,
    env: o.env,
    account: TRADING,
    ccy,
    availDelta,
    frozenDelta,
    kind,
    ref,
  };
}

/** Releases what an order still holds frozen (cancel, expiry of an ioc remainder): a new copy. */
function release(o: Order, inst: SpotInstrument, kind: string, out: LedgerEntry[]): Order {
  const frozen = dec(o.frozen);
  if (frozen.sign() > 0) {
    // Spelled anew, not copied: a stored row may spell the same value otherwise.
    const text = frozen.toString();
    out.push(entry(o, o.side === 'buy' ? inst.quoteCcy : inst.baseCcy, text, `-${text}`, kind, o.ordId));
  }
  const released = copyOrder(o);
  released.frozen = '0';
  return released;
}

/** Marks a fresh copy canceled (`source`, at `now`) and returns it. */
function markCanceled(c: Order, source: string, now: number): Order {
  c.state = 'canceled';
  c.cancelSource = source;
  c.uTime = now;
  return c;
}

/** The order canceled, releasing what it held frozen. */
const releaseAndCancel = (o: Order, inst: SpotInstrument, source: string, now: number, out: LedgerEntry[]): Order =>
  markCanceled(release(o, inst, 'order_release', out), source, now);

/** Freezes what a limit order needs for its unfilled size: quote for a buy, base for a sell. */
function freeze(o: Order, inst: SpotInstrument, out: LedgerEntry[]): Order {
  const remaining = remainingSize(o);
  const amount = o.side === 'buy' ? remaining.times(dec(o.px)) : remaining;
  if (amount.isZero()) return o;
  const text = amount.toString();
  out.push(entry(o, o.side === 'buy' ? inst.quoteCcy : inst.baseCcy, `-${text}`, text, 'order_freeze', o.ordId));
  const frozen = copyOrder(o);
  frozen.frozen = o.frozen === '0' ? text : dec(o.frozen).plus(amount).toString();
  return frozen;
}

const crosses = (taker: Order, maker: Order): boolean =>
  taker.px === '' || (taker.side === 'buy' ? dec(maker.px).lte(dec(taker.px)) : dec(maker.px).gte(dec(taker.px)));

/** One trade's figures, computed and spelled once for both of its sides. */
interface Trade {
  tradeId: string;
  px: string;
  /** Base size, and its spelling. */
  q: Decimal;
  qText: string;
  /** Price × size in the quote currency, and its spelling. */
  quote: Decimal;
  quoteText: string;
  now: number;
}

/** The ledger entries of one trade, and the two orders after it. */
function settle(
  taker: Order,
  maker: Order,
  px: string,
  q: Decimal,
  inst: SpotInstrument,
  fees: FeeRates,
  tradeId: string,
  now: number,
  out: MatchOutcome,
): { taker: Order; maker: Order } {
  const quote = q.times(dec(px));
  const trade: Trade = { tradeId, px, q, qText: q.toString(), quote, quoteText: quote.toString(), now };
  return {
    taker: settleSide(taker, 'T', trade, inst, fees, out),
    maker: settleSide(maker, 'M', trade, inst, fees, out),
  };
}

/** One side of a trade: its entries and fill, and the order after it. */
function settleSide(
  o: Order,
  role: 'T' | 'M',
  t: Trade,
  inst: SpotInstrument,
  fees: FeeRates,
  out: MatchOutcome,
): Order {
  const buy = o.side === 'buy';
  const received = buy ? t.q : t.quote;
  const receivedText = buy ? t.qText : t.quoteText;
  const fee = received.times(dec(role === 'T' ? fees.taker : fees.maker)).roundDown(MAX_DECIMALS);
  const feeText = fee.toString();
  const recvCcy = buy ? inst.baseCcy : inst.quoteCcy;
  const payCcy = buy ? inst.quoteCcy : inst.baseCcy;
  let frozen = dec(o.frozen);
  if (o.px === '') {
    out.entries.push(entry(o, payCcy, `-${buy ? t.quoteText : t.qText}`, '0', 'trade', t.tradeId));
  } else if (buy) {
    // A buy froze its own limit price per unit: the fill consumes that and refunds any price improvement.
    const atOwnPx = o.px === t.px;
    const held = atOwnPx ? t.quote : t.q.times(dec(o.px));
    frozen = frozen.minus(held);
    const refund = atOwnPx ? '0' : held.minus(t.quote).toString();
    out.entries.push(entry(o, payCcy, refund, `-${atOwnPx ? t.quoteText : held.toString()}`, 'trade', t.tradeId));
  } else {
    frozen = frozen.minus(t.q);
    out.entries.push(entry(o, payCcy, '0', `-${t.qText}`, 'trade', t.tradeId));
  }
  out.entries.push(entry(o, recvCcy, receivedText, '0', 'trade', t.tradeId));
  if (feeText !== '0') out.entries.push(entry(o, recvCcy, `-${feeText}`, '0', 'fee', t.tradeId));
  const fill: Fill = {
    tradeId: t.tradeId,
    instId: o.instId,
    ordId: o.ordId,
    clOrdId: o.clOrdId,
    tag: o.tag,
    userId: o.userId,
    env: o.env,
    side: o.side,
    px: t.px,
    sz: t.qText,
    fee: feeText === '0' ? '0' : `-${feeText}`,
    feeCcy: recvCcy,
    execType: role,
    ts: t.now,
  };
  out.fills.push(fill);
  const accFillSz = dec(o.accFillSz).plus(t.q);
  const after = copyOrder(o);
  after.accFillSz = o.accFillSz === '0' ? t.qText : accFillSz.toString();
  after.accFillQuote = o.accFillQuote === '0' ? t.quoteText : dec(o.accFillQuote).plus(t.quote).toString();
  after.fee = o.fee === '0' ? fill.fee : dec(o.fee).minus(fee).toString();
  after.frozen = frozen.toString();
  after.state = o.tgtCcy !== 'quote_ccy' && accFillSz.eq(dec(o.sz)) ? 'filled' : 'partially_filled';
  after.uTime = t.now;
  return after;
}

/** Base size a fok order could fill now, ignoring the owner's own orders. */
function fillableSize(book: OrderBook, taker: Order): Decimal {
  let total = ZERO;
  for (const maker of book.side(taker.side === 'buy' ? 'sell' : 'buy')) {
    if (!crosses(taker, maker)) break;
    if (maker.userId !== taker.userId) total = total.plus(remainingSize(maker));
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
    out.orders.push(markCanceled(copyOrder(order), 'post_only', now));
    return out;
  }
  if (order.ordType === 'fok' && fillableSize(book, order).lt(remainingSize(order))) {
    out.orders.push(markCanceled(copyOrder(order), 'fok', now));
    return out;
  }
  let taker = order.px === '' ? order : freeze(order, inst, out.entries);
  const buy = order.side === 'buy';
  const limit = order.px === '' ? undefined : dec(order.px);
  const byQuote = order.tgtCcy === 'quote_ccy';
  // What is left to fill: the base size, or for a quote-sized market order the quote budget.
  let takerLeft = byQuote ? dec(order.sz) : remainingSize(order);
  let budgetLeft = true;
  for (const resting of book.side(buy ? 'sell' : 'buy')) {
    const makerPx = dec(resting.px);
    if (limit !== undefined && (buy ? makerPx.gt(limit) : makerPx.lt(limit))) break;
    if (resting.userId === taker.userId) {
      makers.push(releaseAndCancel(resting, inst, 'self_trade', now, out.entries));
      continue;
    }
    const makerLeft = remainingSize(resting);
    let q: Decimal;
    if (byQuote) {
      // Whole lots only: the remaining quote budget buys lots of lotSz at this price.
      const lotSz = dec(inst.lotSz);
      const lots = takerLeft.divideToInteger(makerPx.times(lotSz)).times(lotSz);
      q = lots.gt(makerLeft) ? makerLeft : lots;
      if (q.isZero()) {
        budgetLeft = false;
        break;
      }
    } else {
      q = takerLeft.lt(makerLeft) ? takerLeft : makerLeft;
    }
    const traded = settle(taker, resting, resting.px, q, inst, fees, nextTradeId(), now, out);
    taker = traded.taker;
    makers.push(traded.maker);
    takerLeft = takerLeft.minus(byQuote ? q.times(makerPx) : q);
    if (taker.state === 'filled') break;
    if (byQuote && takerLeft.lt(makerPx.times(dec(inst.lotSz)))) {
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
    const filled = !budgetLeft && dec(taker.accFillSz).sign() > 0;
    const done = copyOrder(taker);
    done.state = filled ? 'filled' : 'canceled';
    done.cancelSource = filled ? '' : 'market';
    done.uTime = now;
    return done;
  }
  if (taker.ordType === 'limit' || taker.ordType === 'post_only') return taker;
  const source = taker.ordType === 'market' ? 'market' : taker.ordType;
  return releaseAndCancel(taker, inst, source, now, entries);
}

/** Cancels a resting order and releases what it holds frozen. */
export function cancelOrder(order: Order, inst: SpotInstrument, source: string, now: number): MatchOutcome {
  const out: MatchOutcome = { orders: [], fills: [], entries: [] };
  out.orders.push(releaseAndCancel(order, inst, source, now, out.entries));
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
  const sz = change.newSz === undefined ? dec(order.sz) : parsePositive(change.newSz, 'newSz');
  if (change.newSz !== undefined) {
    checkBaseSize(sz, inst, 'newSz');
    if (sz.lte(dec(order.accFillSz))) {
      throw new RuleError('51000', `newSz: must be greater than the filled size ${order.accFillSz}`, 'newSz');
    }
  }
  const px = change.newPx === undefined ? dec(order.px) : parsePositive(change.newPx, 'newPx');
  if (change.newPx !== undefined) checkPrice(px, inst, 'newPx');
  const entries: LedgerEntry[] = [];
  const released = release(order, inst, 'order_release', entries);
  const amended: Order = { ...released, sz: sz.toString(), px: px.toString(), uTime: now };
  if (px.eq(dec(order.px)) && sz.lte(dec(order.sz))) {
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
      if (resting !== undefined) book.remove(o.ordId);
    } else if (
      resting !== undefined &&
      resting.px === o.px &&
      (resting.sz === o.sz || dec(o.sz).lte(dec(resting.sz)))
    ) {
      book.update(o, true);
    } else {
      // Moves an order already resting to the back of its (new) price's queue.
      book.add(o);
    }
  }
}
