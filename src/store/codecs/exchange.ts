import type { KeyEnv } from '../../core/key-rules.js';
import type { Fill } from '../../core/matching.js';
import type { Order } from '../../core/orders.js';
import type { FillRecord, LastFill } from '../exchange.js';

/** Rows and codecs of orders, fills and book versions. */

/** The SQL condition of an open order (live or partially filled), the same in both dialects. */
export const OPEN_ORDER = `state IN ('live', 'partially_filled')`;

export type OrderRow = {
  ord_id: string;
  user_id: number;
  env: KeyEnv;
  inst_id: string;
  cl_ord_id: string;
  tag: string;
  side: Order['side'];
  ord_type: Order['ordType'];
  px: string;
  sz: string;
  tgt_ccy: Order['tgtCcy'];
  acc_fill_sz: string;
  acc_fill_quote: string;
  fee: string;
  fee_ccy: string;
  frozen: string;
  state: Order['state'];
  cancel_source: string;
  c_time: number;
  u_time: number;
  queued_at: number;
};

/** An order as written by a book operation: with the book version that stored it. */
export type BookOrderRow = OrderRow & { book_seq: number };

export function toOrder(r: OrderRow): Order {
  return {
    ordId: r.ord_id,
    clOrdId: r.cl_ord_id,
    tag: r.tag,
    userId: r.user_id,
    env: r.env,
    instId: r.inst_id,
    side: r.side,
    ordType: r.ord_type,
    px: r.px,
    sz: r.sz,
    tgtCcy: r.tgt_ccy,
    accFillSz: r.acc_fill_sz,
    accFillQuote: r.acc_fill_quote,
    fee: r.fee,
    feeCcy: r.fee_ccy,
    frozen: r.frozen,
    state: r.state,
    cancelSource: r.cancel_source,
    cTime: r.c_time,
    uTime: r.u_time,
    queuedAt: r.queued_at,
  };
}

export function orderRow(o: Order, bookSeq: number): BookOrderRow {
  return {
    ord_id: o.ordId,
    user_id: o.userId,
    env: o.env,
    inst_id: o.instId,
    cl_ord_id: o.clOrdId,
    tag: o.tag,
    side: o.side,
    ord_type: o.ordType,
    px: o.px,
    sz: o.sz,
    tgt_ccy: o.tgtCcy,
    acc_fill_sz: o.accFillSz,
    acc_fill_quote: o.accFillQuote,
    fee: o.fee,
    fee_ccy: o.feeCcy,
    frozen: o.frozen,
    state: o.state,
    cancel_source: o.cancelSource,
    c_time: o.cTime,
    u_time: o.uTime,
    queued_at: o.queuedAt,
    book_seq: bookSeq,
  };
}

export type FillRow = {
  trade_id: string;
  ord_id: string;
  cl_ord_id: string;
  tag: string;
  user_id: number;
  env: KeyEnv;
  inst_id: string;
  side: Fill['side'];
  px: string;
  sz: string;
  fee: string;
  fee_ccy: string;
  exec_type: Fill['execType'];
  ts: number;
};

export type BookFillRow = FillRow & { book_seq: number };

/** A fill as read back, with its row id (the bill id). */
export type StoredFillRow = FillRow & { id: number };

export function toFillRecord(r: StoredFillRow): FillRecord {
  return { ...toFill(r), billId: String(r.id) };
}

/** The newest fill of an order. */
export function toLastFill(r: FillRow): LastFill {
  return { tradeId: r.trade_id, px: r.px, sz: r.sz, ts: r.ts };
}

export function toFill(r: FillRow): Fill {
  return {
    tradeId: r.trade_id,
    instId: r.inst_id,
    ordId: r.ord_id,
    clOrdId: r.cl_ord_id,
    tag: r.tag,
    userId: r.user_id,
    env: r.env,
    side: r.side,
    px: r.px,
    sz: r.sz,
    fee: r.fee,
    feeCcy: r.fee_ccy,
    execType: r.exec_type,
    ts: r.ts,
  };
}

export function fillRow(f: Fill, bookSeq: number): BookFillRow {
  return {
    trade_id: f.tradeId,
    ord_id: f.ordId,
    cl_ord_id: f.clOrdId,
    tag: f.tag,
    user_id: f.userId,
    env: f.env,
    inst_id: f.instId,
    side: f.side,
    px: f.px,
    sz: f.sz,
    fee: f.fee,
    fee_ccy: f.feeCcy,
    exec_type: f.execType,
    ts: f.ts,
    book_seq: bookSeq,
  };
}

export type BookVersionRow = { env: KeyEnv; inst_id: string; version: number };
