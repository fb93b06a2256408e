import Big from 'big.js';
import { RuleError } from './errors.js';
import type { KeyEnv } from './key-rules.js';
import { type AccountType, FUNDING, type LedgerEntry, parseAmount, TRADING } from './ledger.js';
import type { Chain, Currency } from './markets.js';

/**
 * OKX withdrawal states signet uses: '0' waiting (pending), '2' success, '-2' canceled.
 * ccxt reads 0 as pending, 2 as ok, -2 as canceled.
 */
export type WithdrawalState = '0' | '2' | '-2';

export interface Withdrawal {
  wdId: string;
  clientId: string;
  userId: number;
  env: KeyEnv;
  ccy: string;
  chain: string;
  /** Amount the receiver gets; the fee comes on top. */
  amt: string;
  fee: string;
  /** '4' on-chain to an address in the account's book, '3' internal to another signet account. */
  dest: '3' | '4';
  toAddr: string;
  /** The receiving account of an internal withdrawal, else null. */
  toUserId: number | null;
  state: WithdrawalState;
  txId: string;
  /** Unix ms. */
  createdAt: number;
  updatedAt: number;
}

export interface WithdrawalRequest {
  ccy?: unknown;
  amt?: unknown;
  dest?: unknown;
  toAddr?: unknown;
  chain?: unknown;
  fee?: unknown;
  clientId?: unknown;
}

/** A validated withdrawal, before the address book and balance are checked. */
export interface ValidWithdrawal {
  currency: Currency;
  chain: Chain;
  amt: string;
  fee: string;
  dest: '3' | '4';
  toAddr: string;
  clientId: string;
}

const CLIENT_ID = /^[A-Za-z0-9]{1,32}$/;

const field = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/** The chain of a currency by OKX name ("USDT-TRC20"), or its main chain when none is given. */
export function chainOf(currency: Currency, name: string): Chain {
  const chain =
    name === ''
      ? (currency.chains.find((c) => c.mainNet) ?? currency.chains[0])
      : currency.chains.find((c) => c.chain === name);
  if (chain === undefined) {
    throw new RuleError(
      '51000',
      `chain: ${currency.ccy} withdraws on ${currency.chains.map((c) => c.chain).join(', ')}; got "${name}"`,
      'chain',
    );
  }
  return chain;
}

/**
 * Checks a withdrawal request against the currency's rules: listed currency and chain, amount
 * at most wdTickSz decimals, within [minWd, maxWd] (58206 / 58205), the chain's fee (internal
 * withdrawals are free), dest 3 or 4.
 */
export function validateWithdrawal(req: WithdrawalRequest, currencies: ReadonlyMap<string, Currency>): ValidWithdrawal {
  const ccy = field(req.ccy).toUpperCase();
  if (ccy === '') throw new RuleError('50014', 'ccy: required', 'ccy');
  const currency = currencies.get(ccy);
  if (currency === undefined) throw new RuleError('51000', `ccy: "${ccy}" is not listed`, 'ccy');
  const dest = field(req.dest);
  if (dest !== '3' && dest !== '4')
    throw new RuleError('51000', 'dest: 3 (internal, to another signet account) or 4 (on-chain)', 'dest');
  const toAddr = field(req.toAddr);
  if (toAddr === '') throw new RuleError('50014', 'toAddr: required', 'toAddr');
  const chain = chainOf(currency, field(req.chain));
  if (field(req.amt) === '') throw new RuleError('50014', 'amt: required', 'amt');
  const amt = parseAmount(field(req.amt), 'amt');
  const decimals = amt.split('.')[1]?.length ?? 0;
  if (decimals > Number(chain.wdTickSz))
    throw new RuleError('51000', `amt: at most ${chain.wdTickSz} decimal places on ${chain.chain}`, 'amt');
  const fee = dest === '3' ? '0' : chain.fee;
  const given = field(req.fee);
  if (given !== '' && dest === '4' && (!/^\d+(\.\d+)?$/.test(given) || !new Big(given).eq(fee))) {
    throw new RuleError('51000', `fee: the fee on ${chain.chain} is ${chain.fee} ${ccy}`, 'fee');
  }
  if (dest === '4' && new Big(amt).lt(chain.minWd)) {
    throw new RuleError('58206', `amt: the minimum withdrawal on ${chain.chain} is ${chain.minWd} ${ccy}`, 'amt');
  }
  if (new Big(amt).gt(chain.maxWd))
    throw new RuleError('58205', `amt: the maximum withdrawal on ${chain.chain} is ${chain.maxWd} ${ccy}`, 'amt');
  const clientId = field(req.clientId);
  if (clientId !== '' && !CLIENT_ID.test(clientId))
    throw new RuleError('51000', 'clientId: up to 32 letters and digits', 'clientId');
  return { currency, chain, amt, fee, dest, toAddr, clientId };
}

const entry = (
  userId: number,
  env: KeyEnv,
  account: AccountType,
  ccy: string,
  avail: Big,
  frozen: Big,
  kind: string,
  ref: string,
): LedgerEntry => ({
  userId,
  env,
  account,
  ccy,
  availDelta: avail.toFixed(),
  frozenDelta: frozen.toFixed(),
  kind,
  ref,
});

/** Holds amount + fee in the funding account while an on-chain withdrawal is pending. */
export function holdEntries(w: Withdrawal): LedgerEntry[] {
  const total = new Big(w.amt).plus(w.fee);
  return [entry(w.userId, w.env, FUNDING, w.ccy, total.neg(), total, 'withdrawal_hold', w.wdId)];
}

/** The pending withdrawal leaves: the amount as a withdrawal, the fee as a fee collected. */
export function settleEntries(w: Withdrawal): LedgerEntry[] {
  const out = [entry(w.userId, w.env, FUNDING, w.ccy, new Big(0), new Big(w.amt).neg(), 'withdrawal', w.wdId)];
  if (new Big(w.fee).gt(0))
    out.push(entry(w.userId, w.env, FUNDING, w.ccy, new Big(0), new Big(w.fee).neg(), 'withdrawal_fee', w.wdId));
  return out;
}

/** A canceled withdrawal releases what it held. */
export function releaseEntries(w: Withdrawal): LedgerEntry[] {
  const total = new Big(w.amt).plus(w.fee);
  return [entry(w.userId, w.env, FUNDING, w.ccy, total, total.neg(), 'withdrawal_release', w.wdId)];
}

/** An internal withdrawal: from one funding account to another at once, free. */
export function internalEntries(w: Withdrawal, toUserId: number): LedgerEntry[] {
  return [
    entry(w.userId, w.env, FUNDING, w.ccy, new Big(w.amt).neg(), new Big(0), 'internal_out', w.wdId),
    entry(toUserId, w.env, FUNDING, w.ccy, new Big(w.amt), new Big(0), 'internal_in', w.wdId),
  ];
}

/** POST /asset/transfer: between the funding (6) and trading (18) accounts of one user. */
export function transferEntries(
  userId: number,
  env: KeyEnv,
  ccy: string,
  amt: string,
  from: AccountType,
  to: AccountType,
  ref: string,
): LedgerEntry[] {
  return [
    entry(userId, env, from, ccy, new Big(amt).neg(), new Big(0), 'transfer', ref),
    entry(userId, env, to, ccy, new Big(amt), new Big(0), 'transfer', ref),
  ];
}

/** The account type of a transfer's from/to: '6' funding or '18' trading. */
export function accountType(value: unknown, name: string): AccountType {
  const v = field(value);
  if (v === FUNDING || v === TRADING) return v;
  throw new RuleError('51000', `${name}: 6 (funding) or 18 (trading), got "${v}"`, name);
}
