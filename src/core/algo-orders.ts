import Big from 'big.js';
import { RuleError } from './errors.js';
import type { KeyEnv } from './key-rules.js';
import { requestedInstrument, type SpotInstrument } from './markets.js';
import { checkBaseSize, checkPrice, positiveDecimal, type Side, type TgtCcy } from './orders.js';

/**
 * Spot algo orders as OKX's POST /api/v5/trade/order-algo takes them (facts from OKX's V5 docs
 * "Place algo order", "Algo order list/history" and ccxt's okx.ts):
 * - `conditional`: one TP or SL leg (ccxt sends `oco` when both are given, but OKX accepts both
 *   legs on a conditional too: the first to trigger wins). `oco`: both legs required.
 *   `tpOrdPx`/`slOrdPx` `-1` means a market order.
 * - `trigger`: `triggerPx` and `orderPx` (`-1` market).
 * - `move_order_stop`: a trailing stop, `callbackRatio` (0.01 = 1%) or `callbackSpread`
 *   (a price distance), optional `activePx`; the order it places is a market order.
 * - States: live (waiting), pause, partially_effective, effective (placed its order),
 *   canceled, order_failed (the order was refused: `failCode`, e.g. 51008).
 * - `*TriggerPxType`: last (default), index, mark. **signet:** the paper exchange has no index
 *   and no mark price other than its own book, so `index` and `mark` are accepted and watch the
 *   book's last trade price too.
 * - `tdMode`: `cash` on spot. **signet:** `cross` is accepted as cash too, because ccxt sends
 *   `cross` for spot conditional/oco orders (its comment: OKX answered 51000 to `cash` there);
 *   signet never borrows.
 */
export type AlgoOrdType = 'conditional' | 'oco' | 'trigger' | 'move_order_stop';
export const ALGO_ORD_TYPES: readonly AlgoOrdType[] = ['conditional', 'oco', 'trigger', 'move_order_stop'];
/**
 * OKX's algo states, and two of signet's own that are never listed: `waiting`, an attached TP/SL
 * whose parent order is not done yet; `dropped`, one whose parent order was refused.
 */
export type AlgoState =
  | 'live'
  | 'pause'
  | 'partially_effective'
  | 'effective'
  | 'canceled'
  | 'order_failed'
  | 'waiting'
  | 'dropped';
export const PENDING_STATES: readonly AlgoState[] = ['live', 'pause', 'partially_effective'];
export const HISTORY_STATES: readonly AlgoState[] = ['effective', 'canceled', 'order_failed'];
export type TriggerPxType = 'last' | 'index' | 'mark';

/** One algo order as signet keeps it; prices and sizes are exact decimal strings, '' when not set. */
export interface AlgoOrder {
  algoId: string;
  algoClOrdId: string;
  tag: string;
  userId: number;
  env: KeyEnv;
  instId: string;
  ordType: AlgoOrdType;
  side: Side;
  /** As the client sent it ('cash' or 'cross'). */
  tdMode: string;
  sz: string;
  /** '' unless the placed order is a market order. */
  tgtCcy: TgtCcy | '';
  tpTriggerPx: string;
  tpTriggerPxType: TriggerPxType | '';
  tpOrdPx: string;
  slTriggerPx: string;
  slTriggerPxType: TriggerPxType | '';
  slOrdPx: string;
  triggerPx: string;
  triggerPxType: TriggerPxType | '';
  orderPx: string;
  callbackRatio: string;
  callbackSpread: string;
  activePx: string;
  /** Trailing: the best price seen since activation ('' until active). */
  extremePx: string;
  /** Trailing: the price that fires it now ('' until active). */
  moveTriggerPx: string;
  /** The book's last trade price when placed ('' if none yet): sets a trigger order's direction. */
  last: string;
  state: AlgoState;
  /** What the algo holds frozen, in `frozenCcy`. */
  frozen: string;
  frozenCcy: string;
  /** The order it placed ('' before), its size, price ('-1' market) and leg ('tp', 'sl' or ''). */
  ordId: string;
  actualSz: string;
  actualPx: string;
  actualSide: string;
  triggerTime: number;
  failCode: string;
  /** Attached TP/SL: the parent order and the client id given as attachAlgoClOrdId. */
  parentOrdId: string;
  /** True from the trigger until its order is stored (crash recovery re-runs the placement). */
  placing: boolean;
  cTime: number;
  uTime: number;
}

/** An algo request as received (strings, unvalidated). */
export type AlgoRequest = Record<string, unknown>;

/** A pending algo of the account already uses this algoClOrdId (OKX 51065). */
export const duplicateAlgoClOrdId = (): RuleError =>
  new RuleError('51065', 'algoClOrdId: already used by a pending algo order of this account', 'algoClOrdId');

const CLIENT_ID = /^[A-Za-z0-9]{1,32}$/;
const TAG = /^[A-Za-z0-9]{0,16}$/;
const PX_TYPES: readonly string[] = ['last', 'index', 'mark'];

export function field(req: AlgoRequest, name: string, required = false): string {
  const v = req[name];
  if (v === undefined || v === null || v === '') {
    if (required) throw new RuleError('50014', `${name}: required`, name);
    return '';
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new RuleError('51000', `${name}: must be a string`, name);
  return String(v);
}

/** A limit price on the tick, or '-1' for a market order. */
export function orderPrice(value: string, inst: SpotInstrument, name: string): string {
  if (value === '-1') return '-1';
  const px = positiveDecimal(value, name);
  checkPrice(px, inst, name);
  return px.toFixed();
}

function triggerPrice(value: string, inst: SpotInstrument, name: string): string {
  const px = positiveDecimal(value, name);
  checkPrice(px, inst, name);
  return px.toFixed();
}

export function pxType(req: AlgoRequest, name: string): TriggerPxType {
  const t = field(req, name) || 'last';
  if (!PX_TYPES.includes(t)) throw new RuleError('51000', `${name}: must be last, index or mark, got "${t}"`, name);
  return t as TriggerPxType;
}

/** An empty algo record: every optional field ''. */
export function blankAlgo(base: Pick<AlgoOrder, 'algoId' | 'userId' | 'env' | 'instId' | 'cTime'>): AlgoOrder {
  return {
    ...base,
    algoClOrdId: '',
    tag: '',
    ordType: 'conditional',
    side: 'sell',
    tdMode: 'cash',
    sz: '',
    tgtCcy: '',
    tpTriggerPx: '',
    tpTriggerPxType: '',
    tpOrdPx: '',
    slTriggerPx: '',
    slTriggerPxType: '',
    slOrdPx: '',
    triggerPx: '',
    triggerPxType: '',
    orderPx: '',
    callbackRatio: '',
    callbackSpread: '',
    activePx: '',
    extremePx: '',
    moveTriggerPx: '',
    last: '',
    state: 'live',
    frozen: '0',
    frozenCcy: '',
    ordId: '',
    actualSz: '',
    actualPx: '',
    actualSide: '',
    triggerTime: 0,
    failCode: '',
    parentOrdId: '',
    placing: false,
    uTime: base.cTime,
  };
}

/** The TP and SL legs of a request (conditional, oco, or an attached TP/SL); at least one. */
export function parseLegs(
  req: AlgoRequest,
  inst: SpotInstrument,
): Pick<AlgoOrder, 'tpTriggerPx' | 'tpTriggerPxType' | 'tpOrdPx' | 'slTriggerPx' | 'slTriggerPxType' | 'slOrdPx'> {
  const leg = (p: 'tp' | 'sl') => {
    const trig = field(req, `${p}TriggerPx`);
    const ord = field(req, `${p}OrdPx`);
    if (trig === '' && ord === '') return { trig: '', type: '' as const, ord: '' };
    // OKX: a trigger price needs its order price and the other way round.
    if (trig === '') throw new RuleError('50014', `${p}TriggerPx: required with ${p}OrdPx`, `${p}TriggerPx`);
    if (ord === '') throw new RuleError('50014', `${p}OrdPx: required with ${p}TriggerPx`, `${p}OrdPx`);
    return {
      trig: triggerPrice(trig, inst, `${p}TriggerPx`),
      type: pxType(req, `${p}TriggerPxType`),
      ord: orderPrice(ord, inst, `${p}OrdPx`),
    };
  };
  const tp = leg('tp');
  const sl = leg('sl');
  if (tp.trig === '' && sl.trig === '')
    throw new RuleError('50014', 'slTriggerPx: give tpTriggerPx or slTriggerPx', 'slTriggerPx');
  return {
    tpTriggerPx: tp.trig,
    tpTriggerPxType: tp.type,
    tpOrdPx: tp.ord,
    slTriggerPx: sl.trig,
    slTriggerPxType: sl.type,
    slOrdPx: sl.ord,
  };
}

/**
 * The size and its unit. OKX: `tgtCcy` applies to spot market orders, default quote_ccy for a
 * buy and base_ccy for a sell. **signet:** a sell counts base currency only (51000 otherwise).
 */
function sizeOf(req: AlgoRequest, inst: SpotInstrument, side: Side, market: boolean): Pick<AlgoOrder, 'sz' | 'tgtCcy'> {
  const sz = positiveDecimal(field(req, 'sz', true), 'sz');
  if (!market) {
    checkBaseSize(sz, inst);
    return { sz: sz.toFixed(), tgtCcy: '' };
  }
  const given = field(req, 'tgtCcy');
  const tgtCcy = given === '' ? (side === 'buy' ? 'quote_ccy' : 'base_ccy') : given;
  if (tgtCcy !== 'base_ccy' && tgtCcy !== 'quote_ccy')
    throw new RuleError('51000', `tgtCcy: must be base_ccy or quote_ccy, got "${given}"`, 'tgtCcy');
  if (side === 'sell' && tgtCcy === 'quote_ccy')
    throw new RuleError('51000', 'tgtCcy: signet sells count the base currency (base_ccy)', 'tgtCcy');
  if (tgtCcy === 'base_ccy') checkBaseSize(sz, inst);
  return { sz: sz.toFixed(), tgtCcy };
}

function trailing(
  req: AlgoRequest,
  inst: SpotInstrument,
): Pick<AlgoOrder, 'callbackRatio' | 'callbackSpread' | 'activePx'> {
  const ratio = field(req, 'callbackRatio');
  const spread = field(req, 'callbackSpread');
  // OKX: exactly one of callbackRatio and callbackSpread.
  if (ratio === '' && spread === '')
    throw new RuleError('50014', 'callbackRatio: give callbackRatio or callbackSpread', 'callbackRatio');
  if (ratio !== '' && spread !== '')
    throw new RuleError('51000', 'callbackRatio: give callbackRatio or callbackSpread, not both', 'callbackRatio');
  let callbackRatio = '';
  if (ratio !== '') {
    const r = positiveDecimal(ratio, 'callbackRatio');
    // OKX answers 51257 to a callback ratio out of its range (0.001, i.e. 0.1%, to 1 exclusive here).
    if (r.lt('0.001') || r.gte(1))
      throw new RuleError('51257', 'callbackRatio: from 0.001 (0.1%) to below 1', 'callbackRatio');
    callbackRatio = r.toFixed();
  }
  const callbackSpread = spread === '' ? '' : triggerPrice(spread, inst, 'callbackSpread');
  const active = field(req, 'activePx');
  return { callbackRatio, callbackSpread, activePx: active === '' ? '' : triggerPrice(active, inst, 'activePx') };
}

/**
 * Validates a POST /trade/order-algo request into a new algo record (state live, nothing frozen
 * yet): 50014 a required field missing, 51001 an unknown instrument, 51000 a malformed field.
 */
export function validateAlgo(
  req: AlgoRequest,
  instruments: ReadonlyMap<string, SpotInstrument>,
  ids: Pick<AlgoOrder, 'algoId' | 'userId' | 'env' | 'cTime'>,
): { algo: AlgoOrder; inst: SpotInstrument } {
  const inst = requestedInstrument(req, instruments);
  const tdMode = field(req, 'tdMode', true);
  if (tdMode !== 'cash' && tdMode !== 'cross')
    throw new RuleError('51000', `tdMode: spot algo orders use "cash", got "${tdMode}"`, 'tdMode');
  const side = field(req, 'side', true);
  if (side !== 'buy' && side !== 'sell')
    throw new RuleError('51000', `side: must be buy or sell, got "${side}"`, 'side');
  const ordType = field(req, 'ordType', true) as AlgoOrdType;
  if (!ALGO_ORD_TYPES.includes(ordType))
    throw new RuleError('51000', `ordType: must be one of ${ALGO_ORD_TYPES.join(', ')}, got "${ordType}"`, 'ordType');
  const algoClOrdId = field(req, 'algoClOrdId');
  if (algoClOrdId !== '' && !CLIENT_ID.test(algoClOrdId))
    throw new RuleError('51000', 'algoClOrdId: up to 32 letters and digits', 'algoClOrdId');
  const tag = field(req, 'tag');
  if (!TAG.test(tag)) throw new RuleError('51000', 'tag: up to 16 letters and digits', 'tag');
  if (req.attachAlgoOrds !== undefined && (!Array.isArray(req.attachAlgoOrds) || req.attachAlgoOrds.length > 0))
    throw new RuleError('51000', 'attachAlgoOrds: signet does not attach TP/SL to algo orders yet', 'attachAlgoOrds');
  const algo: AlgoOrder = { ...blankAlgo({ ...ids, instId: inst.instId }), algoClOrdId, tag, ordType, side, tdMode };
  if (ordType === 'conditional' || ordType === 'oco') {
    const legs = parseLegs(req, inst);
    if (ordType === 'oco' && (legs.tpTriggerPx === '' || legs.slTriggerPx === ''))
      throw new RuleError(
        '50014',
        'oco: give both tpTriggerPx and slTriggerPx',
        legs.tpTriggerPx === '' ? 'tpTriggerPx' : 'slTriggerPx',
      );
    const kinds = [legs.tpOrdPx, legs.slOrdPx].filter((p) => p !== '').map((p) => p === '-1');
    // A market leg beside a limit leg: the size counts the base currency for both.
    if (kinds.every((m) => m)) return { algo: { ...algo, ...legs, ...sizeOf(req, inst, side, true) }, inst };
    const size = sizeOf(req, inst, side, false);
    return { algo: { ...algo, ...legs, ...size, tgtCcy: kinds.some((m) => m) ? 'base_ccy' : '' }, inst };
  }
  if (ordType === 'trigger') {
    const triggerPx = triggerPrice(field(req, 'triggerPx', true), inst, 'triggerPx');
    const orderPx = orderPrice(field(req, 'orderPx', true), inst, 'orderPx');
    const size = sizeOf(req, inst, side, orderPx === '-1');
    return { algo: { ...algo, triggerPx, triggerPxType: pxType(req, 'triggerPxType'), orderPx, ...size }, inst };
  }
  return { algo: { ...algo, ...trailing(req, inst), ...sizeOf(req, inst, side, true) }, inst };
}

const big = (s: string) => new Big(s);

/**
 * Checks the legs against the book's last price as OKX does (51279/51280 for a sell, 51277/51278
 * for a buy): a sell's TP above the last price and its SL below, a buy's the other way round.
 * With no trade yet there is nothing to compare with.
 */
export function checkLegsAgainstLast(a: AlgoOrder, last: string): void {
  if (last === '') return;
  const sell = a.side === 'sell';
  if (a.tpTriggerPx !== '') {
    if (sell && big(a.tpTriggerPx).lte(last))
      throw new RuleError('51279', `tpTriggerPx: ${a.tpTriggerPx} must be above the last price ${last}`);
    if (!sell && big(a.tpTriggerPx).gte(last))
      throw new RuleError('51277', `tpTriggerPx: ${a.tpTriggerPx} must be below the last price ${last}`);
  }
  if (a.slTriggerPx !== '') {
    if (sell && big(a.slTriggerPx).gte(last))
      throw new RuleError('51280', `slTriggerPx: ${a.slTriggerPx} must be below the last price ${last}`);
    if (!sell && big(a.slTriggerPx).lte(last))
      throw new RuleError('51278', `slTriggerPx: ${a.slTriggerPx} must be above the last price ${last}`);
  }
}
