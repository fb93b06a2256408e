import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import { applyOutcome, type FeeRates, type MatchOutcome, matchOrder } from '../core/matching.js';
import type { OrderBook } from '../core/order-book.js';
import { type NewOrder, newOrderRecord, type Order } from '../core/orders.js';
import type { BookBatch, BookChanges, OrderChanges } from '../store/exchange.js';

/** An order waiting for the next group commit, and its caller. */
export interface PendingPlacement {
  userId: number;
  env: KeyEnv;
  valid: NewOrder;
  now: number;
  resolve: (order: Order) => void;
  reject: (err: unknown) => void;
}

/** What a batch needs from the trading service: ids reserved beforehand, and catching the book up. */
export interface BatchDeps {
  book: OrderBook;
  fees: FeeRates;
  catchUp: (since: BookChanges) => void;
  /** An order id (at least one per placement reserved beforehand). */
  orderId: () => string;
  /** A trade id; at most `tradeIdBudget` of them reserved beforehand. */
  tradeId: () => string;
  tradeIdBudget: number;
}

/** The trade ids reserved for a batch ran out: this order and the ones after it wait for the next batch. */
class OutOfTradeIds extends Error {}

/**
 * Orders placed on one book in one store transaction (group commit). Each order is matched on
 * the in-memory book as the stored orders before it left it, and its outcome applied to the book
 * only once its step is stored, so a refused step (51008, 51016) changes nothing. If the whole
 * batch fails, the book holds outcomes that were not committed: the caller must reload it.
 */
export class PlacementBatch implements BookBatch {
  /** Orders stored, with their outcomes, in order. */
  readonly placed: Array<{ item: PendingPlacement; outcome: MatchOutcome }> = [];
  /** Orders refused by a rule (matching or the store): nothing of them stored. */
  readonly refused: Array<{ item: PendingPlacement; error: RuleError }> = [];
  /** Orders not tried for lack of trade ids, in order: for the next batch. */
  deferred: readonly PendingPlacement[] = [];
  /** Trade ids the first deferred order may need (one per order resting on the other side, plus one). */
  tradeIdsNeeded = 0;
  /** Every change computed (stored or not): whose balances may have moved. */
  readonly computed: OrderChanges[] = [];
  private at = 0;
  private current: { item: PendingPlacement; outcome: MatchOutcome } | null = null;
  private tradeIdsLeft: number;

  constructor(
    private readonly items: readonly PendingPlacement[],
    private readonly deps: BatchDeps,
  ) {
    this.tradeIdsLeft = deps.tradeIdBudget;
  }

  catchUp(since: BookChanges): void {
    this.deps.catchUp(since);
  }

  next(): { change: OrderChanges; at: number } | null {
    const { book, fees } = this.deps;
    while (this.at < this.items.length) {
      const item = this.items[this.at] as PendingPlacement;
      this.at++;
      let left = this.tradeIdsLeft;
      const tradeId = () => {
        if (left <= 0) throw new OutOfTradeIds();
        left--;
        return this.deps.tradeId();
      };
      try {
        const order = newOrderRecord(item.valid, this.deps.orderId(), item.userId, item.env, item.now);
        const outcome = matchOrder(book, order, item.valid.inst, fees, tradeId, item.now);
        this.tradeIdsLeft = left;
        this.current = { item, outcome };
        this.computed.push(outcome);
        return { change: outcome, at: item.now };
      } catch (err) {
        if (err instanceof OutOfTradeIds) {
          this.deferred = this.items.slice(this.at - 1);
          this.tradeIdsNeeded = book.sideSize(item.valid.side === 'buy' ? 'sell' : 'buy') + 1;
          this.at = this.items.length;
          return null;
        }
        if (!(err instanceof RuleError)) throw err;
        this.refused.push({ item, error: err });
      }
    }
    return null;
  }

  settled(refusal: RuleError | null): void {
    const step = this.current;
    this.current = null;
    if (step === null) return;
    if (refusal !== null) {
      this.refused.push({ item: step.item, error: refusal });
      return;
    }
    applyOutcome(this.deps.book, step.outcome);
    this.placed.push(step);
  }
}
