import type { AlgoOrder, AlgoOrdType, AlgoState, TriggerPxType } from '../../core/algo-orders.js';
import type { KeyEnv } from '../../core/key-rules.js';
import type { Side, TgtCcy } from '../../core/orders.js';

/**
 * One row of `algo_orders`, as both adapters store it: text columns for the ids, prices and
 * sizes, bigint (PostgreSQL) / integer (SQLite) for the user and the times, `is_placing` as 0/1 on
 * both (an integer column, so one codec fits).
 */
export type AlgoRow = {
  algo_id: string;
  user_id: number;
  env: string;
  inst_id: string;
  algo_cl_ord_id: string;
  tag: string;
  ord_type: string;
  side: string;
  td_mode: string;
  sz: string;
  tgt_ccy: string;
  tp_trigger_px: string;
  tp_trigger_px_type: string;
  tp_ord_px: string;
  sl_trigger_px: string;
  sl_trigger_px_type: string;
  sl_ord_px: string;
  trigger_px: string;
  trigger_px_type: string;
  order_px: string;
  callback_ratio: string;
  callback_spread: string;
  active_px: string;
  extreme_px: string;
  move_trigger_px: string;
  last_px: string;
  state: string;
  frozen: string;
  frozen_ccy: string;
  ord_id: string;
  actual_sz: string;
  actual_px: string;
  actual_side: string;
  trigger_time: number;
  fail_code: string;
  parent_ord_id: string;
  is_placing: number;
  c_time: number;
  u_time: number;
};

/** The columns in one order, for the INSERT and UPDATE statements of both adapters. */
export const ALGO_COLUMNS = [
  'algo_id',
  'user_id',
  'env',
  'inst_id',
  'algo_cl_ord_id',
  'tag',
  'ord_type',
  'side',
  'td_mode',
  'sz',
  'tgt_ccy',
  'tp_trigger_px',
  'tp_trigger_px_type',
  'tp_ord_px',
  'sl_trigger_px',
  'sl_trigger_px_type',
  'sl_ord_px',
  'trigger_px',
  'trigger_px_type',
  'order_px',
  'callback_ratio',
  'callback_spread',
  'active_px',
  'extreme_px',
  'move_trigger_px',
  'last_px',
  'state',
  'frozen',
  'frozen_ccy',
  'ord_id',
  'actual_sz',
  'actual_px',
  'actual_side',
  'trigger_time',
  'fail_code',
  'parent_ord_id',
  'is_placing',
  'c_time',
  'u_time',
] as const satisfies ReadonlyArray<keyof AlgoRow>;

export function algoRow(a: AlgoOrder): AlgoRow {
  return {
    algo_id: a.algoId,
    user_id: a.userId,
    env: a.env,
    inst_id: a.instId,
    algo_cl_ord_id: a.algoClOrdId,
    tag: a.tag,
    ord_type: a.ordType,
    side: a.side,
    td_mode: a.tdMode,
    sz: a.sz,
    tgt_ccy: a.tgtCcy,
    tp_trigger_px: a.tpTriggerPx,
    tp_trigger_px_type: a.tpTriggerPxType,
    tp_ord_px: a.tpOrdPx,
    sl_trigger_px: a.slTriggerPx,
    sl_trigger_px_type: a.slTriggerPxType,
    sl_ord_px: a.slOrdPx,
    trigger_px: a.triggerPx,
    trigger_px_type: a.triggerPxType,
    order_px: a.orderPx,
    callback_ratio: a.callbackRatio,
    callback_spread: a.callbackSpread,
    active_px: a.activePx,
    extreme_px: a.extremePx,
    move_trigger_px: a.moveTriggerPx,
    last_px: a.last,
    state: a.state,
    frozen: a.frozen,
    frozen_ccy: a.frozenCcy,
    ord_id: a.ordId,
    actual_sz: a.actualSz,
    actual_px: a.actualPx,
    actual_side: a.actualSide,
    trigger_time: a.triggerTime,
    fail_code: a.failCode,
    parent_ord_id: a.parentOrdId,
    is_placing: a.placing ? 1 : 0,
    c_time: a.cTime,
    u_time: a.uTime,
  };
}

export function toAlgo(r: AlgoRow): AlgoOrder {
  return {
    algoId: r.algo_id,
    userId: Number(r.user_id),
    env: r.env as KeyEnv,
    instId: r.inst_id,
    algoClOrdId: r.algo_cl_ord_id,
    tag: r.tag,
    ordType: r.ord_type as AlgoOrdType,
    side: r.side as Side,
    tdMode: r.td_mode,
    sz: r.sz,
    tgtCcy: r.tgt_ccy as TgtCcy | '',
    tpTriggerPx: r.tp_trigger_px,
    tpTriggerPxType: r.tp_trigger_px_type as TriggerPxType | '',
    tpOrdPx: r.tp_ord_px,
    slTriggerPx: r.sl_trigger_px,
    slTriggerPxType: r.sl_trigger_px_type as TriggerPxType | '',
    slOrdPx: r.sl_ord_px,
    triggerPx: r.trigger_px,
    triggerPxType: r.trigger_px_type as TriggerPxType | '',
    orderPx: r.order_px,
    callbackRatio: r.callback_ratio,
    callbackSpread: r.callback_spread,
    activePx: r.active_px,
    extremePx: r.extreme_px,
    moveTriggerPx: r.move_trigger_px,
    last: r.last_px,
    state: r.state as AlgoState,
    frozen: r.frozen,
    frozenCcy: r.frozen_ccy,
    ordId: r.ord_id,
    actualSz: r.actual_sz,
    actualPx: r.actual_px,
    actualSide: r.actual_side,
    triggerTime: Number(r.trigger_time),
    failCode: r.fail_code,
    parentOrdId: r.parent_ord_id,
    placing: Number(r.is_placing) === 1,
    cTime: Number(r.c_time),
    uTime: Number(r.u_time),
  };
}

/** States that keep an algoClOrdId taken (OKX: unique among the account's pending algo orders). */
export const OPEN_ALGO = "state IN ('live', 'pause', 'partially_effective', 'waiting')";
