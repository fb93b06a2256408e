/** An account: its console login, sessions and authenticator. */
export interface UserRecord {
  id: number;
  /** OKX-style numeric account id shown as `uid` in /account/config. */
  uid: string;
  email: string;
  passwordHash: string | null;
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
}
