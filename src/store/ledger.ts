import type { BillQuery, BillRecord } from '../core/bills.js';
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

/** A transfer between an account's funding (6) and trading (18) accounts, from its two entries. */
export interface TransferRecord {
  transId: string;
  clientId: string;
  ccy: string;
  amt: string;
  from: AccountType;
  to: AccountType;
  /** Unix ms. */
  ts: number;
}

/** An account's deposit address on one chain (one per user, environment and chain). */
export interface DepositAddress {
  userId: number;
  env: KeyEnv;
  ccy: string;
  /** OKX spelling, e.g. "USDT-TRC20". */
  chain: string;
  addr: string;
  createdAt: number;
}

/** Where a simulated on-chain deposit came in. */
export interface DepositDetails {
  chain: string;
  toAddr: string;
  txId: string;
}

/**
 * Balances and the ledger entries that move them; a balance never goes negative. Every entry
 * keeps the change of its balance and the balance after it, so the ledger reads as OKX bills.
 *
 * @example
 *   await store.applyEntries([depositEntry(user.id, 'demo', FUNDING, 'USDT', '1000')], Date.now());
 *   const page = await store.listBills({ userId: user.id, env: 'demo', account: FUNDING, minTs: 0, limit: 100 });
 */
export interface LedgerStore {
  getBalances(userId: number, env: KeyEnv, account: AccountType): Promise<BalanceRow[]>;
  /** The newest ledger entry id: the starting cursor for `ledgerChangesSince`. */
  latestLedgerId(): Promise<number>;
  /** Accounts (user and environment) whose balances changed after `cursor`, and the new cursor. */
  ledgerChangesSince(cursor: number): Promise<{ cursor: number; accounts: LedgerAccount[] }>;
  /** Applies ledger entries in one transaction; throws RuleError if any balance would go negative. */
  applyEntries(entries: readonly LedgerEntry[], at: number): Promise<void>;
  /** Bills of one account, newest first (rules in core/bills.ts). */
  listBills(query: BillQuery): Promise<BillRecord[]>;
  /** A transfer by its id, or else by its client id; null if the account made none such. */
  findTransfer(
    userId: number,
    env: KeyEnv,
    by: { transId?: string; clientId?: string },
  ): Promise<TransferRecord | null>;
  /** The account's address on `a.chain`: the stored one, or `a` stored now if it had none. */
  ensureDepositAddress(a: DepositAddress): Promise<DepositAddress>;
  findDepositAddress(addr: string): Promise<DepositAddress | null>;
  /** Applies a deposit entry with where it came from, in one transaction; returns its deposit id. */
  creditDeposit(entry: LedgerEntry, details: DepositDetails, at: number): Promise<string>;
  /** Fills in the bill amounts of entries written before bills existed; returns how many. */
  fillBillAmounts(): Promise<number>;
}
