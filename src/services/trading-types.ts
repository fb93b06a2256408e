import type { KeyEnv } from '../core/key-rules.js';
import type { LedgerEntry } from '../core/ledger.js';
import type { Fill } from '../core/matching.js';
import type { Order } from '../core/orders.js';
import type { FillRecord } from '../store/store.js';

// The shapes TradingService takes and gives (its listeners' changes, fills with their rate, order references).

/** One stored change of a book, as the book now has it. */
export interface BookChange {
  env: KeyEnv;
  instId: string;
  /** The orders changed, in their new state. */
  orders: readonly Order[];
  /** The fills (taker and maker sides), oldest first. */
  fills: readonly Fill[];
  /** True when this instance made the change. */
  local: boolean;
}

/** A stored fill with the fee rate of its side (maker or taker). */
export interface RatedFill extends FillRecord {
  feeRate: string;
}

/** How an algo order places the order it triggers (see `TradingService.place`). */
export interface PlaceOptions {
  ordId?: string;
  entries?: readonly LedgerEntry[];
}

/** Which order: by ordId, or by clOrdId when no ordId is given. */
export interface OrderRef {
  instId?: unknown;
  instIdCode?: unknown;
  ordId?: unknown;
  clOrdId?: unknown;
}
