import type { WireLevel } from '../core/book-feed.js';
import type { PublicTrade } from '../core/candles.js';
import type { Currency, SpotInstrument } from '../core/markets.js';

/**
 * OKX V5 market shapes, field for field as OKX returns them (every number a string, unused fields
 * present and empty), checked against ccxt's recorded OKX responses; the same objects on REST
 * and in the WebSocket channels.
 */

export function instrumentView(i: SpotInstrument) {
  return {
    alias: '',
    auctionEndTime: '',
    baseCcy: i.baseCcy,
    category: '1',
    ctMult: '',
    ctType: '',
    ctVal: '',
    ctValCcy: '',
    expTime: '',
    instFamily: '',
    instId: i.instId,
    instIdCode: i.instIdCode,
    instType: 'SPOT',
    lever: '',
    listTime: String(i.listTime),
    lotSz: i.lotSz,
    maxIcebergSz: i.maxLmtSz,
    maxLmtAmt: '20000000',
    maxLmtSz: i.maxLmtSz,
    maxMktAmt: '1000000',
    maxMktSz: i.maxMktSz,
    maxStopSz: i.maxMktSz,
    maxTriggerSz: i.maxLmtSz,
    maxTwapSz: i.maxLmtSz,
    minSz: i.minSz,
    optType: '',
    quoteCcy: i.quoteCcy,
    ruleType: 'normal',
    settleCcy: '',
    state: 'live',
    stk: '',
    tickSz: i.tickSz,
    uly: '',
  };
}

export function currencyViews(c: Currency) {
  return c.chains.map((ch) => ({
    burningFeeRate: '',
    canDep: true,
    canInternal: true,
    canWd: true,
    ccy: c.ccy,
    chain: ch.chain,
    ctAddr: '',
    depEstOpenTime: '',
    depQuotaFixed: '',
    depQuoteDailyLayer2: '',
    fee: ch.fee,
    logoLink: '',
    mainNet: ch.mainNet,
    maxFee: ch.fee,
    maxFeeForCtAddr: ch.fee,
    maxWd: ch.maxWd,
    minDep: ch.minDep,
    minDepArrivalConfirm: ch.minDepArrivalConfirm,
    minFee: ch.fee,
    minFeeForCtAddr: ch.fee,
    minInternal: '0',
    minWd: ch.minWd,
    minWdUnlockConfirm: ch.minWdUnlockConfirm,
    name: c.name,
    needTag: false,
    usedDepQuotaFixed: '',
    usedWdQuota: '0',
    wdEstOpenTime: '',
    wdQuota: '10000000',
    wdTickSz: ch.wdTickSz,
  }));
}

/** One book level as OKX sends it, from the book's [price, size, orders]: [px, sz, "0", orders]. */
export const bookLevelView = (l: [string, string, number]): WireLevel => [l[0], l[1], '0', String(l[2])];

/** A public trade: GET /api/v5/market/trades, history-trades and the `trades` channel (`source` 0: a normal order, not OKX's Enhanced Liquidity Program). */
export function tradeView(instId: string, t: PublicTrade) {
  return { instId, tradeId: t.tradeId, px: t.px, sz: t.sz, side: t.side, ts: String(t.ts), count: '1', source: '0' };
}
