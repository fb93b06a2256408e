import Big from 'big.js';
import { type AlgoOrder, type AlgoRequest, blankAlgo, field, parseLegs } from './algo-orders.js';
import { RuleError } from './errors.js';
import type { SpotInstrument } from './markets.js';
import type { Order } from './orders.js';

const CLIENT_ID = /^[A-Za-z0-9]{1,32}$/;
const LEG_FIELDS = ['tpTriggerPx', 'tpTriggerPxType', 'tpOrdPx', 'slTriggerPx', 'slTriggerPxType', 'slOrdPx'];

/**
 * The TP/SL attached to an order request, or null: OKX's `attachAlgoOrds` (an array; on spot one
 * entry, which may hold a TP, an SL or both, plus `attachAlgoClOrdId`), or the older top-level
 * `tpTriggerPx`/`slTriggerPx`... fields of the same order, which OKX still accepts.
 */
export function attachedRequest(req: Record<string, unknown>): AlgoRequest | null {
  const list = req.attachAlgoOrds;
  if (list !== undefined && list !== null && list !== '') {
    if (!Array.isArray(list)) throw new RuleError('51000', 'attachAlgoOrds: must be an array', 'attachAlgoOrds');
    if (list.length === 0) return null;
    if (list.length > 1)
      throw new RuleError(
        '51000',
        'attachAlgoOrds: spot orders take one TP/SL entry (split TPs are for contracts)',
        'attachAlgoOrds',
      );
    const one: unknown = list[0];
    if (typeof one !== 'object' || one === null || Array.isArray(one))
      throw new RuleError('51000', 'attachAlgoOrds: each entry must be an object', 'attachAlgoOrds');
    return one as AlgoRequest;
  }
  const legacy: AlgoRequest = {};
  for (const f of LEG_FIELDS) if (req[f] !== undefined && req[f] !== '') legacy[f] = req[f];
  return Object.keys(legacy).length === 0 ? null : legacy;
}

/**
 * The attached TP/SL of a new order, as a `waiting` algo: the opposite side of its parent, an OCO
 * when it has both legs, sized when the parent fills. OKX checks the triggers against the
 * parent's limit price: for a buy, TP above (51046) and SL below (51047) it; for a sell, TP below
 * (51048) and SL above (51049).
 */
export function attachedAlgo(
  req: AlgoRequest,
  inst: SpotInstrument,
  parent: Pick<Order, 'ordId' | 'side' | 'px' | 'tag'>,
  ids: Pick<AlgoOrder, 'algoId' | 'userId' | 'env' | 'cTime'>,
): AlgoOrder {
  const clId = field(req, 'attachAlgoClOrdId');
  if (clId !== '' && !CLIENT_ID.test(clId))
    throw new RuleError('51000', 'attachAlgoClOrdId: up to 32 letters and digits', 'attachAlgoClOrdId');
  const legs = parseLegs(req, inst);
  if (parent.px !== '') {
    const px = new Big(parent.px);
    const buy = parent.side === 'buy';
    if (legs.tpTriggerPx !== '' && (buy ? px.gte(legs.tpTriggerPx) : px.lte(legs.tpTriggerPx)))
      throw new RuleError(
        buy ? '51046' : '51048',
        `tpTriggerPx: ${legs.tpTriggerPx} against the order price ${parent.px}`,
      );
    if (legs.slTriggerPx !== '' && (buy ? px.lte(legs.slTriggerPx) : px.gte(legs.slTriggerPx)))
      throw new RuleError(
        buy ? '51047' : '51049',
        `slTriggerPx: ${legs.slTriggerPx} against the order price ${parent.px}`,
      );
  }
  const both = legs.tpTriggerPx !== '' && legs.slTriggerPx !== '';
  const market = legs.tpOrdPx === '-1' || legs.slOrdPx === '-1';
  return {
    ...blankAlgo({ ...ids, instId: inst.instId }),
    ...legs,
    algoClOrdId: clId,
    tag: parent.tag,
    ordType: both ? 'oco' : 'conditional',
    side: parent.side === 'buy' ? 'sell' : 'buy',
    tgtCcy: market ? 'base_ccy' : '',
    state: 'waiting',
    parentOrdId: parent.ordId,
  };
}

/**
 * What becomes of a waiting attached TP/SL once its parent is done (OKX: it is placed once the
 * parent is completely filled). **signet:** a parent canceled after a partial fill also gets its
 * TP/SL, for the filled size; one canceled unfilled cancels it. The size is the base currency the
 * fill brought for a buy (filled size less a fee charged in base, down to the lot), or the filled
 * size for a sell. Null while the parent is still open; a size below the minimum cancels it.
 */
export function activatedChild(child: AlgoOrder, parent: Order, inst: SpotInstrument, now: number): AlgoOrder | null {
  if (parent.state === 'live' || parent.state === 'partially_filled') return null;
  const filled = new Big(parent.accFillSz);
  let sz = filled;
  if (parent.side === 'buy' && parent.feeCcy === inst.baseCcy) sz = filled.plus(parent.fee);
  sz = sz.div(inst.lotSz).round(0, Big.roundDown).times(inst.lotSz);
  if (filled.eq(0) || sz.lt(inst.minSz)) return { ...child, state: 'canceled', uTime: now };
  return { ...child, sz: sz.toFixed(), state: 'live', uTime: now };
}
