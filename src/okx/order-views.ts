import type { AlgoOrder } from '../core/algo-orders.js';
import type { OrderUpdate } from '../core/order-updates.js';
import { averagePrice, type Order } from '../core/orders.js';
import type { RatedFill } from '../services/trading-service.js';
import type { LastFill } from '../store/exchange.js';
import { attachedAlgoViews } from './algo-views.js';

/**
 * GET /api/v5/trade/order and the order lists: OKX's spot order shape, every field present.
 * fillPx, fillSz, fillTime and tradeId are those of the order's newest fill (OKX: "last filled");
 * with no fill yet, fillPx, fillTime and tradeId are "" and fillSz "0", as OKX's examples show.
 * posSide is "net" for a spot (cash) order, as ccxt's recorded real OKX spot order shows (OKX's doc example says "").
 * An order placed with a TP/SL (`attachAlgoOrds`, or the older top-level fields) lists it in
 * `attachAlgoOrds`, and the top-level attachAlgoClOrdId and TP/SL fields repeat its first entry
 * (ccxt's parseOrder reads stopLossPrice/takeProfitPrice from those top-level fields).
 */
export function orderView(o: Order, last?: LastFill, attached: readonly AlgoOrder[] = []) {
  const attachAlgoOrds = attachedAlgoViews(attached, o);
  const first = attachAlgoOrds[0];
  return {
    accFillSz: o.accFillSz,
    algoClOrdId: '',
    algoId: '',
    attachAlgoClOrdId: first?.attachAlgoClOrdId ?? '',
    attachAlgoOrds,
    avgPx: averagePrice(o),
    cTime: String(o.cTime),
    cancelSource: o.cancelSource === '' ? '' : (CANCEL_SOURCES[o.cancelSource] ?? ''),
    cancelSourceReason: o.cancelSource,
    category: 'normal',
    ccy: '',
    clOrdId: o.clOrdId,
    fee: o.fee,
    feeCcy: o.feeCcy,
    fillPx: last?.px ?? '',
    fillSz: last?.sz ?? '0',
    fillTime: last === undefined ? '' : String(last.ts),
    instId: o.instId,
    instType: 'SPOT',
    isTpLimit: 'false',
    lever: '',
    linkedAlgoOrd: { algoId: '' },
    ordId: o.ordId,
    ordType: o.ordType,
    pnl: '0',
    posSide: 'net',
    px: o.px,
    pxType: '',
    pxUsd: '',
    pxVol: '',
    quickMgnType: '',
    rebate: '0',
    rebateCcy: o.feeCcy,
    reduceOnly: 'false',
    side: o.side,
    slOrdPx: first?.slOrdPx ?? '',
    slTriggerPx: first?.slTriggerPx ?? '',
    slTriggerPxType: first?.slTriggerPxType ?? '',
    source: '',
    state: o.state,
    stpId: '',
    stpMode: 'cancel_maker',
    sz: o.sz,
    tag: o.tag,
    tdMode: 'cash',
    tgtCcy: o.tgtCcy,
    tpOrdPx: first?.tpOrdPx ?? '',
    tpTriggerPx: first?.tpTriggerPx ?? '',
    tpTriggerPxType: first?.tpTriggerPxType ?? '',
    tradeId: last?.tradeId ?? '',
    tradeQuoteCcy: quoteOf(o.instId),
    uTime: String(o.uTime),
  };
}

/** The quote currency of a spot instrument id ("BTC-USDT" -> "USDT"). */
const quoteOf = (instId: string): string => instId.slice(instId.indexOf('-') + 1);

/**
 * OKX's numeric cancelSource codes: 0 by the system, 1 by the user, 14 an IOC remainder,
 * 31 a post-only order that would take, 32 self-trade prevention.
 */
const CANCEL_SOURCES: Record<string, string> = {
  user: '1',
  self_trade: '32',
  post_only: '31',
  ioc: '14',
  fok: '0',
  market: '0',
};

/**
 * GET /api/v5/trade/fills and /fills-history: billId is the fill's own bill (not the trade id);
 * feeRate is the rate charged, negative (OKX returns it for SPOT); posSide "net" as OKX's spot
 * fills show; the options and derivatives fields empty.
 */
export function fillView(f: RatedFill) {
  return {
    billId: f.billId,
    clOrdId: f.clOrdId,
    execType: f.execType,
    fee: f.fee,
    feeCcy: f.feeCcy,
    feeRate: f.feeRate,
    fillFwdPx: '',
    fillIdxPx: '',
    fillMarkPx: '',
    fillMarkVol: '',
    fillPnl: '0',
    fillPx: f.px,
    fillPxUsd: '',
    fillPxVol: '',
    fillSz: f.sz,
    fillTime: String(f.ts),
    instId: f.instId,
    instType: 'SPOT',
    ordId: f.ordId,
    posSide: 'net',
    side: f.side,
    subType: f.side === 'buy' ? '1' : '2',
    tag: f.tag,
    tradeId: f.tradeId,
    tradeQuoteCcy: quoteOf(f.instId),
    ts: String(f.ts),
  };
}

/** `orders` channel: the order view plus the fill that caused the update (empty when none). */
export function orderPushView(u: OrderUpdate, attached: readonly AlgoOrder[] = []) {
  const f = u.fill;
  return {
    ...orderView(u.order, undefined, attached),
    amendResult: '',
    amendSource: '',
    code: '0',
    msg: '',
    reqId: '',
    notionalUsd: '',
    fillNotionalUsd: '',
    fillPnl: '0',
    fillPx: f?.px ?? '',
    fillSz: f?.sz ?? '0',
    tradeId: f?.tradeId ?? '',
    fillTime: f === null ? '' : String(f.ts),
    fillFee: f?.fee ?? '0',
    fillFeeCcy: f?.feeCcy ?? '',
    execType: f?.execType ?? '',
  };
}
