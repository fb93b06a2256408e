import { duplicateClOrdId } from '../../core/conflicts.js';
import { RuleError } from '../../core/errors.js';
import type { KeyEnv } from '../../core/key-rules.js';
import type { Fill } from '../../core/matching.js';
import { isOpen, type Order } from '../../core/orders.js';
import {
  type BookFillRow,
  type BookOrderRow,
  type BookVersionRow,
  type FillRow,
  fillRow,
  OPEN_ORDER,
  type OrderRow,
  orderRow,
  type StoredFillRow,
  toFill,
  toFillRecord,
  toLastFill,
  toOrder,
} from '../codecs/exchange.js';
import { fillsSql, ordersSql, SQLITE_DIALECT } from '../codecs/history-sql.js';
import type {
  BookBatch,
  BookChanges,
  BookVersion,
  ExchangeStore,
  FillQuery,
  FillRecord,
  LastFill,
  OrderChanges,
  OrderQuery,
  PublicTradeQuery,
} from '../exchange.js';
import { type Db, inTransaction, isUniqueViolation, prepare } from './connection.js';
import type { HeldBalances, HeldEntries, SqliteLedger } from './ledger.js';

/** One book's public trades around trade-id cursors (their stored position) and a time cursor. */
const publicTradeRow = (param: string) =>
  `(SELECT id FROM fills WHERE env = @env AND inst_id = @inst AND exec_type = 'T' AND trade_id = ${param})`;
const PUBLIC_PAGE = `SELECT * FROM fills WHERE env = @env AND inst_id = @inst AND exec_type = 'T'
  AND (@after IS NULL OR id < ${publicTradeRow('@after')}) AND (@before IS NULL OR id > ${publicTradeRow('@before')})
  AND (@afterTs IS NULL OR ts < @afterTs)`;

/** Books, orders and fills on SQLite: hand-written SQL, statements prepared once (the order path). */
export class SqliteExchange implements ExchangeStore {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly ledger: SqliteLedger,
  ) {
    this.stmt = {
      upsertOrder: db.prepare<BookOrderRow>(`INSERT INTO orders (ord_id, user_id, env, inst_id, cl_ord_id, tag, side,
        ord_type, px, sz, tgt_ccy, acc_fill_sz, acc_fill_quote, fee, fee_ccy, frozen, state, cancel_source, c_time,
        u_time, queued_at, book_seq)
        VALUES (@ord_id, @user_id, @env, @inst_id, @cl_ord_id, @tag, @side, @ord_type, @px, @sz, @tgt_ccy, @acc_fill_sz,
        @acc_fill_quote, @fee, @fee_ccy, @frozen, @state, @cancel_source, @c_time, @u_time, @queued_at, @book_seq)
        ON CONFLICT (ord_id) DO UPDATE SET px = excluded.px, sz = excluded.sz, acc_fill_sz = excluded.acc_fill_sz,
        acc_fill_quote = excluded.acc_fill_quote, fee = excluded.fee, frozen = excluded.frozen, state = excluded.state,
        cancel_source = excluded.cancel_source, u_time = excluded.u_time, queued_at = excluded.queued_at,
        book_seq = excluded.book_seq`),
      insertFill: db.prepare<BookFillRow>(`INSERT INTO fills (trade_id, ord_id, cl_ord_id, tag, user_id, env, inst_id,
        side, px, sz, fee, fee_ccy, exec_type, ts, book_seq) VALUES (@trade_id, @ord_id, @cl_ord_id, @tag, @user_id,
        @env, @inst_id, @side, @px, @sz, @fee, @fee_ccy, @exec_type, @ts, @book_seq)`),
      openOrders: prepare<OrderRow>(
        db,
        `SELECT * FROM orders WHERE ${OPEN_ORDER}
        ORDER BY queued_at, CAST(ord_id AS INTEGER)`,
      ),
      orderById: prepare<OrderRow>(db, 'SELECT * FROM orders WHERE ord_id = ? AND user_id = ? AND env = ?'),
      orderByClOrdId: prepare<OrderRow>(
        db,
        `SELECT * FROM orders WHERE cl_ord_id = ? AND user_id = ? AND env = ?
        ORDER BY c_time DESC, ord_id DESC LIMIT 1`,
      ),
      publicTrades: prepare<FillRow>(
        db,
        `SELECT * FROM fills WHERE env = ? AND inst_id = ? AND exec_type = 'T'
        ORDER BY id DESC LIMIT ?`,
      ),
      publicTradesById: prepare<FillRow>(db, `${PUBLIC_PAGE} ORDER BY id DESC LIMIT @limit`),
      publicTradesByTs: prepare<FillRow>(db, `${PUBLIC_PAGE} ORDER BY ts DESC, id DESC LIMIT @limit`),
      ensureBook: prepare(db, 'INSERT INTO books (env, inst_id, version) VALUES (?, ?, 0) ON CONFLICT DO NOTHING'),
      bumpBook: prepare(db, 'UPDATE books SET version = version + 1 WHERE env = ? AND inst_id = ? AND version = ?'),
      bookVersions: prepare<BookVersionRow>(db, 'SELECT env, inst_id, version FROM books ORDER BY env, inst_id'),
      bookVersion: prepare<{ version: number }>(db, 'SELECT version FROM books WHERE env = ? AND inst_id = ?'),
      clOrdIdOpen: prepare(
        db,
        `SELECT 1 FROM orders WHERE user_id = ? AND env = ? AND cl_ord_id = ? AND ${OPEN_ORDER} AND ord_id <> ?`,
      ),
      bookChanges: prepare<OrderRow>(
        db,
        `SELECT * FROM orders WHERE env = ? AND inst_id = ? AND book_seq > ?
        AND book_seq <= ? ORDER BY queued_at, CAST(ord_id AS INTEGER)`,
      ),
      bookFills: prepare<FillRow>(
        db,
        `SELECT * FROM fills WHERE env = ? AND inst_id = ? AND book_seq > ?
        AND book_seq <= ? ORDER BY id`,
      ),
    };
  }

  async runBookOperation<T>(
    book: BookVersion,
    at: number,
    compute: (since: BookChanges) => Promise<{ change: OrderChanges; result: T }>,
  ): Promise<T> {
    // A transaction cannot stay open across `compute` (other requests share this connection), so
    // the book's version is checked at commit instead: another process that wrote the book in
    // between makes this one catch up and compute again. Within one process operations on a
    // book already take turns (TradingService), so that happens only across processes.
    for (let from = book.version; ; ) {
      const since = await this.bookChangesSince(book.env, book.instId, from);
      const { change, result } = await compute(since);
      if (this.storeBookChange(change, at, book, since.version)) return result;
      from = since.version;
    }
  }

  async runBookBatch(book: BookVersion, batch: BookBatch): Promise<void> {
    // BEGIN IMMEDIATE holds the write lock from the version read to the commit, so no other
    // process writes the book in between and the batch runs once; every callback is synchronous.
    inTransaction(this.db, () => {
      const version = this.stmt.bookVersion.get(book.env, book.instId)?.version ?? 0;
      batch.catchUp(this.changesBetween(book.env, book.instId, book.version, version));
      this.stmt.ensureBook.run(book.env, book.instId);
      if (this.stmt.bumpBook.run(book.env, book.instId, version).changes !== 1) throw new Error('book version moved');
      // Balances read once and written once for the whole batch (the entries are inserted per step).
      const held: HeldBalances = new Map();
      for (let step = batch.next(); step !== null; step = batch.next()) {
        batch.settled(this.storeStep(step.change, step.at, version + 1, held));
      }
      this.ledger.writeHeld(held);
    });
  }

  /**
   * One step of a batch, or why it is refused (51008, 51016) with nothing of it written. Both are
   * checked before the first write, so a step needs no savepoint (one costs about as much as the
   * step's own rows: SQLite copies every page the step touches into a statement journal); a
   * failure after that is a fault, and the whole batch rolls back.
   */
  private storeStep(change: OrderChanges, at: number, seq: number, held: HeldBalances): RuleError | null {
    let entries: HeldEntries;
    try {
      entries = this.ledger.heldAfter(change.entries, at, held);
    } catch (err) {
      if (err instanceof RuleError) return err;
      throw err;
    }
    if (this.clOrdIdTaken(change.orders)) return duplicateClOrdId();
    this.ledger.insertHeld(entries);
    this.writeOrders(change, seq);
    for (const [id, b] of entries.balances) held.set(id, b);
    return null;
  }

  /** Another open order of the account has the clOrdId of one of these orders that stays open (the unique index would refuse it). */
  private clOrdIdTaken(orders: readonly Order[]): boolean {
    return orders.some(
      (o) =>
        o.clOrdId !== '' && isOpen(o) && this.stmt.clOrdIdOpen.get(o.userId, o.env, o.clOrdId, o.ordId) !== undefined,
    );
  }

  /**
   * One transaction: the book's version from `version` to `version + 1`, then the change; false if
   * the version moved.
   */
  private storeBookChange(change: OrderChanges, at: number, book: BookVersion, version: number): boolean {
    try {
      return inTransaction(this.db, () => {
        this.stmt.ensureBook.run(book.env, book.instId);
        if (this.stmt.bumpBook.run(book.env, book.instId, version).changes !== 1) return false;
        this.writeChange(change, at, version + 1);
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'cl_ord_id')) throw duplicateClOrdId();
      throw err;
    }
  }

  /** Inside a transaction: the ledger entries, the orders and the fills of one change, at book version `seq`. */
  private writeChange(change: OrderChanges, at: number, seq: number): void {
    this.ledger.applyNow(change.entries, at);
    this.writeOrders(change, seq);
  }

  private writeOrders(change: OrderChanges, seq: number): void {
    for (const o of change.orders) this.stmt.upsertOrder.run(orderRow(o, seq));
    for (const f of change.fills) this.stmt.insertFill.run(fillRow(f, seq));
  }

  async bookVersions(): Promise<BookVersion[]> {
    return this.stmt.bookVersions.all().map((r) => ({ env: r.env, instId: r.inst_id, version: r.version }));
  }

  async bookChangesSince(env: KeyEnv, instId: string, version: number): Promise<BookChanges> {
    return this.changesBetween(env, instId, version, this.stmt.bookVersion.get(env, instId)?.version ?? 0);
  }

  private changesBetween(env: KeyEnv, instId: string, version: number, current: number): BookChanges {
    if (current === version) return { version, orders: [], fills: [] };
    const orders = this.stmt.bookChanges.all(env, instId, version, current).map(toOrder);
    const fills = this.stmt.bookFills.all(env, instId, version, current).map(toFill);
    return { version: current, orders, fills };
  }

  async openOrders(): Promise<Order[]> {
    return this.stmt.openOrders.all().map(toOrder);
  }

  async findOrder(userId: number, env: KeyEnv, ref: { ordId?: string; clOrdId?: string }): Promise<Order | null> {
    const row =
      ref.ordId !== undefined && ref.ordId !== ''
        ? this.stmt.orderById.get(ref.ordId, userId, env)
        : this.stmt.orderByClOrdId.get(ref.clOrdId ?? '', userId, env);
    return row === undefined ? null : toOrder(row);
  }

  async listOrders(userId: number, env: KeyEnv, q: OrderQuery): Promise<Order[]> {
    const { text, params } = ordersSql(SQLITE_DIALECT, userId, env, q);
    return prepare<OrderRow>(this.db, text)
      .all(...params)
      .map(toOrder);
  }

  async listFills(userId: number, env: KeyEnv, q: FillQuery): Promise<FillRecord[]> {
    const { text, params } = fillsSql(SQLITE_DIALECT, userId, env, q);
    return prepare<StoredFillRow>(this.db, text)
      .all(...params)
      .map(toFillRecord);
  }

  async lastFills(ordIds: readonly string[]): Promise<Map<string, LastFill>> {
    if (ordIds.length === 0) return new Map();
    const rows = prepare<FillRow>(
      this.db,
      `SELECT * FROM fills WHERE id IN (SELECT MAX(id) FROM fills
      WHERE ord_id IN (SELECT value FROM json_each(?)) GROUP BY ord_id)`,
    ).all(JSON.stringify(ordIds));
    return new Map(rows.map((r) => [r.ord_id, toLastFill(r)]));
  }

  async listPublicTrades(env: KeyEnv, instId: string, limit: number): Promise<Fill[]> {
    return this.stmt.publicTrades.all(env, instId, limit).map(toFill);
  }

  async publicTradeHistory(env: KeyEnv, instId: string, q: PublicTradeQuery): Promise<Fill[]> {
    const after = q.after !== undefined && 'tradeId' in q.after ? q.after.tradeId : null;
    const afterTs = q.after !== undefined && 'ts' in q.after ? q.after.ts : null;
    const before = q.before?.tradeId ?? null;
    const stmt = afterTs === null ? this.stmt.publicTradesById : this.stmt.publicTradesByTs;
    return stmt.all({ env, inst: instId, after, before, afterTs, limit: q.limit }).map(toFill);
  }
}
