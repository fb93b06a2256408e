import type { FastifyBaseLogger } from 'fastify';
import type { KeyEnv } from '../core/key-rules.js';
import { addAmounts, TRADING } from '../core/ledger.js';
import { balanceAndPositionView, tradingBalanceView } from '../okx/account-views.js';
import { filterCcy } from '../okx/ccy-filter.js';
import { push } from '../okx/envelope.js';
import { bookPrices, type LastTradePrices, type UsdPriceOf } from '../services/book-prices.js';
import type { LedgerService } from '../services/ledger-service.js';
import type { BalanceRow } from '../store/store.js';
import type { Connection, Subscription } from './connection.js';

/** Account pushes are coalesced over this period, ms (one push for the several entries of a trade). */
const ACCOUNT_PUSH_MS = 20;

function cashOf(rows: readonly BalanceRow[]): Map<string, string> {
  return new Map(rows.map((r) => [r.ccy, addAmounts(r.avail, r.frozen)]));
}

/**
 * The account channels (`account`, `balance_and_position`, and the connections with `orders`) of
 * one account in one environment: their snapshots, and one coalesced push per change, in order.
 */
export class AccountFeed {
  readonly conns = new Set<Connection>();
  /** Cash balance per currency last pushed on balance_and_position (null: none yet). */
  private cash: Map<string, string> | null = null;
  /** A fill touched the account since the last push (balance_and_position's eventType). */
  filled = false;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private again = false;
  /** USD prices of the `account` channel's eqUsd / totalEq: the books' last prices, as REST's /account/balance. */
  private readonly price: UsdPriceOf;

  constructor(
    readonly userId: number,
    readonly env: KeyEnv,
    readonly uid: string,
    private readonly ledger: LedgerService,
    private readonly now: () => number,
    private readonly log: FastifyBaseLogger,
    market: LastTradePrices,
  ) {
    this.price = bookPrices(market, env);
  }

  /** The first message of an `account` or `balance_and_position` subscription. */
  async snapshot(conn: Connection, sub: Subscription): Promise<void> {
    const snap = await this.ledger.snapshot(this.userId, this.env, TRADING, this.now());
    if (conn.closed || !conn.subs.has(sub.id)) return;
    if (sub.channel === 'account') {
      conn.send(
        push(
          { ...sub.arg, uid: this.uid },
          [tradingBalanceView(filterCcy(snap.rows, sub.ccy), snap.uTime, this.price)],
          {
            eventType: 'snapshot',
            curPage: 1,
            lastPage: true,
          },
        ),
      );
    } else {
      this.cash ??= cashOf(snap.rows);
      conn.send(push({ ...sub.arg, uid: this.uid }, [balanceAndPositionView(snap.rows, 'snapshot', this.now())]));
    }
  }

  /** The ledger says the account changed: one push after a short pause gathers what came with it. */
  changed(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, ACCOUNT_PUSH_MS);
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One push per account channel; runs one at a time, so pushes never go out of order. */
  private flush(): void {
    if (this.flushing !== null) {
      this.again = true;
      return;
    }
    this.flushing = this.pushAll()
      .catch((err: unknown) => this.log.error({ err }, 'websocket account push failed'))
      .finally(() => {
        this.flushing = null;
        if (this.again) {
          this.again = false;
          this.flush();
        }
      });
  }

  private async pushAll(): Promise<void> {
    // A fill made while this push is under way belongs to the next one.
    const filled = this.filled;
    this.filled = false;
    const snap = await this.ledger.snapshot(this.userId, this.env, TRADING, this.now());
    const views = new Map<string, string>();
    let bp: string | null | undefined;
    for (const conn of this.conns) {
      for (const sub of conn.subs.values()) {
        if (sub.channel === 'account') {
          const key = sub.ccy ?? '';
          let msg = views.get(key);
          if (msg === undefined) {
            msg = push(
              { ...sub.arg, uid: this.uid },
              [tradingBalanceView(filterCcy(snap.rows, sub.ccy), snap.uTime, this.price)],
              {
                eventType: 'event',
                curPage: 1,
                lastPage: true,
              },
            );
            views.set(key, msg);
          }
          conn.send(msg);
        } else if (sub.channel === 'balance_and_position') {
          bp ??= this.balanceChange(snap.rows, filled);
          if (bp !== null) conn.send(bp);
        }
      }
    }
  }

  /** The balance_and_position push for the currencies whose cash balance changed, or null. */
  private balanceChange(rows: readonly BalanceRow[], filled: boolean): string | null {
    const before = this.cash ?? new Map<string, string>();
    const now = cashOf(rows);
    const changed = rows.filter((r) => before.get(r.ccy) !== now.get(r.ccy));
    this.cash = now;
    const eventType = filled ? 'filled' : 'transferred';
    if (changed.length === 0) return null;
    return push({ channel: 'balance_and_position', uid: this.uid }, [
      balanceAndPositionView(changed, eventType, this.now()),
    ]);
  }
}
