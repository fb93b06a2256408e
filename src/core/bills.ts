import { RuleError } from './errors.js';
import type { KeyEnv } from './key-rules.js';
import { type AccountType, addAmounts, FUNDING, isNegative, TRADING } from './ledger.js';

/**
 * OKX bills: every movement of a balance (avail + frozen) as GET /account/bills (trading account,
 * 18) and GET /asset/bills (funding account, 6) report it.
 *
 * How ledger entries become bills, so that a bot summing `balChg` per currency reconciles exactly
 * to `eq` / `cashBal` (trading) and `bal` (funding):
 * - an entry that only moves funds between avail and frozen (an order's freeze or release, a
 *   pending withdrawal's hold or release) changes no balance and is no bill, as on OKX, where
 *   placing an order writes no bill;
 * - a trade is one bill per currency per fill: the currency paid, and the currency received net
 *   of the fee, whose `fee` field shows the fee (negative), as OKX's spot bills do;
 * - every other entry that changes a balance is one bill.
 * `bal` is the balance after the bill; the bill id is its ledger entry's id.
 */

/** The fill a trade bill came from (fills table). */
export interface BillFill {
  instId: string;
  ordId: string;
  clOrdId: string;
  tag: string;
  side: 'buy' | 'sell';
  px: string;
  execType: string;
}

/** One bill as the store reads it. */
export interface BillRecord {
  billId: string;
  account: AccountType;
  ccy: string;
  kind: string;
  ref: string;
  /** Change of the balance, the fee included. */
  balChg: string;
  /** Balance after the bill. */
  bal: string;
  /** The trade fee charged (zero or negative), '0' for other bills. */
  fee: string;
  clientId: string;
  ts: number;
  fill: BillFill | null;
}

/** A bill's entry and (for a trade) the fee entry merged into it, as stored. */
export function mergeFee(balChg: string, bal: string, fee: { balChg: string; bal: string } | null) {
  return fee === null
    ? { balChg, bal, fee: '0' }
    : { balChg: addAmounts(balChg, fee.balChg), bal: fee.bal, fee: fee.balChg };
}

/** How one kind of entry shows as a bill: OKX `type` and `subType`, by the sign of the change or the fill's side. */
interface BillRule {
  kind: string;
  sign?: 'in' | 'out';
  side?: 'buy' | 'sell';
  type: string;
  subType: string;
  instType?: 'SPOT';
}

/** Trading account (18): OKX bill types 1 transfer (11 in, 12 out; 200 system transfer in) and 2 trade (1 buy, 2 sell). */
const TRADING_RULES: readonly BillRule[] = [
  { kind: 'trade', side: 'buy', type: '2', subType: '1', instType: 'SPOT' },
  { kind: 'trade', side: 'sell', type: '2', subType: '2', instType: 'SPOT' },
  { kind: 'transfer', sign: 'in', type: '1', subType: '11' },
  { kind: 'transfer', sign: 'out', type: '1', subType: '12' },
  // An operator's deposit straight into the trading account (signet deposit --to trading).
  { kind: 'deposit', type: '1', subType: '200' },
  // Transfers with a master or sub-account (core/sub-transfers.ts) are transfers in or out too.
  { kind: 'from_sub', type: '1', subType: '11' },
  { kind: 'from_master', type: '1', subType: '11' },
  { kind: 'to_sub', type: '1', subType: '12' },
  { kind: 'to_master', type: '1', subType: '12' },
];

/**
 * Funding account (6), OKX asset bill types: 1 deposit (internal transfers received too),
 * 2 withdrawal, 221 blockchain withdrawal fee, 130 transferred from / 131 to the trading account,
 * 20–23 transfers with sub-accounts.
 */
const FUNDING_RULES: readonly BillRule[] = [
  { kind: 'deposit', type: '1', subType: '' },
  { kind: 'internal_in', type: '1', subType: '' },
  { kind: 'withdrawal', type: '2', subType: '' },
  { kind: 'internal_out', type: '2', subType: '' },
  { kind: 'withdrawal_fee', type: '221', subType: '' },
  { kind: 'transfer', sign: 'in', type: '130', subType: '' },
  { kind: 'transfer', sign: 'out', type: '131', subType: '' },
  // Between a master and its sub-accounts (core/sub-transfers.ts): 20 to a sub-account, 21 from
  // one (the master's side), 22 out to the master, 23 in from it (the sub-account's side).
  { kind: 'to_sub', type: '20', subType: '' },
  { kind: 'from_sub', type: '21', subType: '' },
  { kind: 'to_master', type: '22', subType: '' },
  { kind: 'from_master', type: '23', subType: '' },
];

const rulesOf = (account: AccountType) => (account === TRADING ? TRADING_RULES : FUNDING_RULES);

/** OKX `type`, `subType`, `from` and `to` of a bill; an entry of a kind OKX has no code for gets ''. */
export function classifyBill(b: Pick<BillRecord, 'account' | 'kind' | 'balChg' | 'fill'>): {
  type: string;
  subType: string;
  from: string;
  to: string;
} {
  const sign = isNegative(b.balChg) ? 'out' : 'in';
  const rule = rulesOf(b.account).find(
    (r) =>
      r.kind === b.kind &&
      (r.sign === undefined || r.sign === sign) &&
      (r.side === undefined || r.side === (b.fill?.side ?? 'buy')),
  );
  const other = b.account === TRADING ? FUNDING : TRADING;
  const transfer = b.kind === 'transfer';
  return {
    type: rule?.type ?? '',
    subType: rule?.subType ?? '',
    from: transfer ? (sign === 'in' ? other : b.account) : '',
    to: transfer ? (sign === 'in' ? b.account : other) : b.kind === 'deposit' && b.account === TRADING ? TRADING : '',
  };
}

/** One alternative of a bill filter: entries of this kind, with this sign of change or fill side. */
export interface BillCondition {
  kind: string;
  sign?: 'in' | 'out';
  side?: 'buy' | 'sell';
}

/** What the store selects: bills of one account, newest first. */
export interface BillQuery {
  userId: number;
  env: KeyEnv;
  account: AccountType;
  ccy?: string;
  /** Bills matching any of these (undefined: all bills). */
  conditions?: BillCondition[];
  instId?: string;
  clientId?: string;
  /** ts range, inclusive (Unix ms). */
  minTs: number;
  maxTs?: number;
  /** Bill id cursors: older than `afterId`, newer than `beforeId`. */
  afterId?: number;
  beforeId?: number;
  /** ts cursors (asset bills): older than `afterTs`, newer than `beforeTs`. */
  afterTs?: number;
  beforeTs?: number;
  limit: number;
}

export const DAY_MS = 86_400_000;

type Raw = Record<string, unknown>;

const text = (q: Raw, name: string): string | undefined => {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new RuleError('51000', `${name}: give it once`, name);
  return v === '' ? undefined : v;
};

const integer = (q: Raw, name: string, digits: number): number | undefined => {
  const v = text(q, name);
  if (v === undefined) return undefined;
  if (!new RegExp(`^\\d{1,${digits}}$`).test(v)) throw new RuleError('51000', `${name}: "${v}" is not a number`, name);
  return Number(v);
};

/**
 * `limit`: default and maximum 100, as OKX documents for its bill endpoints. A larger number is
 * read as 100, not refused: ccxt's `paginate` asks OKX for limit=1000 and gets pages of 100.
 */
export function billLimit(q: Raw): number {
  const limit = integer(q, 'limit', 10) ?? 100;
  if (limit < 1) throw new RuleError('51000', 'limit: 1 to 100', 'limit');
  return Math.min(limit, 100);
}

const code = (q: Raw, name: string): string | undefined => {
  const v = text(q, name);
  if (v !== undefined && !/^\d{1,4}$/.test(v))
    throw new RuleError('51000', `${name}: "${v}" is not a bill ${name}`, name);
  return v;
};

const INST_TYPES = new Set(['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION', 'EVENTS']);

/** The conditions `type`, `subType` and `instType` leave; null when nothing can match. */
function conditionsOf(account: AccountType, q: Raw): BillCondition[] | undefined | null {
  const type = code(q, 'type');
  const subType = account === TRADING ? code(q, 'subType') : undefined;
  const instType = account === TRADING ? text(q, 'instType') : undefined;
  if (instType !== undefined && !INST_TYPES.has(instType))
    throw new RuleError('51000', `instType: "${instType}" is not an instrument type`, 'instType');
  if (type === undefined && subType === undefined && instType === undefined) return undefined;
  const rules = rulesOf(account).filter(
    (r) =>
      (type === undefined || r.type === type) &&
      (subType === undefined || r.subType === subType) &&
      // instType SPOT keeps the bills tied to no instrument (transfers, deposits): ccxt's fetchLedger
      // always sends its default instType (SPOT), and a bot's ledger must still add up to its balances.
      (instType === undefined || (instType === 'SPOT' && (r.instType ?? 'SPOT') === 'SPOT')),
  );
  if (rules.length === 0) return null;
  return rules.map((r) => ({ kind: r.kind, ...(r.sign && { sign: r.sign }), ...(r.side && { side: r.side }) }));
}

/** mgnMode and ctType filters: spot cash bills have neither, so a valid value matches nothing. */
function marginFilters(q: Raw): boolean {
  const mgnMode = text(q, 'mgnMode');
  if (mgnMode !== undefined && mgnMode !== 'isolated' && mgnMode !== 'cross')
    throw new RuleError('51000', 'mgnMode: isolated or cross', 'mgnMode');
  const ctType = text(q, 'ctType');
  if (ctType !== undefined && ctType !== 'linear' && ctType !== 'inverse')
    throw new RuleError('51000', 'ctType: linear or inverse', 'ctType');
  return mgnMode === undefined && ctType === undefined;
}

const ccyOf = (q: Raw): string | undefined => {
  const ccy = text(q, 'ccy');
  if (ccy !== undefined && !/^[A-Za-z0-9]{1,20}$/.test(ccy)) throw new RuleError('51000', 'ccy: one currency', 'ccy');
  return ccy?.toUpperCase();
};

/**
 * GET /account/bills (`days` 7) and /account/bills-archive (`days` 90): filters instType, instId,
 * ccy, mgnMode, ctType, type, subType; cursors after/before (bill ids) and begin/end (ts,
 * inclusive); limit. Null when the filters can match nothing.
 */
export function accountBillQuery(userId: number, env: KeyEnv, q: Raw, now: number, days: number): BillQuery | null {
  const conditions = conditionsOf(TRADING, q);
  const margins = marginFilters(q);
  const query: BillQuery = {
    userId,
    env,
    account: TRADING,
    minTs: Math.max(now - days * DAY_MS, integer(q, 'begin', 15) ?? 0),
    limit: billLimit(q),
  };
  const ccy = ccyOf(q);
  const instId = text(q, 'instId');
  const end = integer(q, 'end', 15);
  const after = integer(q, 'after', 20);
  const before = integer(q, 'before', 20);
  if (ccy !== undefined) query.ccy = ccy;
  if (instId !== undefined) query.instId = instId;
  if (conditions !== undefined && conditions !== null) query.conditions = conditions;
  if (end !== undefined) query.maxTs = end;
  if (after !== undefined) query.afterId = after;
  if (before !== undefined) query.beforeId = before;
  return conditions === null || !margins ? null : query;
}

/**
 * GET /asset/bills (`days` 30: OKX's "past month"; cursors after/before are ts) and
 * /asset/bills-history (`days` null: all time; `pagingType` 1 ts, the default, or 2 bill id).
 * Filters ccy, type, clientId; limit.
 */
export function assetBillQuery(
  userId: number,
  env: KeyEnv,
  q: Raw,
  now: number,
  days: number | null,
): BillQuery | null {
  const conditions = conditionsOf(FUNDING, q);
  const pagingType = days === null ? (text(q, 'pagingType') ?? '1') : '1';
  if (pagingType !== '1' && pagingType !== '2')
    throw new RuleError('51000', 'pagingType: 1 (ts) or 2 (bill id)', 'pagingType');
  const query: BillQuery = {
    userId,
    env,
    account: FUNDING,
    minTs: days === null ? 0 : now - days * DAY_MS,
    limit: billLimit(q),
  };
  const ccy = ccyOf(q);
  const clientId = text(q, 'clientId');
  if (clientId !== undefined && !/^[A-Za-z0-9]{1,32}$/.test(clientId))
    throw new RuleError('51000', 'clientId: up to 32 letters and digits', 'clientId');
  const after = integer(q, 'after', 20);
  const before = integer(q, 'before', 20);
  if (ccy !== undefined) query.ccy = ccy;
  if (clientId !== undefined) query.clientId = clientId;
  if (conditions !== undefined && conditions !== null) query.conditions = conditions;
  if (pagingType === '2') {
    if (after !== undefined) query.afterId = after;
    if (before !== undefined) query.beforeId = before;
  } else {
    if (after !== undefined) query.afterTs = after;
    if (before !== undefined) query.beforeTs = before;
  }
  return conditions === null ? null : query;
}
