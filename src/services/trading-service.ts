import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import { requestedInstrument, SPOT_INSTRUMENTS, type SpotInstrument } from '../core/markets.js';
import {
  type Amendment,
  amendOrder,
  applyOutcome,
  cancelOrder,
  type FeeRates,
  type Fill,
  type MatchOutcome,
  matchOrder,
} from '../core/matching.js';
import { OrderBook } from '../core/order-book.js';
import { isOpen, newOrderRecord, type Order, type OrderRequest, validateOrder } from '../core/orders.js';
import type { BookChanges, ClusterStore, ExchangeStore, FillQuery, LastFill, OrderQuery } from '../store/store.js';
import { IdBlocks } from './id-blocks.js';
import type { LedgerService } from './ledger-service.js';
import { type PendingPlacement, PlacementBatch } from './placement-batch.js';
import { PlacementQueue } from './placement-queue.js';
import type { BookChange, OrderRef, PlaceOptions, RatedFill } from './trading-types.js';

export const INSTRUMENTS: ReadonlyMap<string, SpotInstrument> = new Map(SPOT_INSTRUMENTS.map((i) => [i.instId, i]));

export type { BookChange, OrderRef, PlaceOptions, RatedFill } from './trading-types.js';

/**
 * The paper exchange: one order book per environment and instrument, fed by orders of every
 * account. Operations run one at a time in this process; each one's effects (orders, fills,
 * ledger entries) are stored in one transaction before the book changes, so a refused or failed
 * write leaves the book as it was. Open orders are reloaded into the books at start-up.
 *
 * Several instances may share one database: each operation runs while holding its book in the
 * database (Store.runBookOperation), first catching the in-memory book up with the orders other
 * instances stored, then matching and storing, so the database decides the order of operations
 * on a book and nothing is filled twice. Order and trade ids come in blocks reserved in the
 * database, so they never collide across instances.
 */
export class TradingService {
  private readonly books = new Map<string, OrderBook>();
  /** The stored version each in-memory book reflects. */
  private readonly versions = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly placements = new PlacementQueue(
    (task) => this.serial(task),
    (items) => this.placeGroup(items),
  );
  /** Trade ids the next group commit reserves at least (more after an order had to wait for them). */
  private tradeIdsNeeded = 0;
  private readonly orderIds: IdBlocks;
  private readonly tradeIds: IdBlocks;
  private readonly fillListeners: Array<(env: KeyEnv, fills: readonly Fill[]) => void> = [];
  private readonly orderListeners: Array<(change: BookChange) => void> = [];
  /** Orders placed and fills (maker and taker sides) made by this instance since start (read by /metrics). */
  placedCount = 0;
  fillCount = 0;
  /** Group commits (store transactions placing orders) made by this instance since start. */
  groupCommitCount = 0;

  constructor(
    private readonly store: ExchangeStore & ClusterStore,
    private readonly ledger: LedgerService,
    private readonly fees: FeeRates,
  ) {
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
    this.applyChanges(
      env,
      instId,
      await this.store.bookChangesSince(env, instId, this.versions.get(`${env}:${instId}`) ?? 0),
    );
  }

  private applyChanges(env: KeyEnv, instId: string, changes: BookChanges): void {
    if (this.catchUpBook(env, instId, changes)) this.notifyCaughtUp(env, instId, changes);
  }

  /** Applies what other instances stored to the in-memory book; false when it had it already. */
  private catchUpBook(env: KeyEnv, instId: string, changes: BookChanges): boolean {
    const id = `${env}:${instId}`;
    if ((this.versions.get(id) ?? 0) >= changes.version) return false;
    applyOutcome(this.book(env, instId), { orders: changes.orders, fills: [], entries: [] });
    this.versions.set(id, changes.version);
    return true;
  }

  private notifyCaughtUp(env: KeyEnv, instId: string, changes: BookChanges): void {
    for (const u of new Set(changes.orders.map((o) => o.userId))) this.ledger.invalidate(u, env);
    // Trades made by other instances reach this one's market data (trades, candles, ticker).
    if (changes.fills.length > 0) for (const l of this.fillListeners) l(env, changes.fills);
    this.emitChange({ env, instId, orders: changes.orders, fills: changes.fills, local: false });
  }

  private emitChange(change: BookChange): void {
    if (change.orders.length === 0) return;
    for (const l of this.orderListeners) l(change);
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

  /**
   * Called after every change of a book is in the book: orders placed, filled, amended or
   * canceled by this instance, or by another one (caught up by `sync()` or before an operation).
   */
  onBookChange(listener: (change: BookChange) => void): void {
    this.orderListeners.push(listener);
  }

  /** Called with every batch of fills (taker and maker sides) once stored, by this instance or by another one (market data keeps the taker sides). */
  onFills(listener: (env: KeyEnv, fills: readonly Fill[]) => void): void {
    this.fillListeners.push(listener);
  }

  /** Runs `task` after every operation asked for before it (placements waiting for a group commit included). */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    this.placements.queue();
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs an operation on a book: holding the book in the database, catches up, computes the
   * outcome on the in-memory book and stores it; then applies it to the book. `compute` may throw
   * a RuleError (nothing is stored) and may run more than once.
   */
  private async operate(
    env: KeyEnv,
    instId: string,
    now: number,
    compute: (book: OrderBook) => Promise<MatchOutcome>,
  ): Promise<MatchOutcome> {
    const id = `${env}:${instId}`;
    const book = this.book(env, instId);
    let tried: MatchOutcome | null = null;
    let stored = 0;
    try {
      const outcome = await this.store.runBookOperation(
        { env, instId, version: this.versions.get(id) ?? 0 },
        now,
        async (since) => {
          this.applyChanges(env, instId, since);
          stored = since.version + 1;
          tried = await compute(book);
          return { change: tried, result: tried };
        },
      );
      this.versions.set(id, stored);
      applyOutcome(book, outcome);
      this.fillCount += outcome.fills.length;
      if (outcome.fills.length > 0) for (const l of this.fillListeners) l(env, outcome.fills);
      this.emitChange({ env, instId, orders: outcome.orders, fills: outcome.fills, local: true });
      return outcome;
    } finally {
      const entries = (tried as MatchOutcome | null)?.entries ?? [];
      for (const u of new Set(entries.map((e) => e.userId))) this.ledger.invalidate(u, env);
    }
  }

  /** Makes sure enough trade ids are at hand for an order of `side` to match: one per fill, at most one per order resting on the other side. */
  private tradeIdsFor(book: OrderBook, side: Order['side'], now: number): Promise<void> {
    return this.tradeIds.ensure(book.sideSize(side === 'buy' ? 'sell' : 'buy') + 1, now);
  }

  /**
   * Places an order; answers the order as stored (possibly already filled or canceled). With
   * `opts.ordId` (reserved by the caller: algo orders) the order is placed at most once: if an
   * order with that id is already stored, nothing happens and that order is answered; and
   * `opts.entries` are stored in the same transaction, before the order's own.
   */
  async place(userId: number, env: KeyEnv, req: OrderRequest, now: number, opts: PlaceOptions = {}): Promise<Order> {
    const valid = validateOrder(req, INSTRUMENTS);
    if (opts.ordId === undefined && opts.entries === undefined) {
      return new Promise<Order>((resolve, reject) => {
        this.placements.add({ userId, env, valid, now, resolve, reject });
      });
    }
    return this.serial(async () => {
      let ordId = opts.ordId;
      if (ordId === undefined) {
        await this.orderIds.ensure(1, now);
        ordId = this.orderIds.take();
      }
      const order = newOrderRecord(valid, ordId, userId, env, now);
      let existing: Order | null = null;
      const outcome = await this.operate(env, valid.inst.instId, now, async (book) => {
        // Checked while holding the book: another instance placing the same order has stored it, or not.
        existing = opts.ordId === undefined ? null : await this.store.findOrder(userId, env, { ordId: order.ordId });
        if (existing !== null) return { orders: [], fills: [], entries: [] };
        await this.tradeIdsFor(book, order.side, now);
        const matched = matchOrder(book, order, valid.inst, this.fees, () => this.tradeIds.take(), now);
        return opts.entries === undefined ? matched : { ...matched, entries: [...opts.entries, ...matched.entries] };
      });
      if (existing === null) this.placedCount++;
      return outcome.orders[0] ?? existing ?? order;
    });
  }

  /**
   * One group commit on one book: each order matched on the book as the orders stored before it
   * left it; each caller answered once the transaction has committed (or its order was refused).
   */
  private async placeGroup(items: readonly PendingPlacement[]): Promise<void> {
    const first = items[0];
    if (first === undefined) return;
    const { env } = first;
    const { instId } = first.valid.inst;
    const id = `${env}:${instId}`;
    const now = Math.max(...items.map((i) => i.now));
    await this.orderIds.ensure(items.length, now);
    // Enough for every order to fill against one resting order and one of this batch; an order
    // that would need more waits for the next batch, which reserves what it needs.
    const budget = Math.max(this.tradeIdsNeeded, 2 * items.length + 1);
    await this.tradeIds.ensure(budget, now);
    let caughtUp: BookChanges | null = null;
    let stored = 0;
    const batch = new PlacementBatch(items, {
      book: this.book(env, instId),
      fees: this.fees,
      catchUp: (since) => {
        // Listeners hear of it after the transaction (they must not write inside it).
        if (this.catchUpBook(env, instId, since)) caughtUp = since;
        stored = since.version + 1;
      },
      orderId: () => this.orderIds.take(),
      tradeId: () => this.tradeIds.take(),
      tradeIdBudget: budget,
    });
    try {
      await this.store.runBookBatch({ env, instId, version: this.versions.get(id) ?? 0 }, batch);
    } catch (err) {
      // Outcomes applied to the book were not committed: the book is read again as stored.
      if (batch.placed.length > 0) await this.reload(env, instId);
      throw err;
    } finally {
      if (caughtUp !== null) this.notifyCaughtUp(env, instId, caughtUp);
      const users = new Set(batch.computed.flatMap((c) => c.entries.map((e) => e.userId)));
      for (const u of users) this.ledger.invalidate(u, env);
    }
    this.versions.set(id, stored);
    this.groupCommitCount++;
    this.tradeIdsNeeded = batch.tradeIdsNeeded;
    // The fills of the whole batch at once (market data, algo triggers: one evaluation per batch).
    const fills = batch.placed.flatMap((p) => p.outcome.fills);
    this.placedCount += batch.placed.length;
    this.fillCount += fills.length;
    if (fills.length > 0) for (const l of this.fillListeners) l(env, fills);
    for (const { outcome } of batch.placed) {
      this.emitChange({ env, instId, orders: outcome.orders, fills: outcome.fills, local: true });
    }
    for (const { item, outcome } of batch.placed) {
      const order = outcome.orders[0];
      if (order === undefined) item.reject(new Error('placement produced no order'));
      else item.resolve(order);
    }
    for (const { item, error } of batch.refused) item.reject(error);
    if (batch.deferred.length > 0) {
      this.placements.retry(batch.deferred);
    }
  }

  /** After a failed group commit: the book as stored, and its version. */
  private async reload(env: KeyEnv, instId: string): Promise<void> {
    const id = `${env}:${instId}`;
    const version = (await this.store.bookVersions()).find((b) => b.env === env && b.instId === instId)?.version ?? 0;
    const book = new OrderBook(instId);
    for (const o of await this.store.openOrders()) if (o.env === env && o.instId === instId) book.add(o);
    this.books.set(id, book);
    this.versions.set(id, version);
  }

  /** The instrument of a cancel or amend request (instIdCode or instId), or 51001. */
  private instrument(ref: OrderRef): SpotInstrument {
    return requestedInstrument(ref, INSTRUMENTS);
  }

  /** Finds an open order of the account in its book, or throws `code` (51400 cancel, 51503 amend). */
  private async openOrder(
    userId: number,
    env: KeyEnv,
    book: OrderBook,
    ref: OrderRef,
    code: '51400' | '51503',
  ): Promise<Order> {
    const ordId = typeof ref.ordId === 'string' ? ref.ordId : '';
    const clOrdId = typeof ref.clOrdId === 'string' ? ref.clOrdId : '';
    if (ordId === '' && clOrdId === '') throw new RuleError('50014', 'ordId: give ordId or clOrdId', 'ordId');
    const stored = await this.store.findOrder(userId, env, ordId !== '' ? { ordId } : { clOrdId });
    const order = stored === null ? undefined : book.get(stored.ordId);
    if (stored === null || order === undefined || order.userId !== userId) {
      const why =
        stored === null ? 'does not exist' : isOpen(stored) ? `is not on ${book.instId}` : `is already ${stored.state}`;
      throw new RuleError(code, `ordId: the order ${ordId || clOrdId} ${why}`, 'ordId');
    }
    return order;
  }

  async cancel(userId: number, env: KeyEnv, ref: OrderRef, now: number): Promise<Order> {
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

  async amend(userId: number, env: KeyEnv, ref: OrderRef, change: Amendment, now: number): Promise<Order> {
    const inst = this.instrument(ref);
    return this.serial(async () => {
      let order: Order | undefined;
      const outcome = await this.operate(env, inst.instId, now, async (book) => {
        order = await this.openOrder(userId, env, book, ref, '51503');
        await this.tradeIdsFor(book, order.side, now);
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

  /** The newest fill of each of these orders (OKX's fillPx, fillSz, fillTime, tradeId of an order). */
  lastFills(ordIds: readonly string[]): Promise<Map<string, LastFill>> {
    return this.store.lastFills(ordIds);
  }

  /** An account's fills, newest first, each with its bill id and the fee rate it paid (OKX's feeRate: negative, a charge). */
  async listFills(userId: number, env: KeyEnv, q: FillQuery): Promise<RatedFill[]> {
    const fills = await this.store.listFills(userId, env, q);
    return fills.map((f) => {
      const rate = f.execType === 'T' ? this.fees.taker : this.fees.maker;
      return { ...f, feeRate: Number(rate) === 0 ? '0' : `-${rate}` };
    });
  }
}
