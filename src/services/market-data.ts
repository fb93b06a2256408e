import Big from 'big.js';
import type { PublicTrade } from '../core/candles.js';
import type { KeyEnv } from '../core/key-rules.js';
import { SPOT_INSTRUMENTS } from '../core/markets.js';
import type { ExchangeStore } from '../store/store.js';
import type { TradingService } from './trading-service.js';

/** Trades kept per book for /market/trades and /market/candles. */
const KEEP = 5000;

/**
 * Public market data drawn from the books and the trades made since start-up: the taker side
 * of every fill is one public trade.
 */
export class MarketData {
  private readonly trades = new Map<string, PublicTrade[]>();

  constructor(
    private readonly store: ExchangeStore,
    private readonly trading: TradingService,
    private readonly reference: (instId: string) => string | undefined,
  ) {
    trading.onFills((env, fills) => {
      for (const f of fills) {
        if (f.execType !== 'T') continue;
        const list = this.list(env, f.instId);
        list.push({ tradeId: f.tradeId, px: f.px, sz: f.sz, side: f.side, ts: f.ts });
        if (list.length > KEEP) list.splice(0, list.length - KEEP);
      }
    });
  }

  /** Loads the newest stored trades of every book, so trades and candles survive a restart. */
  async start(): Promise<void> {
    for (const env of ['live', 'demo'] as const) {
      for (const inst of SPOT_INSTRUMENTS) {
        const stored = await this.store.listPublicTrades(env, inst.instId, KEEP);
        const list = this.list(env, inst.instId);
        list.unshift(
          ...stored.reverse().map((f) => ({ tradeId: f.tradeId, px: f.px, sz: f.sz, side: f.side, ts: f.ts })),
        );
      }
    }
  }

  private list(env: KeyEnv, instId: string): PublicTrade[] {
    const id = `${env}:${instId}`;
    let list = this.trades.get(id);
    if (list === undefined) {
      list = [];
      this.trades.set(id, list);
    }
    return list;
  }

  /** Trades oldest first. */
  allTrades(env: KeyEnv, instId: string): readonly PublicTrade[] {
    return this.list(env, instId);
  }

  /** The newest trades, newest first. */
  recentTrades(env: KeyEnv, instId: string, limit: number): PublicTrade[] {
    return this.list(env, instId).slice(-limit).reverse();
  }

  /** OKX's ticker: last trade (or the reference price before any), best bid/ask, 24 h figures. */
  ticker(env: KeyEnv, instId: string, now: number) {
    const book = this.trading.book(env, instId);
    const bid = book.levels('buy', 1)[0];
    const ask = book.levels('sell', 1)[0];
    const day = this.list(env, instId).filter((t) => t.ts > now - 86_400_000);
    const last = this.list(env, instId).at(-1);
    const lastPx =
      last?.px ??
      this.reference(instId) ??
      (bid !== undefined && ask !== undefined ? new Big(bid[0]).plus(ask[0]).div(2).toFixed() : '');
    let high = day[0]?.px ?? lastPx;
    let low = high;
    let vol = new Big(0);
    let volCcy = new Big(0);
    for (const t of day) {
      if (new Big(t.px).gt(high)) high = t.px;
      if (new Big(t.px).lt(low)) low = t.px;
      vol = vol.plus(t.sz);
      volCcy = volCcy.plus(new Big(t.px).times(t.sz));
    }
    const open = day[0]?.px ?? lastPx;
    return {
      instType: 'SPOT',
      instId,
      last: lastPx,
      lastSz: last?.sz ?? '0',
      askPx: ask?.[0] ?? '',
      askSz: ask?.[1] ?? '',
      bidPx: bid?.[0] ?? '',
      bidSz: bid?.[1] ?? '',
      open24h: open,
      high24h: high,
      low24h: low,
      volCcy24h: volCcy.toFixed(),
      vol24h: vol.toFixed(),
      ts: String(now),
      sodUtc0: open,
      sodUtc8: open,
    };
  }
}
