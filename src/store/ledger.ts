import type { KeyEnv } from '../core/key-rules.js';
import type { AccountType, LedgerEntry } from '../core/ledger.js';

export interface BalanceRow {
  ccy: string;
  /** Exact decimal strings. */
  avail: string;
  frozen: string;
  /** Unix ms of the last change. */
  updatedAt: number;
}

/** A changed account in the ledger's change feed. */
export interface LedgerAccount {
  userId: number;
  env: KeyEnv;
}

/**
 * Balances and the ledger entries that move them; a balance never goes negative.
 *
 * @example
 *   await store.applyEntries([depositEntry(user.id, 'demo', FUNDING, 'USDT', '1000')], Date.now());
 */
export interface LedgerStore {
  getBalances(userId: number, env: KeyEnv, account: AccountType): Promise<BalanceRow[]>;
  /** The newest ledger entry id: the starting cursor for `ledgerChangesSince`. */
  latestLedgerId(): Promise<number>;
  /** Accounts (user and environment) whose balances changed after `cursor`, and the new cursor. */
  ledgerChangesSince(cursor: number): Promise<{ cursor: number; accounts: LedgerAccount[] }>;
  /** Applies ledger entries in one transaction; throws RuleError if any balance would go negative. */
  applyEntries(entries: readonly LedgerEntry[], at: number): Promise<void>;
}
