import type { AlgoOrder } from '../core/algo-orders.js';

const time = (ms: number): string => (ms === 0 ? '' : String(ms));

/**
 * GET /trade/order-algo, /orders-algo-pending and /orders-algo-history: OKX's algo order shape
 * for spot, every documented field present ('' where it does not apply to spot or to this type).
 */
export function algoView(a: AlgoOrder) {
  return {
    activePx: a.activePx,
    actualPx: a.actualPx,
    actualSide: a.actualSide,
    actualSz: a.actualSz === '' ? '0' : a.actualSz,
    algoClOrdId: a.algoClOrdId,
    algoId: a.algoId,
    amendPxOnTriggerType: '0',
    attachAlgoOrds: [],
    cTime: String(a.cTime),
    callbackRatio: a.callbackRatio,
    callbackSpread: a.callbackSpread,
    ccy: '',
    chaseType: '',
    chaseVal: '',
    clOrdId: '',
    closeFraction: '',
    failCode: a.failCode,
    instId: a.instId,
    instType: 'SPOT',
    isTradeBorrowMode: '',
    last: a.last,
    lever: '',
    linkedOrd: { ordId: '' },
    maxChaseType: '',
    maxChaseVal: '',
    moveTriggerPx: a.moveTriggerPx,
    ordId: a.ordId,
    ordIdList: a.ordId === '' ? [] : [a.ordId],
    ordPx: a.orderPx,
    ordType: a.ordType,
    posSide: 'net',
    pxLimit: '',
    pxSpread: '',
    pxVar: '',
    quickMgnType: '',
    reduceOnly: 'false',
    side: a.side,
    slOrdPx: a.slOrdPx,
    slTriggerPx: a.slTriggerPx,
    slTriggerPxType: a.slTriggerPxType,
    state: a.state,
    sz: a.sz,
    szLimit: '',
    tag: a.tag,
    tdMode: a.tdMode,
    tgtCcy: a.tgtCcy,
    timeInterval: '',
    tpOrdPx: a.tpOrdPx,
    tpTriggerPx: a.tpTriggerPx,
    tpTriggerPxType: a.tpTriggerPxType,
    tradeQuoteCcy: '',
    triggerPx: a.triggerPx,
    triggerPxType: a.triggerPxType,
    triggerTime: time(a.triggerTime),
    uTime: String(a.uTime),
  };
}

/** The orders-algo / algo-advance WebSocket push: the REST shape plus the push-only fields. */
export function algoPushView(a: AlgoOrder) {
  return { ...algoView(a), amendResult: '', notionalUsd: '', reqId: '' };
}

/**
 * An order's `attachAlgoOrds` while its TP/SL waits for the fill (OKX lists them on the order;
 * once the order is filled they become algo orders of their own).
 */
export function attachedAlgoViews(children: readonly AlgoOrder[]) {
  return children
    .filter((c) => c.state === 'waiting')
    .map((c) => ({
      amendPxOnTriggerType: '0',
      attachAlgoClOrdId: c.algoClOrdId,
      attachAlgoId: c.algoId,
      failCode: '',
      failReason: '',
      slOrdPx: c.slOrdPx,
      slTriggerPx: c.slTriggerPx,
      slTriggerPxType: c.slTriggerPxType,
      sz: '',
      tpOrdKind: 'condition',
      tpOrdPx: c.tpOrdPx,
      tpTriggerPx: c.tpTriggerPx,
      tpTriggerPxType: c.tpTriggerPxType,
    }));
}
