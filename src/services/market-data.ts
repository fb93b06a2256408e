import Big from 'big.js';
import { CandleBook } from '../core/candle-book.js';
import type { Candle, CandleQuery, PublicTrade } from '../core/candles.js';
import type { KeyEnv } from '../core/key-rules.js';
import { SPOT_INSTRUMENTS } from '../core/markets.js';
import type { Fill } from '../core/matching.js';
import type { PublicTradeQuery } from '../store/exchange.js';
import type { ExchangeStore } from '../store/store.js';
import type { TradingService } from './trading-service.js';

/** Newest trades kept per book in memory for GET /market/trades (OKX: at most 500). */
const KEEP = 500;
/** Stored trades read per query while loading the history at start-up. */
const LOAD_PAGE = 5000;

const ENVS: readonly KeyEnv[] = ['live', 'demo'];
const publicTrade = (f: Fill): PublicTrade => ({ tradeId: f.tradeId, px: f.px, sz: f.sz, side: f.side, ts: f.ts });

/**
 * Public market data drawn from the books and from every trade ever stored: the taker side of
 * every fill is one public trade. Candles of every bar size are kept in memory per book
 * (CandleBook), loaded from the whole stored history at start-up and then kept up to date
 * from the fills of this instance and of the others (TradingService.onFills).
 */
export class MarketData {
  /** Per environment, then instrument id: no key string is built on a lookup (balances value with lastPx per request). */
  private readonly recent: Record<KeyEnv, Map<string, PublicTrade[]>> = { live: new Map(), demo: new Map() };
  private readonly candleBooks = new Map<string, CandleBook>();
  /** Fills that arrived while the history was loading (null once loaded). */
  private pending: [KeyEnv, Fill][] | null = [];

  constructor(
    private readonly store: ExchangeStore,
    private readonly trading: TradingService,
    private readonly reference: (instId: string) => string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    trading.onFills((env, fills) => {
      for (const f of fills) {
        if (f.execType !== 'T') continue;
        if (this.pending !== null) this.pending.push([env, f]);
        else this.add(env, f.instId, publicTrade(f));
      }
    });
  }

  /**
   * Loads every stored trade of every book (newest first, a page at a time) into the candles,
   * then the trades made meanwhile. Returns how many stored trades were read.
   */
  async start(): Promise<number> {
    let read = 0;
    const loaded = new Set<string>();
    const now = this.now();
    for (const env of ENVS) {
      for (const inst of SPOT_INSTRUMENTS) {
        const book = this.candles(env, inst.instId);
        const recent = this.recentOf(env, inst.instId);
        let after: PublicTradeQuery['after'];
        for (;;) {
          const page = await this.store.publicTradeHistory(env, inst.instId, { after, limit: LOAD_PAGE });
          for (const f of page) {
            const t = publicTrade(f);
            book.addHistory(t, now);
            if (recent.length < KEEP) recent.unshift(t);
            loaded.add(`${env}:${f.tradeId}`);
          }
          read += page.length;
          const last = page.at(-1);
          if (last === undefined || page.length < LOAD_PAGE) break;
          after = { tradeId: last.tradeId };
        }
        book.deriveFromMinutes(now);
      }
    }
    const pending = this.pending ?? [];
    this.pending = null;
    for (const [env, f] of pending) if (!loaded.has(`${env}:${f.tradeId}`)) this.add(env, f.instId, publicTrade(f));
    return read;
  }

  private add(env: KeyEnv, instId: string, t: PublicTrade): void {
    this.candles(env, instId).add(t, this.now());
    const list = this.recentOf(env, instId);
    list.push(t);
    if (list.length > KEEP * 2) list.splice(0, list.length - KEEP);
  }

  private recentOf(env: KeyEnv, instId: string): PublicTrade[] {
    const byInst = this.recent[env];
    let list = byInst.get(instId);
    if (list === undefined) {
      list = [];
      byInst.set(instId, list);
    }
    return list;
  }

  /** The candles of one book (every bar size). */
  candles(env: KeyEnv, instId: string): CandleBook {
    const id = `${env}:${instId}`;
    let book = this.candleBooks.get(id);
    if (book === undefined) {
      book = new CandleBook();
      this.candleBooks.set(id, book);
    }
    return book;
  }

  /** Candle rows of one bar size, newest first (an empty list for a bar name not known). */
  candleRows(env: KeyEnv, instId: string, bar: string, q: CandleQuery): Candle[] {
    return this.candles(env, instId).of(bar)?.rows(q) ?? [];
  }

  /** The newest trades, newest first. */
  recentTrades(env: KeyEnv, instId: string, limit: number): PublicTrade[] {
    return this.recentOf(env, instId).slice(-limit).reverse();
  }

  /** The price of the book's last trade, or undefined before any. */
  lastPx(env: KeyEnv, instId: string): string | undefined {
    const list = this.recent[env].get(instId);
    return list === undefined ? undefined : list[list.length - 1]?.px;
  }

  /** A page of stored trades, newest first (GET /market/history-trades). */
  async tradeHistory(env: KeyEnv, instId: string, q: PublicTradeQuery): Promise<PublicTrade[]> {
    return (await this.store.publicTradeHistory(env, instId, q)).map(publicTrade);
  }

  /** OKX's ticker: last trade (or the reference price before any), best bid/ask, 24 h and start-of-day figures. */
  ticker(env: KeyEnv, instId: string, now: number) {
    const book = this.trading.book(env, instId);
    const bid = book.levels('buy', 1)[0];
    const ask = book.levels('sell', 1)[0];
    const candles = this.candles(env, instId);
    const last = candles.lastTrade;
    const lastPx =
      last?.px ??
      this.reference(instId) ??
      (bid !== undefined && ask !== undefined ? new Big(bid[0]).plus(ask[0]).div(2).toFixed() : '');
    const day = candles.dayFigures(now, lastPx);
    return {
      instType: 'SPOT',
      instId,
      last: lastPx,
      lastSz: last?.sz ?? '0',
      askPx: ask?.[0] ?? '',
      askSz: ask?.[1] ?? '',
      bidPx: bid?.[0] ?? '',
      bidSz: bid?.[1] ?? '',
      open24h: day.open24h,
      high24h: day.high24h,
      low24h: day.low24h,
      volCcy24h: day.volCcy24h,
      vol24h: day.vol24h,
      ts: String(now),
      sodUtc0: day.sodUtc0,
      sodUtc8: day.sodUtc8,
    };
  }
}
