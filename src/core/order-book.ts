import Big from 'big.js';
import type { Order, Side } from './orders.js';

interface Resting {
  order: Order;
  /** The price as a number, for ordering only (prices are tick multiples with few digits). */
  pxNum: number;
  /** Arrival sequence: time priority within a price. */
  seq: number;
}

/**
 * The resting orders of one instrument: bids best (highest) first, asks best (lowest) first,
 * each price level in arrival order. Pure data: no I/O, no clock.
 */
export class OrderBook {
  private readonly bids: Resting[] = [];
  private readonly asks: Resting[] = [];
  private readonly byId = new Map<string, Resting>();
  private seq = 0;

  constructor(readonly instId: string) {}

  get size(): number {
    return this.byId.size;
  }

  /** How many orders rest on one side. */
  sideSize(side: Side): number {
    return (side === 'buy' ? this.bids : this.asks).length;
  }

  get(ordId: string): Order | undefined {
    return this.byId.get(ordId)?.order;
  }

  /** The resting orders on one side, best first. */
  *side(side: Side): Generator<Order> {
    for (const r of side === 'buy' ? this.bids : this.asks) yield r.order;
  }

  best(side: Side): Order | undefined {
    return (side === 'buy' ? this.bids : this.asks)[0]?.order;
  }

  /** Adds an order behind every order at its price (an order already resting is moved there). */
  add(order: Order): void {
    if (this.byId.has(order.ordId)) this.remove(order.ordId);
    const list = order.side === 'buy' ? this.bids : this.asks;
    const r: Resting = { order, pxNum: Number(order.px), seq: ++this.seq };
    const before = order.side === 'buy' ? (x: Resting) => x.pxNum < r.pxNum : (x: Resting) => x.pxNum > r.pxNum;
    // Binary search for the first resting order r goes before.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(list[mid] as Resting)) hi = mid;
      else lo = mid + 1;
    }
    list.splice(lo, 0, r);
    this.byId.set(order.ordId, r);
  }

  /** Updates a resting order without losing its place (fills), or removes it when it no longer rests. */
  update(order: Order, stillResting: boolean): void {
    const r = this.byId.get(order.ordId);
    if (r === undefined) return;
    if (stillResting) r.order = order;
    else this.remove(order.ordId);
  }

  remove(ordId: string): Order | undefined {
    const r = this.byId.get(ordId);
    if (r === undefined) return undefined;
    const list = r.order.side === 'buy' ? this.bids : this.asks;
    const at = list.indexOf(r);
    if (at >= 0) list.splice(at, 1);
    this.byId.delete(ordId);
    return r.order;
  }

  /** Aggregated price levels, best first: [price, size in base, order count]. */
  levels(side: Side, depth: number): Array<[string, string, number]> {
    const out: Array<[string, string, number]> = [];
    const sizes: string[][] = [];
    for (const r of side === 'buy' ? this.bids : this.asks) {
      const last = out[out.length - 1];
      if (last !== undefined && last[0] === r.order.px) {
        last[2]++;
        sizes[sizes.length - 1]?.push(remainingOf(r.order));
      } else {
        if (out.length === depth) break;
        out.push([r.order.px, '0', 1]);
        sizes.push([remainingOf(r.order)]);
      }
    }
    return out.map((l, i) => [l[0], sumDecimals(sizes[i] ?? []), l[2]]);
  }
}

/** Unfilled base size of a limit order. */
export function remainingOf(o: Order): string {
  return new Big(o.sz).minus(o.accFillSz).toFixed();
}

function sumDecimals(values: readonly string[]): string {
  return values.reduce((s, v) => s.plus(v), new Big(0)).toFixed();
}
