import Big from 'big.js';
import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import { TRADING } from '../core/ledger.js';
import { ladderNeeds, quoteLadder, seededRandom, walkPrice } from '../core/market-maker.js';
import { CURRENCY_BY_CCY, SPOT_INSTRUMENTS, type SpotInstrument } from '../core/markets.js';
import type { Order } from '../core/orders.js';
import type { LedgerStore } from '../store/store.js';
import type { LedgerService } from './ledger-service.js';
import type { TradingService } from './trading-service.js';
import type { UserService } from './user-service.js';

export const MARKET_MAKER_EMAIL = 'market-maker@signet.invalid';

export interface MarketMakerOptions {
  seed: number;
  /** Price levels per side. */
  levels: number;
  /** Distance between levels, a fraction of the price (0.0005 = 0.05 %). */
  spread: string;
  /** Value of each level in USD at reference prices. */
  levelValueUsd: string;
}

const ENVS: readonly KeyEnv[] = ['live', 'demo'];

/** The starting reference price of an instrument: the ratio of its currencies' USD prices, on the tick. */
function startPrice(inst: SpotInstrument): string {
  const base = CURRENCY_BY_CCY.get(inst.baseCcy)?.usdPrice ?? '1';
  const quote = CURRENCY_BY_CCY.get(inst.quoteCcy)?.usdPrice ?? '1';
  return new Big(base).div(quote).div(inst.tickSz).round(0, Big.roundHalfUp).times(inst.tickSz).toFixed();
}

/**
 * A built-in account that quotes both sides of every book around a reference price doing a
 * seeded random walk, so that a lone user's market order fills. It trades through the same
 * TradingService as everyone (same rules, same ledger); its funds are topped up by deposits.
 */
export class MarketMaker {
  private userId = 0;
  private readonly prices = new Map<string, string>();
  private readonly random: () => number;

  constructor(
    private readonly store: LedgerStore,
    private readonly users: UserService,
    private readonly ledger: LedgerService,
    private readonly trading: TradingService,
    private readonly opts: MarketMakerOptions,
  ) {
    this.random = seededRandom(opts.seed);
    for (const inst of SPOT_INSTRUMENTS) this.prices.set(inst.instId, startPrice(inst));
  }

  /** The current reference price of an instrument. */
  price(instId: string): string | undefined {
    return this.prices.get(instId);
  }

  /**
   * Starts quoting. Where the books already hold quotes (another instance ran the market maker
   * until now), the walk resumes from each live book's mid price rather than from the start.
   */
  async start(now: number): Promise<void> {
    this.userId = (await this.users.systemAccount(MARKET_MAKER_EMAIL, now)).id;
    for (const inst of SPOT_INSTRUMENTS) {
      const book = this.trading.book('live', inst.instId);
      const bid = book.best('buy');
      const ask = book.best('sell');
      if (bid === undefined || ask === undefined) continue;
      const mid = new Big(bid.px).plus(ask.px).div(2).div(inst.tickSz).round(0, Big.roundHalfUp).times(inst.tickSz);
      if (mid.gt(0)) this.prices.set(inst.instId, mid.toFixed());
    }
    await this.refresh(now);
  }

  /** Moves every reference price one step and replaces the quotes around it. */
  async refresh(now: number): Promise<void> {
    for (const inst of SPOT_INSTRUMENTS) {
      const price = walkPrice(this.prices.get(inst.instId) ?? startPrice(inst), inst, this.random);
      this.prices.set(inst.instId, price);
      for (const env of ENVS) await this.requote(env, inst, price, now);
    }
  }

  private async requote(env: KeyEnv, inst: SpotInstrument, mid: string, now: number): Promise<void> {
    const book = this.trading.book(env, inst.instId);
    const quoteUsd = CURRENCY_BY_CCY.get(inst.quoteCcy)?.usdPrice ?? '1';
    const wanted = quoteLadder(
      inst,
      mid,
      this.opts.levels,
      this.opts.spread,
      new Big(this.opts.levelValueUsd).div(quoteUsd).toFixed(8),
    );
    // Quotes already resting untouched stay (fewer writes); the others are replaced.
    const missing = new Map(wanted.map((q) => [`${q.side}:${q.px}:${q.sz}`, q]));
    const mine = [...book.side('buy'), ...book.side('sell')].filter((o) => o.userId === this.userId);
    const stale = mine.filter((o) => !(o.accFillSz === '0' && missing.delete(`${o.side}:${o.px}:${o.sz}`)));
    const quotes = [...missing.values()];
    // An old quote a new one would trade with goes first (the market maker never trades with
    // itself); the others only once the new ladder is in, so that readers never see a side empty.
    const crossed = (o: Order) =>
      quotes.some((q) => q.side !== o.side && (q.side === 'buy' ? new Big(q.px).gte(o.px) : new Big(q.px).lte(o.px)));
    const cancel = async (o: Order) =>
      this.ignoreRules(this.trading.cancel(this.userId, env, { instId: inst.instId, ordId: o.ordId }, now));
    const first = stale.filter(crossed);
    for (const o of first) await cancel(o);
    const needs = ladderNeeds(quotes);
    const balances = await this.store.getBalances(this.userId, env, TRADING);
    for (const [ccy, amount] of [
      [inst.baseCcy, needs.base],
      [inst.quoteCcy, needs.quote],
    ] as const) {
      const avail = balances.find((b) => b.ccy === ccy)?.avail ?? '0';
      const short = new Big(amount).minus(avail);
      if (short.gt(0))
        await this.ledger.deposit(this.userId, env, TRADING, ccy, short.times(4).round(8, Big.roundUp).toFixed(), now);
    }
    // Placed together, so that they are group-committed in one transaction and reach the book (and
    // its pushes) at once: one at a time, readers saw the ladder half rebuilt for many event-loop turns.
    await Promise.all(
      quotes.map((q) =>
        this.ignoreRules(
          this.trading.place(
            this.userId,
            env,
            { instId: inst.instId, tdMode: 'cash', side: q.side, ordType: 'limit', px: q.px, sz: q.sz },
            now,
          ),
        ),
      ),
    );
    for (const o of stale) if (!first.includes(o)) await cancel(o);
  }

  /** A quote refused by a rule (e.g. a user's order filled it first) is skipped; faults still throw. */
  private async ignoreRules(task: Promise<unknown>): Promise<void> {
    try {
      await task;
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
    }
  }
}
