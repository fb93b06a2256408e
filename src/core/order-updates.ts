import Big from 'big.js';
import type { Fill } from './matching.js';
import type { Order } from './orders.js';

/** One push of OKX's `orders` channel: the order as it stood right after `fill` (null: no fill, e.g. placed or canceled). */
export interface OrderUpdate {
  order: Order;
  fill: Fill | null;
}

/**
 * The pushes one operation makes for one order, as OKX sends them: one per fill, each showing
 * the order right after that fill (accumulated size, quote amount and fee; partially filled until
 * the last), or a single push when the order changed without a fill. `order` is the order's state
 * after the operation; `fills` are the fills of this operation, oldest first (any order's: those
 * of other orders are ignored).
 */
export function orderUpdates(order: Order, fills: readonly Fill[]): OrderUpdate[] {
  const own = fills.filter((f) => f.ordId === order.ordId);
  if (own.length === 0) return [{ order, fill: null }];
  // Walk back from the final state to the state before this operation's fills.
  let accFillSz = new Big(order.accFillSz);
  let accFillQuote = new Big(order.accFillQuote);
  let fee = new Big(order.fee);
  for (const f of own) {
    accFillSz = accFillSz.minus(f.sz);
    accFillQuote = accFillQuote.minus(new Big(f.px).times(f.sz));
    fee = fee.minus(f.fee);
  }
  return own.map((f, i) => {
    accFillSz = accFillSz.plus(f.sz);
    accFillQuote = accFillQuote.plus(new Big(f.px).times(f.sz));
    fee = fee.plus(f.fee);
    const last = i === own.length - 1;
    return {
      order: last
        ? order
        : {
            ...order,
            accFillSz: accFillSz.toFixed(),
            accFillQuote: accFillQuote.toFixed(),
            fee: fee.toFixed(),
            state: 'partially_filled',
            uTime: f.ts,
          },
      fill: f,
    };
  });
}
