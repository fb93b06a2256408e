import type { ExpiryPolicy } from '../core/expiry.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { PermissionSet } from '../core/permissions.js';

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
  /** The passphrase's keyed verifier (`v1$...`, see PassphraseVerifier) or, for older keys, its scrypt hash. */
  passphraseHash: string;
  /** Unix ms. */
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
  /**
   * The registered third-party app (its client_id) the key was made for through Connect (OKX's
   * Fast API), or null. Such a key admits the app's IP list, whatever that list is at the time
   * (by reference), and never expires.
   */
  appId: string | null;
  /** When the key was disabled (refused with 50100, settings kept), Unix ms; null while enabled. */
  disabledAt: number | null;
  /**
   * The secret replaced by the last roll, sealed, kept working until `prevSecretUntil` (Unix ms);
   * both null when no grace period is running.
   */
  prevSecretSealed: Buffer | null;
  prevSecretUntil: number | null;
}

/** Where a walk of recently used keys resumes: after this key (last used at `lastUsedAt`, walked by its hour). */
export interface RecentCursor {
  readonly lastUsedAt: number;
  readonly apiKey: string;
}

export type Actor = 'user' | 'cli' | 'sweeper' | 'api';
/**
 * Who changes a key: an Actor, or an Actor acting through another API key (a master account's
 * key managing its sub-account's keys by API), which the audit entry records as `detail.by`.
 */
export type KeyActor = Actor | { actor: Actor; by: string };
/**
 * What happened to a key. Key changes (every process drops its cached copy): 'create', 'modify',
 * 'delete', 'expire', 'disable', 'enable', 'roll' (a new secret; the old one kept for a grace
 * period), 'freeze' and 'unfreeze' (its sub-account was frozen or unfrozen; the key itself is unchanged). Activity (no key changes): 'new_ip', the first authenticated use from a client IP;
 * 'expiring', a warning that an idle key will be deleted; 'ip_rejected', the first request refused
 * from an address in a day.
 */
export type KeyAuditAction =
  | 'create'
  | 'modify'
  | 'delete'
  | 'expire'
  | 'disable'
  | 'enable'
  | 'roll'
  | 'freeze'
  | 'unfreeze'
  | 'new_ip'
  | 'expiring'
  | 'ip_rejected';
/** Audit actions that record activity, not a change to the key: they evict no cache. */
export const KEY_ACTIVITY_ACTIONS: readonly KeyAuditAction[] = ['new_ip', 'expiring', 'ip_rejected'];
/**
 * Changes to an account itself (audited with apiKey ''): its owner changed the password, turned
 * the authenticator off, made new recovery codes, logged in with a recovery code; or the operator
 * set the password or reset the authenticator (actor 'cli').
 */
export type AccountAuditAction =
  | 'password_change'
  | 'password_set'
  | 'totp_disable'
  | 'totp_reset'
  | 'recovery_codes_new'
  | 'recovery_code_used';
export type AuditAction = KeyAuditAction | AccountAuditAction;

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

/** A change to a key's state rather than its settings (see `KeyStore.reviseKey`). */
export interface KeyRevision {
  action: 'disable' | 'enable' | 'roll';
  disabledAt?: number | null;
  secretSealed?: Buffer;
  prevSecretSealed?: Buffer | null;
  prevSecretUntil?: number | null;
  /** What the audit entry says (never a secret). */
  detail: Record<string, unknown>;
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

/**
 * API keys, the IPs they were used from, their audit log (and its change feed) and their
 * rejected requests. Every key change is audited in the same transaction.
 *
 * @example
 *   const key = await store.createKey(user.id, (existing) => buildKey(existing), 'user', Date.now());
 */
export interface KeyStore {
  /**
   * Inserts a key atomically with the account's rules: `build` sees the account's current keys
   * (inside the transaction) and returns the row to insert or throws a RuleError.
   */
  createKey(
    userId: number,
    build: (existing: readonly KeyRecord[]) => KeyRecord,
    actor: KeyActor,
    at: number,
  ): Promise<KeyRecord>;
  /** Applies `change` (which sees the key and the account's other keys) atomically; null if no such key. */
  updateKey(
    userId: number,
    apiKey: string,
    change: (current: KeyRecord, others: readonly KeyRecord[]) => KeyUpdate,
    actor: KeyActor,
    at: number,
  ): Promise<KeyRecord | null>;
  /**
   * Changes a key's state (disabled, enabled, secret rolled) atomically with its audit entry:
   * `revise` sees the current key and returns the revision, or throws a RuleError. Null if the
   * account has no such key.
   */
  reviseKey(
    userId: number,
    apiKey: string,
    revise: (current: KeyRecord) => KeyRevision,
    actor: Actor,
    at: number,
  ): Promise<KeyRecord | null>;
  /** Deletes the account's key; the deleted row, or null if it had no such key. */
  deleteKey(userId: number, apiKey: string, actor: KeyActor, at: number): Promise<KeyRecord | null>;
  getKey(apiKey: string): Promise<KeyRecord | null>;
  /**
   * Keys used at or after `since` (Unix ms), most recently used first, after `cursor` (the last
   * key of the previous page) if given, at most `limit`: what a starting server warms its key cache
   * with, page by page, instead of loading every key.
   */
  recentKeys(since: number, cursor: RecentCursor | null, limit: number): Promise<KeyRecord[]>;
  listKeys(userId: number): Promise<KeyRecord[]>;
  /** Raises last-used times (never lowers them) for keys that still exist. */
  touchKeys(uses: ReadonlyArray<{ apiKey: string; at: number }>): Promise<void>;
  /**
   * Replaces a key's passphrase hash with `to` only if it is still `from` (an older scrypt hash
   * upgraded to the keyed verifier after a successful check); true if replaced. Not a key change:
   * no audit entry, no cache eviction (both forms accept the same passphrase).
   */
  upgradePassphraseHash(apiKey: string, from: string, to: string): Promise<boolean>;
  /**
   * Remembers client IPs a key was used from: for each (key, IP) not seen before, a 'new_ip'
   * audit entry (actor 'api'). Uses of keys that no longer exist are ignored. How many were new.
   * The remembered IPs are forgotten when the key is deleted; the audit entries stay.
   */
  recordKeyIps(uses: ReadonlyArray<{ apiKey: string; ip: string; at: number }>): Promise<number>;
  /** Client IPs the key has been used from, oldest first, at most `limit`. */
  listKeyIps(apiKey: string, limit: number): Promise<string[]>;
  /**
   * `listKeyIps` for many keys in one read (the key cache's warm-up, a page at a time): each key's
   * IPs oldest first, at most `limit` each; a key with none is absent from the map.
   *   const ips = await store.listKeysIps(['k1', 'k2'], 1000); // ips.get('k1') ?? []
   */
  listKeysIps(apiKeys: readonly string[], limit: number): Promise<Map<string, string[]>>;
  /**
   * Deletes every key expired under `policy` at `now`, with an 'expire' audit entry each, a short
   * transaction per batch. With `onBatch`, each batch's deleted keys are handed to it once
   * committed (awaited before the next batch) and not kept: the result is then empty, and a sweep
   * of any size holds one batch in memory.
   *   await store.deleteExpiredKeys(policy, now, (keys) => log(keys)); // streamed
   *   const all = await store.deleteExpiredKeys(policy, now);           // collected
   */
  deleteExpiredKeys(
    policy: ExpiryPolicy,
    now: number,
    onBatch?: (deleted: KeyRecord[]) => void | Promise<void>,
  ): Promise<KeyRecord[]>;
  /** The keys `deleteExpiredKeys` would delete at `now`, deleting nothing (`signet sweep --dry-run`). */
  listExpiredKeys(policy: ExpiryPolicy, now: number): Promise<KeyRecord[]>;

  /** The newest audit id: the starting cursor for `keyChangesSince`. */
  latestAuditId(): Promise<number>;
  /**
   * Keys created, changed, deleted or expired after `cursor` (not 'new_ip' entries, nor account
   * entries), and the new cursor.
   */
  keyChangesSince(cursor: number): Promise<{ cursor: number; apiKeys: string[] }>;
  /** The account's audit entries (its keys' and its own, apiKey ''), newest first. */
  listAudit(userId: number, limit: number): Promise<AuditRecord[]>;
  /** The account's audit entries for one key, newest first. */
  listKeyAudit(userId: number, apiKey: string, limit: number): Promise<AuditRecord[]>;

  /** Adds counted rejections (merged per key, code and IP) and drops those last seen before `keepAfter`. */
  recordRejections(rejections: readonly KeyRejection[], keepAfter: number): Promise<void>;
  /** The account's rejections for one key, most recent first. */
  listKeyRejections(userId: number, apiKey: string, limit: number): Promise<KeyRejection[]>;
}
