import type { ExpiryPolicy } from '../core/expiry.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { LedgerEntry, AccountType } from '../core/ledger.js';
import type { PermissionSet } from '../core/permissions.js';

export interface UserRecord {
  id: number;
  /** OKX-style numeric account id shown as `uid` in /account/config. */
  uid: string;
  email: string;
  passwordHash: string | null;
  /** Unix ms. */
  createdAt: number;
}

export interface KeyRecord {
  /** The API key (a UUID); also the primary key. */
  apiKey: string;
  userId: number;
  label: string;
  perms: PermissionSet;
  ips: string[];
  env: KeyEnv;
  /** The secret key sealed by SecretBox (never the plain secret). */
  secretSealed: Buffer;
  /** scrypt hash of the passphrase. */
  passphraseHash: string;
  /** Unix ms. */
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
}

export type Actor = 'user' | 'cli' | 'sweeper' | 'api';
export type AuditAction = 'create' | 'modify' | 'delete' | 'expire';

export interface AuditRecord {
  id: number;
  /** Unix ms. */
  at: number;
  actor: Actor;
  userId: number;
  apiKey: string;
  action: AuditAction;
  /** What changed, e.g. { ip: { from: [], to: ['1.2.3.4'] } }. Never a secret. */
  detail: Record<string, unknown>;
}

export interface KeyUpdate {
  label?: string;
  perms?: PermissionSet;
  ips?: string[];
}

export interface BalanceRow {
  ccy: string;
  /** Exact decimal strings. */
  avail: string;
  frozen: string;
  /** Unix ms of the last change. */
  updatedAt: number;
}

/** Rejected requests for one key, code and client IP, counted (a compact, bounded activity record). */
export interface KeyRejection {
  apiKey: string;
  userId: number;
  code: string;
  ip: string;
  count: number;
  /** Unix ms. */
  firstAt: number;
  lastAt: number;
}

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

/** A console login session. The token itself lives only in the client's cookie. */
export interface SessionRecord {
  /** SHA-256 (hex) of the session token. */
  idHash: string;
  userId: number;
  /** Random token the console echoes in the X-CSRF-Token header on every state-changing call. */
  csrfToken: string;
  /** False until the second factor is checked (accounts with 2FA on). */
  verified: boolean;
  /** Unix ms. */
  createdAt: number;
  expiresAt: number;
}

/** An account's authenticator (RFC 6238 TOTP). */
export interface TotpRecord {
  userId: number;
  /** The base32 secret sealed by SecretBox (never the plain secret). */
  secretSealed: Buffer;
  /** False while set up but not yet confirmed with a code. */
  enabled: boolean;
  /** SHA-256 (hex) of each unused recovery code. */
  recoveryHashes: string[];
  /** The newest accepted time step; codes of that step or earlier are refused (no replay). */
  lastStep: number;
}

/**
 * Everything signet keeps. One interface, one adapter per database (sqlite/, postgres/), all
 * checked by the same contract suite (contract.ts). Times are Unix ms passed in by the caller.
 *
 * @example
 *   const store = await openSqliteStore({ dir: './data' });
 *   const user = await store.createUser({ uid: '42', email: 'a@b.c', passwordHash: null, createdAt: Date.now() });
 */
export interface Store {
  createUser(user: Omit<UserRecord, 'id'>): Promise<UserRecord>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  findUserById(id: number): Promise<UserRecord | null>;

  /**
   * Inserts a key atomically with the account's rules: `build` sees the account's current keys
   * (inside the transaction) and returns the row to insert or throws a RuleError.
   */
  createKey(userId: number, build: (existing: readonly KeyRecord[]) => KeyRecord, actor: Actor, at: number): Promise<KeyRecord>;
  /** Applies `change` (which sees the key and the account's other keys) atomically; null if no such key. */
  updateKey(
    userId: number,
    apiKey: string,
    change: (current: KeyRecord, others: readonly KeyRecord[]) => KeyUpdate,
    actor: Actor,
    at: number,
  ): Promise<KeyRecord | null>;
  /** Deletes the account's key; the deleted row, or null if it had no such key. */
  deleteKey(userId: number, apiKey: string, actor: Actor, at: number): Promise<KeyRecord | null>;
  getKey(apiKey: string): Promise<KeyRecord | null>;
  listKeys(userId: number): Promise<KeyRecord[]>;
  /** Raises last-used times (never lowers them) for keys that still exist. */
  touchKeys(uses: ReadonlyArray<{ apiKey: string; at: number }>): Promise<void>;
  /** Deletes every key expired under `policy` at `now`, with an 'expire' audit entry each. */
  deleteExpiredKeys(policy: ExpiryPolicy, now: number): Promise<KeyRecord[]>;

  /** The newest audit id: the starting cursor for `keyChangesSince`. */
  latestAuditId(): Promise<number>;
  /** Keys created, changed, deleted or expired after `cursor`, and the new cursor. */
  keyChangesSince(cursor: number): Promise<{ cursor: number; apiKeys: string[] }>;
  listAudit(userId: number, limit: number): Promise<AuditRecord[]>;
  /** The account's audit entries for one key, newest first. */
  listKeyAudit(userId: number, apiKey: string, limit: number): Promise<AuditRecord[]>;

  /** Adds counted rejections (merged per key, code and IP) and drops those last seen before `keepAfter`. */
  recordRejections(rejections: readonly KeyRejection[], keepAfter: number): Promise<void>;
  /** The account's rejections for one key, most recent first. */
  listKeyRejections(userId: number, apiKey: string, limit: number): Promise<KeyRejection[]>;

  getBalances(userId: number, env: KeyEnv, account: AccountType): Promise<BalanceRow[]>;
  /** The newest ledger entry id: the starting cursor for `ledgerChangesSince`. */
  latestLedgerId(): Promise<number>;
  /** Accounts (user and environment) whose balances changed after `cursor`, and the new cursor. */
  ledgerChangesSince(cursor: number): Promise<{ cursor: number; accounts: Array<{ userId: number; env: KeyEnv }> }>;
  /** Applies ledger entries in one transaction; throws RuleError if any balance would go negative. */
  applyEntries(entries: readonly LedgerEntry[], at: number): Promise<void>;

  /**
   * Adds an address atomically with the account's rules: `check` sees how many the account holds
   * (inside the transaction) and throws a RuleError to refuse. A duplicate (same chain and address) is refused.
   */
  addWithdrawalAddress(entry: Omit<WithdrawalAddress, 'id'>, check: (existingCount: number) => void): Promise<WithdrawalAddress>;
  listWithdrawalAddresses(userId: number): Promise<WithdrawalAddress[]>;
  /** Removes the account's address; false if it had no such address. */
  deleteWithdrawalAddress(userId: number, id: number): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  /** The session if it exists and has not expired at `now`. */
  findSession(idHash: string, now: number): Promise<SessionRecord | null>;
  /** Marks the session's second factor as checked. */
  verifySession(idHash: string): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Removes sessions expired at `now`; how many. */
  deleteExpiredSessions(now: number): Promise<number>;

  getTotp(userId: number): Promise<TotpRecord | null>;
  /** Inserts or replaces the account's authenticator. */
  saveTotp(totp: TotpRecord): Promise<void>;
  /** Atomically records `step` as used if it is newer than the last used step; false if not (a replay). */
  acceptTotpStep(userId: number, step: number): Promise<boolean>;
  /** Atomically removes one unused recovery code by hash; false if it was not there. */
  useRecoveryCode(userId: number, hash: string): Promise<boolean>;

  close(): Promise<void>;
}
