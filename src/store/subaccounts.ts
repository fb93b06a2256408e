import type { Actor } from './keys.js';
import type { UserRecord } from './users.js';

/**
 * A sub-account (OKX's standard sub-account, type '1'): an account of its own (balances, keys,
 * orders, history) under a master account, which manages it; it has no console login.
 */
export interface SubAccountRecord {
  /** The sub-account's own account id (users.id). */
  userId: number;
  masterId: number;
  /** `subAcct`: 6 to 20 letters and digits, case-sensitive, unique across signet. */
  name: string;
  /** OKX's `type`: '1' standard. */
  type: string;
  label: string;
  /** OKX's `enable`: false while frozen. */
  enabled: boolean;
  /** OKX's `canTransOut`: whether the sub-account may transfer out to the master or other sub-accounts. */
  canTransOut: boolean;
  /** Unix ms. */
  createdAt: number;
  updatedAt: number;
}

/** OKX's filters and cursor of `GET /api/v5/users/subaccount/list`; times are creation times, Unix ms. */
export interface SubAccountQuery {
  enabled?: boolean;
  name?: string;
  /** Older than this creation time. */
  after?: number;
  /** Newer than this creation time. */
  before?: number;
  limit: number;
}

export interface SubAccountChange {
  enabled?: boolean;
  canTransOut?: boolean;
  label?: string;
}

/** What creating a sub-account needs: its account row is made in the same transaction. */
export interface NewSubAccount {
  masterId: number;
  name: string;
  type: string;
  label: string;
  /** The new account's uid. */
  uid: string;
  createdAt: number;
}

/**
 * Sub-accounts of master accounts.
 *
 * @example
 *   const { sub, account } = await store.createSubAccount({ masterId, name: 'bot001', type: '1', label: '', uid, createdAt: now });
 */
export interface SubAccountStore {
  /**
   * Creates the sub-account and its account (no password, `masterId` set) atomically; RuleError
   * 59601 if the name is taken.
   */
  createSubAccount(sub: NewSubAccount): Promise<{ sub: SubAccountRecord; account: UserRecord }>;
  /** The master's sub-account of that name (exact, case-sensitive), or null. */
  getSubAccount(masterId: number, name: string): Promise<SubAccountRecord | null>;
  /** The sub-account record of an account, or null when the account is a master. */
  subAccountOf(userId: number): Promise<SubAccountRecord | null>;
  /** The master's sub-accounts matching the query, newest first. */
  listSubAccounts(masterId: number, query: SubAccountQuery): Promise<SubAccountRecord[]>;
  /** Applies the change; the updated record, or null if the master has no such sub-account. */
  updateSubAccount(
    masterId: number,
    name: string,
    change: SubAccountChange,
    at: number,
  ): Promise<SubAccountRecord | null>;
  /**
   * Freezes (`enabled` false) or unfreezes the sub-account, with a 'freeze' or 'unfreeze' audit
   * entry for each of its keys in the same transaction: a key change, so every process's key
   * cache drops them and reloads them with the new state (refused within a second everywhere).
   * The updated record, or null if the master has no such sub-account.
   */
  setSubAccountEnabled(
    masterId: number,
    name: string,
    enabled: boolean,
    actor: Actor,
    at: number,
  ): Promise<SubAccountRecord | null>;
}
