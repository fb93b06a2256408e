import Big from 'big.js';
import { dec } from './decimal.js';
import { RuleError } from './errors.js';
import type { KeyEnv } from './key-rules.js';

/** OKX account types: 18 trading (unified), 6 funding. */
export type AccountType = '18' | '6';
export const TRADING: AccountType = '18';
export const FUNDING: AccountType = '6';

/** Smallest unit signet keeps: 18 decimal places. */
export const MAX_DECIMALS = 18;
const AMOUNT = /^(?:0|[1-9]\d{0,20})(?:\.\d{1,18})?$/;

/**
 * One movement of funds. Deltas are exact decimal strings, positive or negative; every change to
 * a balance is one entry, so the ledger can always be re-added.
 */
export interface LedgerEntry {
  userId: number;
  env: KeyEnv;
  account: AccountType;
  ccy: string;
  availDelta: string;
  frozenDelta: string;
  /** Why: 'deposit', 'withdrawal', 'transfer', 'trade', 'fee', ... */
  kind: string;
  /** Reference to what caused it (order id, withdrawal id...), or ''. */
  ref: string;
  /** The client-supplied id of a transfer (OKX `clientId`), shown on its bills and transfer state. */
  clientId?: string;
}

/** Validates a user-given positive amount ("1000", "0.5"); returns it in canonical form. */
export function parseAmount(text: string, field = 'amt'): string {
  const trimmed = text.trim();
  if (!AMOUNT.test(trimmed)) {
    throw new RuleError(
      '51000',
      `${field}: "${text}" is not a plain decimal amount (up to ${MAX_DECIMALS} decimal places)`,
      field,
    );
  }
  const value = new Big(trimmed);
  if (value.lte(0)) throw new RuleError('51000', `${field}: the amount must be greater than 0`, field);
  return value.toFixed();
}

/** a + b on exact decimal strings. */
export function addAmounts(a: string, b: string): string {
  return new Big(a).plus(b).toFixed();
}

export function isNegative(a: string): boolean {
  return new Big(a).lt(0);
}

/** Multiplies and rounds down to `dp` places; for USD valuations shown to clients. */
export function multiply(a: string, b: string, dp: number): string {
  return new Big(a).times(b).round(dp, Big.roundDown).toFixed();
}

/** A deposit into a user's account: the simplest entry. */
export function depositEntry(userId: number, env: KeyEnv, account: AccountType, ccy: string, amt: string): LedgerEntry {
  return { userId, env, account, ccy, availDelta: amt, frozenDelta: '0', kind: 'deposit', ref: '' };
}

/** A balance's two parts, exact decimal strings. */
export interface BalanceAmounts {
  avail: string;
  frozen: string;
}

/**
 * The balance after one entry (no balance yet counts as zero). Throws RuleError 51008, naming the
 * currency, if either part would go negative: the store applies nothing of that change.
 */
export function applyEntry(balance: BalanceAmounts | undefined, entry: LedgerEntry): BalanceAmounts {
  // Scaled integers (core/decimal), not big.js: every order's entries pass here (spelled the same).
  const avail = dec(balance?.avail ?? '0').plus(dec(entry.availDelta));
  const frozen = dec(balance?.frozen ?? '0').plus(dec(entry.frozenDelta));
  if (avail.sign() < 0 || frozen.sign() < 0) {
    throw new RuleError('51008', `${entry.ccy}: insufficient balance for this ${entry.kind}`, entry.ccy);
  }
  return { avail: avail.toString(), frozen: frozen.toString() };
}

/**
 * What a bill reports of an entry: the change of the balance (avail + frozen, OKX's `balChg`) and
 * the balance after it (`bal`), given the balance after the entry.
 */
export function billAmounts(entry: LedgerEntry, after: BalanceAmounts): { balChg: string; bal: string } {
  return {
    balChg: dec(entry.availDelta).plus(dec(entry.frozenDelta)).toString(),
    bal: dec(after.avail).plus(dec(after.frozen)).toString(),
  };
}
