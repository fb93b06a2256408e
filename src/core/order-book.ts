import { Decimal } from './decimal.js';
import type { Order, Side } from './orders.js';

/** One resting order, linked to its neighbours in time priority within its price level. */
interface Resting {
  order: Order;
  level: Level;
  prev: Resting | undefined;
  next: Resting | undefined;
}

/** The orders resting at one price, in arrival order. */
interface Level {
  /** The price as a number, for ordering only (prices are tick multiples with few digits). */
  pxNum: number;
  head: Resting | undefined;
  tail: Resting | undefined;
}

/** One side of the book: its price levels best first, and the levels by price. */
class BookSide {
  readonly levels: Level[] = [];
  readonly byPx = new Map<number, Level>();
  count = 0;

  constructor(private readonly better: (a: number, b: number) => boolean) {}

  /** The level of a price, created in its place (binary search) when missing. */
  levelOf(pxNum: number): Level {
    const found = this.byPx.get(pxNum);
    if (found !== undefined) return found;
    const level: Level = { pxNum, head: undefined, tail: undefined };
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(pxNum, (this.levels[mid] as Level).pxNum)) hi = mid;
      else lo = mid + 1;
    }
    this.levels.splice(lo, 0, level);
    this.byPx.set(pxNum, level);
    return level;
  }

  dropLevel(level: Level): void {
    const at = this.levels.indexOf(level);
    if (at >= 0) this.levels.splice(at, 1);
    this.byPx.delete(level.pxNum);
  }
}

/**
 * The resting orders of one instrument: bids best (highest) first, asks best (lowest) first,
 * each price level in arrival order. Pure data: no I/O, no clock. Adding and removing an order
 * costs a map look-up and a link change; only a new or emptied price level moves others.
 */
export class OrderBook {
  private readonly bids = new BookSide((a, b) => a > b);
  private readonly asks = new BookSide((a, b) => a < b);
  private readonly byId = new Map<string, Resting>();

  constructor(readonly instId: string) {}

  get size(): number {
    return this.byId.size;
  }

  /** How many orders rest on one side. */
  sideSize(side: Side): number {
    return this.sideOf(side).count;
  }

  get(ordId: string): Order | undefined {
    return this.byId.get(ordId)?.order;
  }

  /** The resting orders on one side, best first. */
  *side(side: Side): Generator<Order> {
    for (const level of this.sideOf(side).levels) {
      for (let r = level.head; r !== undefined; r = r.next) yield r.order;
    }
  }

  best(side: Side): Order | undefined {
    return this.sideOf(side).levels[0]?.head?.order;
  }

  /** Adds an order behind every order at its price (an order already resting is moved there). */
  add(order: Order): void {
    if (this.byId.has(order.ordId)) this.remove(order.ordId);
    const side = this.sideOf(order.side);
    const level = side.levelOf(Number(order.px));
    const r: Resting = { order, level, prev: level.tail, next: undefined };
    if (level.tail === undefined) level.head = r;
    else level.tail.next = r;
    level.tail = r;
    side.count++;
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
    const side = this.sideOf(r.order.side);
    const level = r.level;
    if (r.prev === undefined) level.head = r.next;
    else r.prev.next = r.next;
    if (r.next === undefined) level.tail = r.prev;
    else r.next.prev = r.prev;
    if (level.head === undefined) side.dropLevel(level);
    side.count--;
    this.byId.delete(ordId);
    return r.order;
  }

  /** Aggregated price levels, best first: [price, size in base, order count]. */
  levels(side: Side, depth: number): Array<[string, string, number]> {
    const out: Array<[string, string, number]> = [];
    const sizes: Decimal[] = [];
    for (const o of this.side(side)) {
      const last = out[out.length - 1];
      if (last !== undefined && last[0] === o.px) {
        last[2]++;
        sizes[sizes.length - 1] = (sizes[sizes.length - 1] ?? Decimal.ZERO).plus(remainingSize(o));
      } else {
        if (out.length === depth) break;
        out.push([o.px, '0', 1]);
        sizes.push(remainingSize(o));
      }
    }
    return out.map((l, i) => [l[0], (sizes[i] ?? Decimal.ZERO).toString(), l[2]]);
  }

  private sideOf(side: Side): BookSide {
    return side === 'buy' ? this.bids : this.asks;
  }
}

/** Unfilled base size of a limit order, as a decimal. */
export function remainingSize(o: Order): Decimal {
  return Decimal.parse(o.sz).minus(Decimal.parse(o.accFillSz));
}

/** Unfilled base size of a limit order. */
export function remainingOf(o: Order): string {
  return remainingSize(o).toString();
}
