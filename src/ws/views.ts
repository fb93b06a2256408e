import type { PublicTrade } from '../core/candles.js';
import { addAmounts } from '../core/ledger.js';
import type { OrderUpdate } from '../core/order-updates.js';
import { orderView } from '../http/trade-views.js';
import type { BalanceRow } from '../store/store.js';

/**
 * The WebSocket push shapes, as OKX's channels send them; every number a string. The REST views
 * are reused where OKX uses the same fields (an `account` push is the balance endpoint's object).
 */

/** A push: `{"arg":…,"data":[…]}` with extra top-level fields (action, eventType) before data. */
export function push(arg: Readonly<Record<string, string>>, data: readonly unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ arg, ...extra, data });
}

/** `orders` channel: the order view plus the fill that caused the update (empty when none). */
export function orderPushView(u: OrderUpdate) {
  const f = u.fill;
  return {
    ...orderView(u.order),
    amendResult: '', amendSource: '', code: '0', msg: '', reqId: '', notionalUsd: '', fillNotionalUsd: '', fillPnl: '0',
    fillPx: f?.px ?? '', fillSz: f?.sz ?? '0', tradeId: f?.tradeId ?? '', fillTime: f === null ? '' : String(f.ts),
    fillFee: f?.fee ?? '0', fillFeeCcy: f?.feeCcy ?? '', execType: f?.execType ?? '',
  };
}

/** `balance_and_position` channel (spot subset: cash balances, no positions). */
export function balanceAndPositionView(rows: readonly BalanceRow[], eventType: 'snapshot' | 'filled' | 'transferred', now: number) {
  return {
    pTime: String(now), eventType,
    balData: rows.map((r) => ({ ccy: r.ccy, cashBal: addAmounts(r.avail, r.frozen), uTime: String(r.updatedAt) })),
    posData: [], trades: [],
  };
}

/** `trades` channel. */
export function tradeView(instId: string, t: PublicTrade) {
  return { instId, tradeId: t.tradeId, px: t.px, sz: t.sz, side: t.side, ts: String(t.ts), count: '1' };
}
