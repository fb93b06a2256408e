import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import { SPOT_INSTRUMENTS, type SpotInstrument } from '../core/markets.js';
import { amendOrder, applyOutcome, cancelOrder, matchOrder, type Amendment, type FeeRates, type Fill, type MatchOutcome } from '../core/matching.js';
import { OrderBook } from '../core/order-book.js';
import { isOpen, newOrderRecord, validateOrder, type Order, type OrderRequest } from '../core/orders.js';
import type { FillQuery, OrderQuery, Store } from '../store/store.js';
import type { LedgerService } from './ledger-service.js';

export const INSTRUMENTS: ReadonlyMap<string, SpotInstrument> = new Map(SPOT_INSTRUMENTS.map((i) => [i.instId, i]));

/** Which order: by ordId, or by clOrdId when no ordId is given. */
export interface OrderRef {
  instId?: unknown;
  ordId?: unknown;
  clOrdId?: unknown;
}

/** Ids that only grow, resuming after the largest stored one and led by the clock (Unix ms × 1000). */
class IdSequence {
  constructor(private last: bigint) {}
  next(now: number): string {
    const floor = BigInt(now) * 1000n;
    this.last = this.last + 1n > floor ? this.last + 1n : floor;
    return this.last.toString();
  }
}

/**
 * The paper exchange: one order book per environment and instrument, fed by orders of every
 * account. Operations run one at a time; each one's effects (orders, fills, ledger entries) are
 * stored in one transaction before the book changes, so a refused or failed write leaves the
 * book as it was. Open orders are reloaded into the books at start-up.
 */
export class TradingService {
  private readonly books = new Map<string, OrderBook>();
  private queue: Promise<unknown> = Promise.resolve();
  private orderIds = new IdSequence(0n);
  private tradeIds = new IdSequence(0n);
  private readonly fillListeners: Array<(env: KeyEnv, fills: readonly Fill[]) => void> = [];

  constructor(private readonly store: Store, private readonly ledger: LedgerService, private readonly fees: FeeRates) {}

  async start(): Promise<void> {
    const ids = await this.store.latestTradingIds();
    this.orderIds = new IdSequence(BigInt(ids.ordId));
    this.tradeIds = new IdSequence(BigInt(ids.tradeId));
    for (const o of await this.store.openOrders()) this.book(o.env, o.instId).add(o);
  }

  /** The book of one instrument in one environment (created empty on first use). */
  book(env: KeyEnv, instId: string): OrderBook {
    const id = `${env}:${instId}`;
    let book = this.books.get(id);
    if (book === undefined) {
      book = new OrderBook(instId);
      this.books.set(id, book);
    }
    return book;
  }

  /** Called with every batch of fills once stored (market data). */
  onFills(listener: (env: KeyEnv, fills: readonly Fill[]) => void): void {
    this.fillListeners.push(listener);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async commit(env: KeyEnv, book: OrderBook, outcome: MatchOutcome, now: number): Promise<void> {
    try {
      await this.store.recordOrderChanges(outcome, now);
    } finally {
      const users = new Set(outcome.entries.map((e) => e.userId));
      for (const u of users) this.ledger.invalidate(u, env);
    }
    applyOutcome(book, outcome);
    if (outcome.fills.length > 0) for (const l of this.fillListeners) l(env, outcome.fills);
  }

  /** Places an order; answers the order as stored (possibly already filled or canceled). */
  async place(userId: number, env: KeyEnv, req: OrderRequest, now: number): Promise<Order> {
    const valid = validateOrder(req, INSTRUMENTS);
    return this.serial(async () => {
      const order = newOrderRecord(valid, this.orderIds.next(now), userId, env, now);
      const book = this.book(env, valid.inst.instId);
      const outcome = matchOrder(book, order, valid.inst, this.fees, () => this.tradeIds.next(now), now);
      await this.commit(env, book, outcome, now);
      return outcome.orders[0] ?? order;
    });
  }

  /** Finds an open order of the account in its book, or throws `code` (51400 cancel, 51503 amend). */
  private async openOrder(userId: number, env: KeyEnv, ref: OrderRef, code: '51400' | '51503'): Promise<{ order: Order; book: OrderBook; inst: SpotInstrument }> {
    const instId = typeof ref.instId === 'string' ? ref.instId : '';
    const inst = INSTRUMENTS.get(instId);
    if (inst === undefined) throw new RuleError('51001', `instId: "${instId}" is not a listed spot instrument`, 'instId');
    const ordId = typeof ref.ordId === 'string' ? ref.ordId : '';
    const clOrdId = typeof ref.clOrdId === 'string' ? ref.clOrdId : '';
    if (ordId === '' && clOrdId === '') throw new RuleError('50014', 'ordId: give ordId or clOrdId', 'ordId');
    const stored = await this.store.findOrder(userId, env, ordId !== '' ? { ordId } : { clOrdId });
    const book = this.book(env, instId);
    const order = stored === null ? undefined : book.get(stored.ordId);
    if (stored === null || order === undefined || order.userId !== userId) {
      const why = stored === null ? 'does not exist' : isOpen(stored) ? `is not on ${instId}` : `is already ${stored.state}`;
      throw new RuleError(code, `ordId: the order ${ordId || clOrdId} ${why}`, 'ordId');
    }
    return { order, book, inst };
  }

  cancel(userId: number, env: KeyEnv, ref: OrderRef, now: number): Promise<Order> {
    return this.serial(async () => {
      const { order, book, inst } = await this.openOrder(userId, env, ref, '51400');
      const outcome = cancelOrder(order, inst, 'user', now);
      await this.commit(env, book, outcome, now);
      return outcome.orders[0] ?? order;
    });
  }

  amend(userId: number, env: KeyEnv, ref: OrderRef, change: Amendment, now: number): Promise<Order> {
    return this.serial(async () => {
      const { order, book, inst } = await this.openOrder(userId, env, ref, '51503');
      const outcome = amendOrder(book, order, change, inst, this.fees, () => this.tradeIds.next(now), now);
      await this.commit(env, book, outcome, now);
      return outcome.orders[0] ?? order;
    });
  }

  findOrder(userId: number, env: KeyEnv, ref: { ordId?: string; clOrdId?: string }): Promise<Order | null> {
    return this.store.findOrder(userId, env, ref);
  }

  listOrders(userId: number, env: KeyEnv, q: OrderQuery): Promise<Order[]> {
    return this.store.listOrders(userId, env, q);
  }

  listFills(userId: number, env: KeyEnv, q: FillQuery): Promise<Fill[]> {
    return this.store.listFills(userId, env, q);
  }
}
