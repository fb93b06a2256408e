import type { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { LedgerEntry } from '../core/ledger.js';
import type { Fill } from '../core/matching.js';
import type { Order, OrderState, Side } from '../core/orders.js';

/** What was stored on a book after some version, and the book's version now. */
export interface BookChanges {
  version: number;
  /** The orders changed, in their current state, in queue order. */
  orders: Order[];
  /** The fills made (taker and maker sides), oldest first. */
  fills: Fill[];
}

export interface BookVersion {
  env: KeyEnv;
  instId: string;
  /** Bumped by every stored change of the book. */
  version: number;
}

export interface OrderChanges {
  orders: readonly Order[];
  fills: readonly Fill[];
  entries: readonly LedgerEntry[];
}

/**
 * Several operations on one book, stored by `ExchangeStore.runBookBatch` in one transaction
 * (group commit). Every callback is synchronous: the store calls them in this order while it
 * holds the book, `catchUp` once, then `next` and `settled` by turns until `next` gives null.
 */
export interface BookBatch {
  /** What other processes stored on the book after the version given, and its version now. */
  catchUp(since: BookChanges): void;
  /** The next change to store (computed on the book as the stored steps before it left it), or null when done. */
  next(): { change: OrderChanges; at: number } | null;
  /**
   * The change `next` gave was stored (null), or refused with this RuleError (51008: a balance
   * would go negative; 51016: a clOrdId in use) and nothing of it stored; the other steps stand.
   */
  settled(refusal: RuleError | null): void;
}

/**
 * Which of an account's orders, newest first (by ordId, which grows with time). Every field but
 * `open` and `limit` narrows the list; cursors and bounds are exclusive (`after`, `before`) or
 * inclusive (`begin`, `end`), as OKX documents them.
 */
export interface OrderQuery {
  /** Open orders (live, partially filled), or finished ones (filled, canceled). */
  open: boolean;
  instId?: string | undefined;
  /** Any of these order types (OKX spellings; ones signet never uses match nothing). */
  ordTypes?: readonly string[] | undefined;
  state?: OrderState | undefined;
  /** ordId cursors: orders older than `after`, newer than `before`. */
  after?: string | undefined;
  before?: string | undefined;
  /** cTime bounds, Unix ms. */
  begin?: number | undefined;
  end?: number | undefined;
  /** Finished orders updated (finished) at or after this, Unix ms: the query window. */
  finishedSince?: number | undefined;
  /** Canceled orders with nothing filled only when canceled at or after this, Unix ms. */
  unfilledCanceledSince?: number | undefined;
  /** At most this many (1 to 100). */
  limit: number;
}

/** Which of an account's fills, newest first (by billId). */
export interface FillQuery {
  instId?: string | undefined;
  ordId?: string | undefined;
  side?: Side | undefined;
  /** billId cursors: fills older than `after`, newer than `before`. */
  after?: number | undefined;
  before?: number | undefined;
  /** ts bounds, Unix ms. */
  begin?: number | undefined;
  end?: number | undefined;
  limit: number;
}

/** A stored fill with its bill id (the fill's own row id: unique, growing). */
export interface FillRecord extends Fill {
  billId: string;
}

/** The newest fill of an order: what OKX shows as the order's fillPx, fillSz, fillTime and tradeId. */
export interface LastFill {
  tradeId: string;
  px: string;
  sz: string;
  /** Unix ms. */
  ts: number;
}

/**
 * A page of one book's public trades (OKX's GET /api/v5/market/history-trades): `after` pages to
 * older trades, by trade id (trades stored before it) or by time (trades before it); `before` to
 * newer ones by trade id. A trade id that is not a public trade of the book matches nothing.
 */
export interface PublicTradeQuery {
  after?: { tradeId: string } | { ts: number } | undefined;
  before?: { tradeId: string } | undefined;
  /** At most this many. */
  limit: number;
}

/** The paper exchange: order books and their operations, orders, fills and public trades. */
export interface ExchangeStore {
  /**
   * Runs one order operation on a book, taking turns with every process sharing the database
   * (PostgreSQL: the book's row lock, held for the whole transaction; SQLite: a version check at
   * commit, run again on a lost race). `compute` receives what was stored on the book after
   * `book.version` (on a second run: after the version the first run saw), to catch up with
   * other processes, and the book's current version, and returns
   * the change to store, or throws to store nothing. The change is stored in one transaction: the
   * ledger entries (RuleError 51008 and nothing stored if a balance would go negative), the
   * orders (inserted or updated by ordId) and the fills; the book's version becomes
   * `since.version + 1`. A clOrdId already used by another open order of the account is refused
   * with 51016. `compute` may run more than once, so it must be repeatable.
   *
   * @example
   *   await store.runBookOperation({ env: 'live', instId: 'BTC-USDT', version: 7 }, now, async (since) =>
   *     ({ change: { orders: [order], fills: [], entries: [freezeEntry] }, result: order }));
   */
  runBookOperation<T>(
    book: BookVersion,
    at: number,
    compute: (since: BookChanges) => Promise<{ change: OrderChanges; result: T }>,
  ): Promise<T>;
  /**
   * Runs a batch of operations on one book in ONE transaction, holding the book as
   * `runBookOperation` does (PostgreSQL: the book's row lock; SQLite: the write lock), so it
   * never runs twice: `batch.catchUp` receives what was stored after `book.version`, then each
   * step's change is stored in a savepoint (a refused step leaves the others), and the book's
   * version becomes `since.version + 1` for all of them. Resolves once committed; rejects on a
   * fault, with nothing stored.
   *
   * @example
   *   await store.runBookBatch({ env: 'live', instId: 'BTC-USDT', version: 7 }, batch);
   */
  runBookBatch(book: BookVersion, batch: BookBatch): Promise<void>;
  /** The version of every book written so far (read before `openOrders` at start-up). */
  bookVersions(): Promise<BookVersion[]>;
  /** What was stored on one book after `version`, and the book's version now. */
  bookChangesSince(env: KeyEnv, instId: string, version: number): Promise<BookChanges>;
  /**
   * Every open order (live or partially filled) of every account in queue order (queuedAt, then
   * ordId): the books at start-up.
   */
  openOrders(): Promise<Order[]>;
  /** One order of an account by ordId or clOrdId (the newest with that clOrdId), or null. */
  findOrder(userId: number, env: KeyEnv, ref: { ordId?: string; clOrdId?: string }): Promise<Order | null>;
  /** An account's orders, newest first: open ones, or finished ones (filled or canceled). */
  listOrders(userId: number, env: KeyEnv, query: OrderQuery): Promise<Order[]>;
  /** An account's fills, newest first. */
  listFills(userId: number, env: KeyEnv, query: FillQuery): Promise<FillRecord[]>;
  /** The newest fill of each of these orders that has one, by ordId. */
  lastFills(ordIds: readonly string[]): Promise<Map<string, LastFill>>;
  /** The taker side of the newest trades of one book (every account), newest first: public market data. */
  listPublicTrades(env: KeyEnv, instId: string, limit: number): Promise<Fill[]>;
  /**
   * A page of one book's public trades, newest first (in the order they were stored; by time,
   * then storage order, when paging by time). Also reads the whole history at start-up.
   *
   * @example
   *   const older = await store.publicTradeHistory('live', 'BTC-USDT', { after: { tradeId: '812' }, limit: 100 });
   */
  publicTradeHistory(env: KeyEnv, instId: string, query: PublicTradeQuery): Promise<Fill[]>;
}
