import type { ExpiryPolicy } from '../core/expiry.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { LedgerEntry, AccountType } from '../core/ledger.js';
import type { Withdrawal, WithdrawalState } from '../core/funding.js';
import type { Fill } from '../core/matching.js';
import type { Order } from '../core/orders.js';
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
/** 'new_ip': the first authenticated use of a key from a client IP (activity, not a key change). */
export type AuditAction = 'create' | 'modify' | 'delete' | 'expire' | 'new_ip';

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
  /**
   * Remembers client IPs a key was used from: for each (key, IP) not seen before, a 'new_ip'
   * audit entry (actor 'api'). Uses of keys that no longer exist are ignored. How many were new.
   * The remembered IPs are forgotten when the key is deleted; the audit entries stay.
   */
  recordKeyIps(uses: ReadonlyArray<{ apiKey: string; ip: string; at: number }>): Promise<number>;
  /** Client IPs the key has been used from, oldest first, at most `limit`. */
  listKeyIps(apiKey: string, limit: number): Promise<string[]>;
  /** Deletes every key expired under `policy` at `now`, with an 'expire' audit entry each. */
  deleteExpiredKeys(policy: ExpiryPolicy, now: number): Promise<KeyRecord[]>;

  /** The newest audit id: the starting cursor for `keyChangesSince`. */
  latestAuditId(): Promise<number>;
  /** Keys created, changed, deleted or expired after `cursor` (not 'new_ip' entries), and the new cursor. */
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
   * Runs one order operation on a book, taking turns with every process sharing the database
   * (PostgreSQL: the book's row lock, held for the whole transaction; SQLite: a version check at
   * commit, run again on a lost race). `compute` receives what was stored on the book after
   * `book.version` (on a second run: after the version the first run saw), to catch up with
   * other processes, and the book's current version, and returns
   * the change to store, or throws to store nothing. The change is stored in one transaction: the
   * ledger entries (RuleError 51008 and nothing stored if a balance would go negative), the
   * orders (inserted or updated by ordId) and the fills; the book's version becomes
   * `since.version + 1`. A clOrdId already used by another open order of the account is refused
   * with 51016. `compute` may run more than once, so it must be repeatable.
   *
   * @example
   *   await store.runBookOperation({ env: 'live', instId: 'BTC-USDT', version: 7 }, now, async (since) =>
   *     ({ change: { orders: [order], fills: [], entries: [freezeEntry] }, result: order }));
   */
  runBookOperation<T>(book: BookVersion, at: number, compute: (since: BookChanges) => Promise<{ change: OrderChanges; result: T }>): Promise<T>;
  /** The version of every book written so far (read before `openOrders` at start-up). */
  bookVersions(): Promise<BookVersion[]>;
  /** What was stored on one book after `version`, and the book's version now. */
  bookChangesSince(env: KeyEnv, instId: string, version: number): Promise<BookChanges>;
  /**
   * Reserves `count` fresh ids of a sequence shared by every process: returns the first; the
   * block is [first, first + count). Ids never repeat and the block starts at `floor` or later.
   */
  reserveIds(sequence: IdSequenceName, count: number, floor: bigint): Promise<bigint>;
  /**
   * True for exactly one caller per `intervalMs` across every process sharing the database (the
   * sweeper): the job's last run moves to `now` only if it is at least `intervalMs` old.
   */
  claimInterval(job: string, now: number, intervalMs: number): Promise<boolean>;
  /**
   * A sticky lease (the market maker runs on one instance): true if `holder` holds `name` until
   * `now + ttlMs`, i.e. it held it already or the previous holder let it lapse.
   */
  holdLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives a lease up at once (clean shutdown), if `holder` still holds it; another instance may take it on its next try. */
  releaseLease(name: string, holder: string): Promise<void>;
  /**
   * Calls `listener` soon after any process commits a key change (PostgreSQL LISTEN/NOTIFY); a
   * hint only, without the change itself: `keyChangesSince` stays the source, and adapters without
   * push (SQLite) never call it, so callers keep polling as the fallback.
   */
  onKeyChanges(listener: () => void): Promise<void>;
  /**
   * Re-encrypts every sealed secret (API secret keys and TOTP secrets) in one transaction:
   * `reseal` opens a sealed value under the old master key and seals it under the new one.
   */
  resealSecrets(reseal: (kind: SealedKind, id: string, sealed: Buffer) => Buffer): Promise<{ apiKeys: number; totp: number }>;
  /** Every open order (live or partially filled) of every account in queue order (queuedAt, then ordId): the books at start-up. */
  openOrders(): Promise<Order[]>;
  /** One order of an account by ordId or clOrdId (the newest with that clOrdId), or null. */
  findOrder(userId: number, env: KeyEnv, ref: { ordId?: string; clOrdId?: string }): Promise<Order | null>;
  /** An account's orders, newest first: open ones, or finished ones (filled or canceled). */
  listOrders(userId: number, env: KeyEnv, query: OrderQuery): Promise<Order[]>;
  /** An account's fills, newest first. */
  listFills(userId: number, env: KeyEnv, query: FillQuery): Promise<Fill[]>;
  /** The taker side of the newest trades of one book (every account), newest first: public market data. */
  listPublicTrades(env: KeyEnv, instId: string, limit: number): Promise<Fill[]>;

  /** Stores a new withdrawal with its ledger entries in one transaction (51008 and nothing stored if short). */
  insertWithdrawal(w: Withdrawal, entries: readonly LedgerEntry[], at: number): Promise<void>;
  /**
   * Moves a withdrawal from state `from` to `to` with its ledger entries, atomically; null (and
   * nothing changed) if it is not in state `from` any more.
   */
  transitionWithdrawal(wdId: string, from: WithdrawalState, to: { state: WithdrawalState; txId: string }, entries: readonly LedgerEntry[], at: number): Promise<Withdrawal | null>;
  findWithdrawal(userId: number, env: KeyEnv, wdId: string): Promise<Withdrawal | null>;
  /** An account's withdrawals, newest first. */
  listWithdrawals(userId: number, env: KeyEnv, query: { ccy?: string | undefined; wdId?: string | undefined; limit: number }): Promise<Withdrawal[]>;
  /** Pending (state 0) withdrawals created at or before `createdBefore`, oldest first. */
  pendingWithdrawals(createdBefore: number): Promise<Withdrawal[]>;
  /** Funds that arrived in an account: deposits and internal withdrawals received, newest first. */
  listDeposits(userId: number, env: KeyEnv, query: { ccy?: string | undefined; limit: number }): Promise<DepositRecord[]>;

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

/** What was stored on a book after some version, and the book's version now. */
export interface BookChanges {
  version: number;
  /** The orders changed, in their current state, in queue order. */
  orders: Order[];
  /** The fills made (taker and maker sides), oldest first. */
  fills: Fill[];
}

export interface BookVersion {
  env: KeyEnv;
  instId: string;
  /** Bumped by every stored change of the book. */
  version: number;
}

export type IdSequenceName = 'order' | 'trade' | 'withdrawal';

/** What a sealed secret belongs to: an API key (id: the API key) or an account's authenticator (id: the user id). */
export type SealedKind = 'api-key' | 'totp';

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
}

export interface OrderChanges {
  orders: readonly Order[];
  fills: readonly Fill[];
  entries: readonly LedgerEntry[];
}

export interface OrderQuery {
  open: boolean;
  instId?: string | undefined;
  /** At most this many (1 to 100). */
  limit: number;
}

export interface FillQuery {
  instId?: string | undefined;
  ordId?: string | undefined;
  limit: number;
}
