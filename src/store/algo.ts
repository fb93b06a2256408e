import type { AlgoOrder, AlgoOrdType, AlgoState } from '../core/algo-orders.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { LedgerEntry } from '../core/ledger.js';

/** GET /trade/orders-algo-pending and -history: which algos, newest (highest algoId) first. */
export interface AlgoQuery {
  /** Pending (live, pause, partially_effective) or finished (effective, canceled, order_failed). */
  pending: boolean;
  /** One or more types (OKX: conditional and oco may be asked for together). */
  ordTypes: readonly AlgoOrdType[];
  state?: AlgoState | undefined;
  algoId?: string | undefined;
  instId?: string | undefined;
  /** Older than this algoId. */
  after?: string | undefined;
  /** Newer than this algoId (still answered newest first). */
  before?: string | undefined;
  /** 1 to 100. */
  limit: number;
}

/** What an algo's stored row must still say for a transition to win. */
export interface AlgoExpect {
  state: AlgoState;
  placing?: boolean;
  /** The stored uTime: the algo unchanged since it was read (amend, cancel and firing read, then write). */
  uTime?: number;
}

/**
 * Algo orders (TP/SL, OCO, trigger, trailing) and their frozen funds. Every change that moves
 * funds is one transaction with its ledger entries (RuleError 51008, nothing stored, if a balance
 * would go negative). A transition is conditional on the stored state, so when several instances
 * share the database exactly one of them wins it (e.g. live → effective: the algo fires once).
 *
 * @example
 *   if (await store.transitionAlgo(fired, { state: 'live' }, [], now)) await placeItsOrder(fired);
 */
export interface AlgoStore {
  /** Inserts new algos and applies `entries`, in one transaction; a pending algoClOrdId already used gets 51065. */
  insertAlgos(algos: readonly AlgoOrder[], entries: readonly LedgerEntry[], at: number): Promise<void>;
  /** Stores `next` (same algoId) if the stored row matches `expect`, with `entries`, in one transaction; true if it did. */
  transitionAlgo(next: AlgoOrder, expect: AlgoExpect, entries: readonly LedgerEntry[], at: number): Promise<boolean>;
  /** One algo of an account by algoId, or by algoClOrdId (the newest), or null. */
  findAlgo(userId: number, env: KeyEnv, ref: { algoId?: string; algoClOrdId?: string }): Promise<AlgoOrder | null>;
  /** An account's algos, newest first (the `waiting` attached ones are never listed). */
  listAlgos(userId: number, env: KeyEnv, query: AlgoQuery): Promise<AlgoOrder[]>;
  /** Every live algo on one book (every account): what a trade may fire. */
  liveAlgos(env: KeyEnv, instId: string): Promise<AlgoOrder[]>;
  /** Algos in a state that needs finishing after a crash: `waiting` ones (attached, parent not done) and `placing` ones. */
  unfinishedAlgos(): Promise<AlgoOrder[]>;
  /** The attached algos of one parent order. */
  childAlgos(userId: number, env: KeyEnv, parentOrdId: string): Promise<AlgoOrder[]>;
  /** The attached algos of several parent orders of one account, in one query (a page of orders' `attachAlgoOrds`). */
  childAlgosOf(userId: number, env: KeyEnv, parentOrdIds: readonly string[]): Promise<AlgoOrder[]>;
  /**
   * The algos changed (inserted or updated, by any process) since `cursor`, in the order of their
   * changes, and the cursor to ask with next time; an algo changed twice since is given once, as
   * it is now. `''` asks for no change, only the current cursor (where a new reader starts).
   */
  algoChangesSince(cursor: string): Promise<AlgoChanges>;
}

/** What `algoChangesSince` answers. */
export interface AlgoChanges {
  cursor: string;
  algos: AlgoOrder[];
}
