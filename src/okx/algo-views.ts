import type { AlgoOrder } from '../core/algo-orders.js';
import type { Order } from '../core/orders.js';

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
 * An order's `attachAlgoOrds` (OKX's GET /trade/order, the order lists and the `orders` push):
 * its attached TP/SL as placed, kept on the order in every state (bots read `failCode` on a
 * filled order to learn whether its TP/SL went live). `sz` and `amendPxOnTriggerType` only
 * apply to split TPs of contracts ('' and '0' on spot). OKX: `failCode`/`failReason` say why the
 * TP/SL could not be placed once the order filled, e.g. 51020 (below the minimum order size):
 * signet's attached TP/SL fails that way when the filled size is below the minimum (it is
 * canceled unsized). One whose order was refused (`dropped`) belongs to no order.
 */
export function attachedAlgoViews(children: readonly AlgoOrder[], parent?: Pick<Order, 'accFillSz'>) {
  return children
    .filter((c) => c.state !== 'dropped')
    .map((c) => {
      const tooSmall = c.state === 'canceled' && c.sz === '' && parent !== undefined && parent.accFillSz !== '0';
      return {
        amendPxOnTriggerType: '0',
        attachAlgoClOrdId: c.algoClOrdId,
        attachAlgoId: c.algoId,
        failCode: tooSmall ? '51020' : '',
        failReason: tooSmall ? 'The filled size is below the minimum order size' : '',
        slOrdPx: c.slOrdPx,
        slTriggerPx: c.slTriggerPx,
        slTriggerPxType: c.slTriggerPxType,
        sz: '',
        tpOrdKind: 'condition',
        tpOrdPx: c.tpOrdPx,
        tpTriggerPx: c.tpTriggerPx,
        tpTriggerPxType: c.tpTriggerPxType,
      };
    });
}

/** The attached algos of a page of orders, by parent ordId. */
export function childrenByParent(children: readonly AlgoOrder[]): Map<string, AlgoOrder[]> {
  const by = new Map<string, AlgoOrder[]>();
  for (const c of children) {
    const list = by.get(c.parentOrdId);
    if (list === undefined) by.set(c.parentOrdId, [c]);
    else list.push(c);
  }
  return by;
}
