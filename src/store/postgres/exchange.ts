import type pg from 'pg';
import { duplicateClOrdId } from '../../core/conflicts.js';
import { RuleError } from '../../core/errors.js';
import type { KeyEnv } from '../../core/key-rules.js';
import type { Fill } from '../../core/matching.js';
import type { Order } from '../../core/orders.js';
import {
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
import { fillsSql, ordersSql, POSTGRES_DIALECT } from '../codecs/history-sql.js';
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
import { type Connection, changed, isUniqueViolation, one, rows, tx } from './connection.js';
import type { PostgresLedger } from './ledger.js';

const ORDER_COLUMNS = `ord_id, user_id, env, inst_id, cl_ord_id, tag, side, ord_type, px, sz, tgt_ccy, acc_fill_sz,
  acc_fill_quote, fee, fee_ccy, frozen, state, cancel_source, c_time, u_time, queued_at, book_seq`;
/** Orders given as one JSON array of rows (one round trip for all the orders of an operation). */
const UPSERT_ORDERS = `INSERT INTO orders (${ORDER_COLUMNS})
  SELECT ${ORDER_COLUMNS} FROM json_populate_recordset(null::orders, $1)
  ON CONFLICT (ord_id) DO UPDATE SET px = EXCLUDED.px, sz = EXCLUDED.sz, acc_fill_sz = EXCLUDED.acc_fill_sz,
  acc_fill_quote = EXCLUDED.acc_fill_quote, fee = EXCLUDED.fee, frozen = EXCLUDED.frozen, state = EXCLUDED.state,
  cancel_source = EXCLUDED.cancel_source, u_time = EXCLUDED.u_time, queued_at = EXCLUDED.queued_at,
  book_seq = EXCLUDED.book_seq`;

const FILL_COLUMNS = `trade_id, ord_id, cl_ord_id, tag, user_id, env, inst_id, side, px, sz, fee, fee_ccy, exec_type,
  ts, book_seq`;
const INSERT_FILLS = `INSERT INTO fills (${FILL_COLUMNS})
  SELECT ${FILL_COLUMNS} FROM json_populate_recordset(null::fills, $1)`;

const BOOK_ORDERS = `SELECT * FROM orders WHERE env = $1 AND inst_id = $2 AND book_seq > $3 AND book_seq <= $4
  ORDER BY queued_at, ord_id::numeric`;
const BOOK_FILLS = `SELECT * FROM fills WHERE env = $1 AND inst_id = $2 AND book_seq > $3 AND book_seq <= $4
  ORDER BY id`;

/** What a batch step refused for (a balance would go negative, a clOrdId in use), or null for a fault. */
function refusalOf(err: unknown): RuleError | null {
  if (err instanceof RuleError) return err;
  return isUniqueViolation(err, 'orders_open_cl_ord_id') ? duplicateClOrdId() : null;
}

/** Books, orders and fills on PostgreSQL: each book operation is one transaction under the book's row lock. */
export class PostgresExchange implements ExchangeStore {
  constructor(
    private readonly conn: Connection,
    private readonly ledger: PostgresLedger,
  ) {}

  async runBookOperation<T>(
    book: BookVersion,
    at: number,
    compute: (since: BookChanges) => Promise<{ change: OrderChanges; result: T }>,
  ): Promise<T> {
    let from = book.version;
    try {
      return await tx(this.conn.pool, async (c) => {
        // The book's row lock, taken by bumping its version: operations on one book take turns
        // across every instance until commit.
        const version = await this.lockBook(c, book);
        const { change, result } = await compute(await this.changesBetween(c, book, from, version));
        // If this transaction is run again (deadlock), `compute` has seen everything up to here.
        from = version;
        await this.writeChange(c, change, at, version + 1);
        return result;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'orders_open_cl_ord_id')) throw duplicateClOrdId();
      throw err;
    }
  }

  async runBookBatch(book: BookVersion, batch: BookBatch): Promise<void> {
    // Not `tx`: a batch changes the caller's book step by step, so it must not be run again.
    const c = await this.conn.pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      const version = await this.lockBook(c, book);
      batch.catchUp(await this.changesBetween(c, book, book.version, version));
      for (let step = batch.next(); step !== null; step = batch.next()) {
        await c.query('SAVEPOINT step');
        let refusal: RuleError | null = null;
        try {
          await this.writeChange(c, step.change, step.at, version + 1);
          await c.query('RELEASE SAVEPOINT step');
        } catch (err) {
          refusal = refusalOf(err);
          if (refusal === null) throw err;
          await c.query('ROLLBACK TO SAVEPOINT step');
        }
        batch.settled(refusal);
      }
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
      throw err;
    } finally {
      c.release(broken);
    }
  }

  /** Inside a transaction holding the book: what was stored on it after `from`, up to `version`. */
  private async changesBetween(
    c: pg.PoolClient,
    book: BookVersion,
    from: number,
    version: number,
  ): Promise<BookChanges> {
    if (version === from) return { version, orders: [], fills: [] };
    return {
      version,
      orders: (await rows<OrderRow>(c, BOOK_ORDERS, [book.env, book.instId, from, version])).map(toOrder),
      fills: (await rows<FillRow>(c, BOOK_FILLS, [book.env, book.instId, from, version])).map(toFill),
    };
  }

  /** Inside a transaction: the ledger entries, the orders and the fills of one change, at book version `seq`. */
  private async writeChange(c: pg.PoolClient, change: OrderChanges, at: number, seq: number): Promise<void> {
    await this.ledger.applyNow(c, change.entries, at);
    // The last state of each order (an operation may list one order twice), then the fills in order.
    const orders = [...new Map(change.orders.map((o) => [o.ordId, o])).values()];
    if (orders.length > 0) await c.query(UPSERT_ORDERS, [JSON.stringify(orders.map((o) => orderRow(o, seq)))]);
    if (change.fills.length > 0) {
      await c.query(INSERT_FILLS, [JSON.stringify(change.fills.map((f) => fillRow(f, seq)))]);
    }
  }

  /** Inside a transaction: locks the book's row and bumps its version; returns the version before. */
  private async lockBook(c: pg.PoolClient, book: BookVersion): Promise<number> {
    for (;;) {
      const bumped = await one<{ version: number }>(
        c,
        `UPDATE books SET version = version + 1
        WHERE env = $1 AND inst_id = $2 RETURNING version - 1 AS version`,
        [book.env, book.instId],
      );
      if (bumped !== undefined) return bumped.version;
      const created = await changed(
        c,
        `INSERT INTO books (env, inst_id, version) VALUES ($1, $2, 1)
        ON CONFLICT DO NOTHING`,
        [book.env, book.instId],
      );
      if (created === 1) return 0;
    }
  }

  async bookVersions(): Promise<BookVersion[]> {
    return (
      await rows<BookVersionRow>(this.conn.pool, 'SELECT env, inst_id, version FROM books ORDER BY env, inst_id')
    ).map((r) => ({ env: r.env, instId: r.inst_id, version: r.version }));
  }

  async bookChangesSince(env: KeyEnv, instId: string, version: number): Promise<BookChanges> {
    const row = await one<{ version: number }>(
      this.conn.pool,
      'SELECT version FROM books WHERE env = $1 AND inst_id = $2',
      [env, instId],
    );
    const current = row?.version ?? 0;
    if (current === version) return { version, orders: [], fills: [] };
    // Up to the version read: rows stored since are given with the next version.
    const orders = (await rows<OrderRow>(this.conn.pool, BOOK_ORDERS, [env, instId, version, current])).map(toOrder);
    const fills = (await rows<FillRow>(this.conn.pool, BOOK_FILLS, [env, instId, version, current])).map(toFill);
    return { version: current, orders, fills };
  }

  async openOrders(): Promise<Order[]> {
    return (
      await rows<OrderRow>(
        this.conn.pool,
        `SELECT * FROM orders WHERE ${OPEN_ORDER}
      ORDER BY queued_at, ord_id::numeric`,
      )
    ).map(toOrder);
  }

  async findOrder(userId: number, env: KeyEnv, ref: { ordId?: string; clOrdId?: string }): Promise<Order | null> {
    const row =
      ref.ordId !== undefined && ref.ordId !== ''
        ? await one<OrderRow>(this.conn.pool, 'SELECT * FROM orders WHERE ord_id = $1 AND user_id = $2 AND env = $3', [
            ref.ordId,
            userId,
            env,
          ])
        : await one<OrderRow>(
            this.conn.pool,
            `SELECT * FROM orders WHERE cl_ord_id = $1 AND user_id = $2 AND env = $3
        ORDER BY c_time DESC, ord_id DESC LIMIT 1`,
            [ref.clOrdId ?? '', userId, env],
          );
    return row === undefined ? null : toOrder(row);
  }

  async listOrders(userId: number, env: KeyEnv, q: OrderQuery): Promise<Order[]> {
    const { text, params } = ordersSql(POSTGRES_DIALECT, userId, env, q);
    return (await rows<OrderRow>(this.conn.pool, text, params)).map(toOrder);
  }

  async listFills(userId: number, env: KeyEnv, q: FillQuery): Promise<FillRecord[]> {
    const { text, params } = fillsSql(POSTGRES_DIALECT, userId, env, q);
    return (await rows<StoredFillRow>(this.conn.pool, text, params)).map(toFillRecord);
  }

  async lastFills(ordIds: readonly string[]): Promise<Map<string, LastFill>> {
    if (ordIds.length === 0) return new Map();
    const found = await rows<FillRow>(
      this.conn.pool,
      `SELECT * FROM fills WHERE id IN (SELECT MAX(id) FROM fills
      WHERE ord_id = ANY($1::text[]) GROUP BY ord_id)`,
      [ordIds],
    );
    return new Map(found.map((r) => [r.ord_id, toLastFill(r)]));
  }

  async listPublicTrades(env: KeyEnv, instId: string, limit: number): Promise<Fill[]> {
    return (
      await rows<FillRow>(
        this.conn.pool,
        `SELECT * FROM fills WHERE env = $1 AND inst_id = $2 AND exec_type = 'T'
      ORDER BY id DESC LIMIT $3`,
        [env, instId, limit],
      )
    ).map(toFill);
  }

  async publicTradeHistory(env: KeyEnv, instId: string, q: PublicTradeQuery): Promise<Fill[]> {
    const after = q.after !== undefined && 'tradeId' in q.after ? q.after.tradeId : null;
    const afterTs = q.after !== undefined && 'ts' in q.after ? q.after.ts : null;
    const trade = (n: number) =>
      `(SELECT id FROM fills WHERE env = $1 AND inst_id = $2 AND exec_type = 'T' AND trade_id = $${n})`;
    return (
      await rows<FillRow>(
        this.conn.pool,
        `SELECT * FROM fills WHERE env = $1 AND inst_id = $2 AND exec_type = 'T'
      AND ($3::text IS NULL OR id < ${trade(3)}) AND ($4::text IS NULL OR id > ${trade(4)})
      AND ($5::bigint IS NULL OR ts < $5)
      ORDER BY ${afterTs === null ? '' : 'ts DESC, '}id DESC LIMIT $6`,
        [env, instId, after, q.before?.tradeId ?? null, afterTs, q.limit],
      )
    ).map(toFill);
  }
}
