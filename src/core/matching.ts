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
  avail: Decimal,
  frozen: Decimal,
  kind: string,
  ref: string,
): LedgerEntry {
  return {
    userId: o.userId,
    env: o.env,
    account: TRADING,
    ccy,
    availDelta: avail.toString(),
    frozenDelta: frozen.toString(),
    kind,
    ref,
  };
}

/** Releases what an order still holds frozen (cancel, expiry of an ioc remainder): a new copy. */
function release(o: Order, inst: SpotInstrument, kind: string, out: LedgerEntry[]): Order {
  const frozen = dec(o.frozen);
  if (frozen.sign() > 0)
    out.push(entry(o, o.side === 'buy' ? inst.quoteCcy : inst.baseCcy, frozen, frozen.neg(), kind, o.ordId));
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
  out.push(entry(o, o.side === 'buy' ? inst.quoteCcy : inst.baseCcy, amount.neg(), amount, 'order_freeze', o.ordId));
  const frozen = copyOrder(o);
  frozen.frozen = dec(o.frozen).plus(amount).toString();
  return frozen;
}

const crosses = (taker: Order, maker: Order): boolean =>
  taker.px === '' || (taker.side === 'buy' ? dec(maker.px).lte(dec(taker.px)) : dec(maker.px).gte(dec(taker.px)));

const feeOf = (amount: Decimal, rate: string): Decimal => amount.times(dec(rate)).roundDown(MAX_DECIMALS);

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
  const next = (o: Order, role: 'T' | 'M'): Order => {
    const rate = role === 'T' ? fees.taker : fees.maker;
    const received = o.side === 'buy' ? q : quote;
    const fee = feeOf(received, rate);
    const recvCcy = o.side === 'buy' ? inst.baseCcy : inst.quoteCcy;
    const payCcy = o.side === 'buy' ? inst.quoteCcy : inst.baseCcy;
    let frozen = dec(o.frozen);
    if (o.px === '') {
      out.entries.push(entry(o, payCcy, (o.side === 'buy' ? quote : q).neg(), ZERO, 'trade', tradeId));
    } else if (o.side === 'buy') {
      // A buy froze its own limit price per unit: the fill consumes that and refunds any price improvement.
      const held = q.times(dec(o.px));
      frozen = frozen.minus(held);
      out.entries.push(entry(o, payCcy, held.minus(quote), held.neg(), 'trade', tradeId));
    } else {
      frozen = frozen.minus(q);
      out.entries.push(entry(o, payCcy, ZERO, q.neg(), 'trade', tradeId));
    }
    out.entries.push(entry(o, recvCcy, received, ZERO, 'trade', tradeId));
    if (fee.sign() > 0) out.entries.push(entry(o, recvCcy, fee.neg(), ZERO, 'fee', tradeId));
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
      sz: q.toString(),
      fee: fee.isZero() ? '0' : fee.neg().toString(),
      feeCcy: recvCcy,
      execType: role,
      ts: now,
    });
    const accFillSz = dec(o.accFillSz).plus(q);
    const done = o.tgtCcy === 'quote_ccy' ? false : accFillSz.eq(dec(o.sz));
    const after = copyOrder(o);
    after.accFillSz = accFillSz.toString();
    after.accFillQuote = dec(o.accFillQuote).plus(quote).toString();
    after.fee = dec(o.fee).minus(fee).toString();
    after.frozen = frozen.toString();
    after.state = done ? 'filled' : 'partially_filled';
    after.uTime = now;
    return after;
  };
  return { taker: next(taker, 'T'), maker: next(maker, 'M') };
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
  let spent = ZERO;
  let budgetLeft = true;
  for (const resting of book.side(order.side === 'buy' ? 'sell' : 'buy')) {
    if (!crosses(taker, resting)) break;
    if (resting.userId === taker.userId) {
      makers.push(releaseAndCancel(resting, inst, 'self_trade', now, out.entries));
      continue;
    }
    const makerLeft = remainingSize(resting);
    const makerPx = dec(resting.px);
    let q: Decimal;
    if (taker.tgtCcy === 'quote_ccy') {
      // Whole lots only: the remaining quote budget buys lots of lotSz at this price.
      const lotSz = dec(inst.lotSz);
      const lots = dec(taker.sz).minus(spent).divideToInteger(makerPx.times(lotSz)).times(lotSz);
      q = lots.gt(makerLeft) ? makerLeft : lots;
      if (q.isZero()) {
        budgetLeft = false;
        break;
      }
    } else {
      const takerLeft = dec(taker.sz).minus(dec(taker.accFillSz));
      q = takerLeft.lt(makerLeft) ? takerLeft : makerLeft;
    }
    const traded = settle(taker, resting, resting.px, q, inst, fees, nextTradeId(), now, out);
    taker = traded.taker;
    makers.push(traded.maker);
    spent = spent.plus(q.times(makerPx));
    if (taker.state === 'filled') break;
    if (
      taker.tgtCcy === 'quote_ccy' &&
      dec(taker.sz)
        .minus(spent)
        .lt(makerPx.times(dec(inst.lotSz)))
    ) {
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
      book.remove(o.ordId);
    } else if (resting !== undefined && resting.px === o.px && dec(o.sz).lte(dec(resting.sz))) {
      book.update(o, true);
    } else {
      book.remove(o.ordId);
      book.add(o);
    }
  }
}
