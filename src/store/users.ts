import type { AccountAuditAction, Actor } from './keys.js';

/** An account: its console login, sessions and authenticator. */
export interface UserRecord {
  id: number;
  /** OKX-style numeric account id shown as `uid` in /account/config. */
  uid: string;
  email: string;
  passwordHash: string | null;
  /** Unix ms. */
  createdAt: number;
  /**
   * The master account of a sub-account (src/store/subaccounts.ts), or null for a master account
   * (every account signs up as one). A sub-account has no password: no console login of its own.
   */
  masterId: number | null;
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

/** A change to an account, applied in one transaction with its audit entry. */
export interface AccountChange {
  /** The new password's slow hash. */
  passwordHash?: string;
  /** 'remove': the authenticator is forgotten (2FA off); else its recovery codes are replaced. */
  totp?: 'remove' | { recoveryHashes: string[] };
  /** Ends every console session of the account. */
  endSessions?: boolean;
}

/** The audit entry of an account change (apiKey ''): never a secret in `detail`. */
export interface AccountAuditEntry {
  actor: Actor;
  action: AccountAuditAction;
  /** Unix ms. */
  at: number;
  detail: Record<string, unknown>;
}

/** An account as the operator's list shows it. */
export interface UserSummary {
  user: UserRecord;
  totpEnabled: boolean;
  keyCount: number;
  /** Unix ms of the last password login, or null if none was recorded. */
  lastLoginAt: number | null;
}

/**
 * Accounts, their console sessions and their authenticators.
 *
 * @example
 *   const user = await store.createUser({ uid: '42', email: 'a@b.c', passwordHash: null, createdAt: Date.now() });
 */
export interface UserStore {
  /** Refused with RuleError 51000 if an account already has that email. */
  createUser(user: Omit<UserRecord, 'id'>): Promise<UserRecord>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  findUserById(id: number): Promise<UserRecord | null>;
  /** The accounts among `ids` that exist, in one read (the key cache's warm-up: a page of keys' owners). */
  findUsersByIds(ids: readonly number[]): Promise<UserRecord[]>;

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

  /**
   * Applies `change` and writes `entry` to the audit log in one transaction; false (and nothing
   * written) if there is no such account.
   *
   * @example
   *   await store.changeAccount(user.id, { passwordHash, endSessions: true },
   *     { actor: 'cli', action: 'password_set', at: Date.now(), detail: {} });
   */
  changeAccount(userId: number, change: AccountChange, entry: AccountAuditEntry): Promise<boolean>;
  /** Remembers a successful login (shown in the operator's list). */
  recordLogin(userId: number, at: number): Promise<void>;
  /** Every account that can log in (has a password), oldest first. */
  listUsers(): Promise<UserSummary[]>;
}
