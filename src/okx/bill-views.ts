import { type BillRecord, classifyBill } from '../core/bills.js';
import { addAmounts, isNegative } from '../core/ledger.js';
import type { DepositAddress, SubTransferRecord, TransferRecord } from '../store/store.js';

/**
 * OKX V5 shapes of bills, transfers, deposit addresses and fee rates, field for field as OKX's
 * documentation and recorded responses spell them (every number a string).
 */

/**
 * GET /account/bills and /account/bills-archive. `sz` is the bill's amount in its currency before
 * the fee (so `balChg` = `sz` + `fee`), `px` the fill price of a trade bill.
 */
export function accountBillView(b: BillRecord) {
  const { type, subType, from, to } = classifyBill(b);
  const trade = b.fill !== null;
  const zeroOrEmpty = trade ? '0' : '';
  return {
    bal: b.bal,
    balChg: b.balChg,
    billId: b.billId,
    ccy: b.ccy,
    clOrdId: b.fill?.clOrdId ?? '',
    earnAmt: '',
    earnApr: '',
    execType: b.fill?.execType ?? '',
    fee: b.fee,
    fillFwdPx: '',
    fillIdxPx: '',
    fillMarkPx: '',
    fillMarkVol: '',
    fillPxUsd: '',
    fillPxVol: '',
    fillTime: trade ? String(b.ts) : '',
    from,
    instId: b.fill?.instId ?? '',
    instType: trade ? 'SPOT' : '',
    interest: zeroOrEmpty,
    mgnMode: trade ? 'cash' : '',
    notes: '',
    ordId: b.fill?.ordId ?? '',
    pnl: zeroOrEmpty,
    posBal: zeroOrEmpty,
    posBalChg: zeroOrEmpty,
    px: b.fill?.px ?? '',
    subType,
    sz: addAmounts(b.balChg, b.fee.startsWith('-') ? b.fee.slice(1) : `-${b.fee}`),
    tag: b.fill?.tag ?? '',
    to,
    tradeId: trade ? b.ref : '',
    ts: String(b.ts),
    type,
  };
}

/** GET /asset/bills and /asset/bills-history: the funding account's bills. */
export function assetBillView(b: BillRecord) {
  return {
    bal: b.bal,
    balChg: b.balChg,
    billId: b.billId,
    ccy: b.ccy,
    clientId: b.clientId,
    notes: '',
    ts: String(b.ts),
    type: classifyBill(b).type,
  };
}

/** GET /asset/transfer-state: a transfer within the account (type 0), done at once. */
export function transferStateView(t: TransferRecord) {
  return {
    amt: t.amt,
    ccy: t.ccy,
    clientId: t.clientId,
    from: t.from,
    instId: '',
    state: 'success',
    subAcct: '',
    to: t.to,
    toInstId: '',
    transId: t.transId,
    type: '0',
  };
}

/** GET /asset/transfer-state for a transfer with a sub-account (types 1–4). */
export function subTransferStateView(t: SubTransferRecord) {
  return {
    amt: t.amt,
    ccy: t.ccy,
    clientId: t.clientId,
    from: t.from,
    instId: '',
    state: 'success',
    subAcct: t.subAcct,
    to: t.to,
    toInstId: '',
    transId: t.transId,
    type: t.type,
  };
}

/** GET /asset/deposit-address: one row per chain, all selected; no tag or memo (no listed chain needs one). */
export function depositAddressView(a: DepositAddress) {
  return { addr: a.addr, ccy: a.ccy, chain: a.chain, ctAddr: '', selected: true, to: '6', verifiedName: '' };
}

/** GET /account/trade-fee: the configured rates in OKX's sign (negative: a commission the user pays). */
export function tradeFeeView(fees: { maker: string; taker: string }, now: number) {
  const neg = (rate: string) => (isNegative(rate) || /^0(\.0*)?$/.test(rate) ? rate : `-${rate}`);
  return {
    category: '1',
    delivery: '',
    exercise: '',
    fiat: [],
    instType: 'SPOT',
    level: 'Lv1',
    maker: neg(fees.maker),
    makerU: '',
    makerUSDC: neg(fees.maker),
    ruleType: 'normal',
    taker: neg(fees.taker),
    takerU: '',
    takerUSDC: neg(fees.taker),
    ts: String(now),
  };
}
