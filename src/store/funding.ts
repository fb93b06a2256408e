import type { Withdrawal, WithdrawalState } from '../core/funding.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { LedgerEntry } from '../core/ledger.js';

/** A saved withdrawal destination (the trading issue's withdrawals go only to these). */
export interface WithdrawalAddress {
  id: number;
  userId: number;
  ccy: string;
  /** OKX spelling, e.g. "USDT-TRC20". */
  chain: string;
  address: string;
  label: string;
  /** Unix ms. */
  createdAt: number;
}

/** A ledger entry that brought funds in (kind 'deposit' or 'internal_in'). */
export interface DepositRecord {
  /** The ledger entry id. */
  depId: string;
  ccy: string;
  amt: string;
  kind: string;
  /** For an internal transfer, the sender's withdrawal id. */
  ref: string;
  at: number;
  /** Where a simulated on-chain deposit came in (signet deposit --address): chain, address, transaction; '' otherwise. */
  chain: string;
  toAddr: string;
  txId: string;
}

/** Which deposits, newest first; `after` and `before` are exclusive ts (Unix ms) cursors. */
export interface DepositQuery {
  ccy?: string | undefined;
  depId?: string | undefined;
  /** Internal deposits sent by this withdrawal. */
  fromWdId?: string | undefined;
  /** 'deposit' (on-chain, OKX type 4) or 'internal_in' (internal transfer, type 3). */
  kind?: 'deposit' | 'internal_in' | undefined;
  /** On-chain deposits with this transaction id. */
  txId?: string | undefined;
  after?: number | undefined;
  before?: number | undefined;
  limit: number;
}

/** Which withdrawals, newest first; `after` and `before` are exclusive ts (creation, Unix ms) cursors. */
export interface WithdrawalQuery {
  ccy?: string | undefined;
  wdId?: string | undefined;
  clientId?: string | undefined;
  txId?: string | undefined;
  dest?: Withdrawal['dest'] | undefined;
  state?: WithdrawalState | undefined;
  after?: number | undefined;
  before?: number | undefined;
  limit: number;
}

/**
 * Withdrawals with their ledger entries, deposits, and the withdrawal address book.
 *
 * @example
 *   await store.insertWithdrawal(withdrawal, holdEntries(withdrawal), Date.now());
 */
export interface FundingStore {
  /** Stores a new withdrawal with its ledger entries in one transaction (51008 and nothing stored if short). */
  insertWithdrawal(w: Withdrawal, entries: readonly LedgerEntry[], at: number): Promise<void>;
  /**
   * Moves a withdrawal from state `from` to `to` with its ledger entries, atomically; null (and
   * nothing changed) if it is not in state `from` any more.
   */
  transitionWithdrawal(
    wdId: string,
    from: WithdrawalState,
    to: { state: WithdrawalState; txId: string },
    entries: readonly LedgerEntry[],
    at: number,
  ): Promise<Withdrawal | null>;
  findWithdrawal(userId: number, env: KeyEnv, wdId: string): Promise<Withdrawal | null>;
  /** An account's withdrawals, newest first. */
  listWithdrawals(userId: number, env: KeyEnv, query: WithdrawalQuery): Promise<Withdrawal[]>;
  /** Pending (state 0) withdrawals created at or before `createdBefore`, oldest first. */
  pendingWithdrawals(createdBefore: number): Promise<Withdrawal[]>;
  /** Funds that arrived in an account: deposits and internal withdrawals received, newest first. */
  listDeposits(userId: number, env: KeyEnv, query: DepositQuery): Promise<DepositRecord[]>;

  /**
   * Adds an address atomically with the account's rules: `check` sees how many the account holds
   * (inside the transaction) and throws a RuleError to refuse. A duplicate (same chain and address) is refused.
   */
  addWithdrawalAddress(
    entry: Omit<WithdrawalAddress, 'id'>,
    check: (existingCount: number) => void,
  ): Promise<WithdrawalAddress>;
  listWithdrawalAddresses(userId: number): Promise<WithdrawalAddress[]>;
  /** Removes the account's address; false if it had no such address. */
  deleteWithdrawalAddress(userId: number, id: number): Promise<boolean>;
}
