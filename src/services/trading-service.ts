import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import { SPOT_INSTRUMENTS, type SpotInstrument } from '../core/markets.js';
import { amendOrder, applyOutcome, cancelOrder, matchOrder, type Amendment, type FeeRates, type Fill, type MatchOutcome } from '../core/matching.js';
import { OrderBook } from '../core/order-book.js';
import { isOpen, newOrderRecord, validateOrder, type Order, type OrderRequest } from '../core/orders.js';
import { BookConflictError, type FillQuery, type OrderQuery, type Store } from '../store/store.js';
import { IdBlocks } from './id-blocks.js';
import type { LedgerService } from './ledger-service.js';

export const INSTRUMENTS: ReadonlyMap<string, SpotInstrument> = new Map(SPOT_INSTRUMENTS.map((i) => [i.instId, i]));

/** Which order: by ordId, or by clOrdId when no ordId is given. */
export interface OrderRef {
  instId?: unknown;
  ordId?: unknown;
  clOrdId?: unknown;
}

/** How many times an operation is computed again after other instances wrote its book first. */
const MAX_ATTEMPTS = 50;

/**
 * The paper exchange: one order book per environment and instrument, fed by orders of every
 * account. Operations run one at a time in this process; each one's effects (orders, fills,
 * ledger entries) are stored in one transaction before the book changes, so a refused or failed
 * write leaves the book as it was. Open orders are reloaded into the books at start-up.
 *
 * Several instances may share one database: each change is stored only if the book's version
 * is still the one it was computed on (the database decides, see Store.recordOrderChanges);
 * otherwise the book catches up with the orders other instances wrote and the operation is
 * computed again. Order and trade ids come in blocks reserved in the database, so they never
 * collide across instances.
 */
export class TradingService {
  private readonly books = new Map<string, OrderBook>();
  /** The stored version each in-memory book reflects. */
  private readonly versions = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly orderIds: IdBlocks;
  private readonly tradeIds: IdBlocks;
  private readonly fillListeners: Array<(env: KeyEnv, fills: readonly Fill[]) => void> = [];

  constructor(private readonly store: Store, private readonly ledger: LedgerService, private readonly fees: FeeRates) {
    // Unix ms × 1000: ids led by the clock, like OKX's.
    this.orderIds = new IdBlocks(store, 'order', 1000, (now) => BigInt(now) * 1000n);
    this.tradeIds = new IdBlocks(store, 'trade', 1000, (now) => BigInt(now) * 1000n);
  }

  async start(): Promise<void> {
    // Versions first: orders written in between are replayed by the next catch-up (idempotent).
    for (const b of await this.store.bookVersions()) this.versions.set(`${b.env}:${b.instId}`, b.version);
    for (const o of await this.store.openOrders()) this.book(o.env, o.instId).add(o);
  }

  /** Brings every book that another instance wrote up to date (run every SIGNET_BOOK_SYNC_MS). */
  sync(): Promise<number> {
    return this.serial(async () => {
      let caughtUp = 0;
      for (const b of await this.store.bookVersions()) {
        if ((this.versions.get(`${b.env}:${b.instId}`) ?? 0) < b.version) {
          await this.catchUp(b.env, b.instId);
          caughtUp++;
        }
      }
      return caughtUp;
    });
  }

  /** Applies the orders of one book that other instances stored since this book's version. */
  private async catchUp(env: KeyEnv, instId: string): Promise<void> {
    const id = `${env}:${instId}`;
    const changes = await this.store.bookChangesSince(env, instId, this.versions.get(id) ?? 0);
    const users = new Set<number>();
    for (const o of changes.orders) users.add(o.userId);
    applyOutcome(this.book(env, instId), { orders: changes.orders, fills: [], entries: [] });
    this.versions.set(id, changes.version);
    for (const u of users) this.ledger.invalidate(u, env);
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

  /**
   * Computes an operation on a book and stores it; when another instance wrote the book first,
   * catches up and computes it again. `compute` may throw a RuleError (nothing is stored).
   */
  private async operate(env: KeyEnv, instId: string, now: number, compute: (book: OrderBook) => Promise<MatchOutcome>): Promise<MatchOutcome> {
    const id = `${env}:${instId}`;
    for (let attempt = 1; ; attempt++) {
      const book = this.book(env, instId);
      // Each fill of a match takes one trade id, at most one per resting order.
      await this.tradeIds.ensure(book.size + 1, now);
      const outcome = await compute(book);
      const version = this.versions.get(id) ?? 0;
      try {
        await this.store.recordOrderChanges(outcome, now, { env, instId, version });
      } catch (err) {
        if (err instanceof BookConflictError && attempt < MAX_ATTEMPTS) {
          await this.catchUp(env, instId);
          continue;
        }
        throw err;
      } finally {
        const users = new Set(outcome.entries.map((e) => e.userId));
        for (const u of users) this.ledger.invalidate(u, env);
      }
      this.versions.set(id, version + 1);
      applyOutcome(book, outcome);
      if (outcome.fills.length > 0) for (const l of this.fillListeners) l(env, outcome.fills);
      return outcome;
    }
  }

  /** Places an order; answers the order as stored (possibly already filled or canceled). */
  async place(userId: number, env: KeyEnv, req: OrderRequest, now: number): Promise<Order> {
    const valid = validateOrder(req, INSTRUMENTS);
    return this.serial(async () => {
      await this.orderIds.ensure(1, now);
      const order = newOrderRecord(valid, this.orderIds.take(), userId, env, now);
      const outcome = await this.operate(env, valid.inst.instId, now,
        async (book) => matchOrder(book, order, valid.inst, this.fees, () => this.tradeIds.take(), now));
      return outcome.orders[0] ?? order;
    });
  }

  /** The instrument of a cancel or amend request, or 51001. */
  private instrument(ref: OrderRef): SpotInstrument {
    const instId = typeof ref.instId === 'string' ? ref.instId : '';
    const inst = INSTRUMENTS.get(instId);
    if (inst === undefined) throw new RuleError('51001', `instId: "${instId}" is not a listed spot instrument`, 'instId');
    return inst;
  }

  /** Finds an open order of the account in its book, or throws `code` (51400 cancel, 51503 amend). */
  private async openOrder(userId: number, env: KeyEnv, book: OrderBook, ref: OrderRef, code: '51400' | '51503'): Promise<Order> {
    const ordId = typeof ref.ordId === 'string' ? ref.ordId : '';
    const clOrdId = typeof ref.clOrdId === 'string' ? ref.clOrdId : '';
    if (ordId === '' && clOrdId === '') throw new RuleError('50014', 'ordId: give ordId or clOrdId', 'ordId');
    const stored = await this.store.findOrder(userId, env, ordId !== '' ? { ordId } : { clOrdId });
    const order = stored === null ? undefined : book.get(stored.ordId);
    if (stored === null || order === undefined || order.userId !== userId) {
      const why = stored === null ? 'does not exist' : isOpen(stored) ? `is not on ${book.instId}` : `is already ${stored.state}`;
      throw new RuleError(code, `ordId: the order ${ordId || clOrdId} ${why}`, 'ordId');
    }
    return order;
  }

  cancel(userId: number, env: KeyEnv, ref: OrderRef, now: number): Promise<Order> {
    const inst = this.instrument(ref);
    return this.serial(async () => {
      let order: Order | undefined;
      const outcome = await this.operate(env, inst.instId, now, async (book) => {
        order = await this.openOrder(userId, env, book, ref, '51400');
        return cancelOrder(order, inst, 'user', now);
      });
      const result = outcome.orders[0] ?? order;
      if (result === undefined) throw new Error('cancel produced no order');
      return result;
    });
  }

  amend(userId: number, env: KeyEnv, ref: OrderRef, change: Amendment, now: number): Promise<Order> {
    const inst = this.instrument(ref);
    return this.serial(async () => {
      let order: Order | undefined;
      const outcome = await this.operate(env, inst.instId, now, async (book) => {
        order = await this.openOrder(userId, env, book, ref, '51503');
        return amendOrder(book, order, change, inst, this.fees, () => this.tradeIds.take(), now);
      });
      const result = outcome.orders[0] ?? order;
      if (result === undefined) throw new Error('amend produced no order');
      return result;
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
