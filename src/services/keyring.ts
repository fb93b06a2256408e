import { IpWhitelist } from '../core/ip-whitelist.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { PermissionSet } from '../core/permissions.js';
import { constantTimeEqual, SigningKey } from '../core/signing.js';
import { PassphraseVerifier } from '../security/passphrase-verifier.js';
import type { SecretBox } from '../security/secret-box.js';
import { slowHashMatches } from '../security/slow-hash.js';
import type { KeyRecord, RecentCursor } from '../store/keys.js';
import type { AppStore, KeyStore, SubAccountStore, UserStore } from '../store/store.js';
import type { UserRecord } from '../store/users.js';

/** A key as the hot path needs it: decrypted HMAC key, compiled whitelist, owner's uid. */
export interface ActiveKey {
  readonly apiKey: string;
  readonly userId: number;
  readonly uid: string;
  /** The master account of the key's account when that is a sub-account; null for a master's key. */
  readonly masterId: number | null;
  /** The master account's uid for a sub-account's key (OKX's `mainUid`); the key's own `uid` for a master's. */
  readonly mainUid: string;
  /** The key's sub-account is frozen (signet's operator or the master froze it): refused with 50100. */
  readonly frozen: boolean;
  readonly label: string;
  readonly perms: PermissionSet;
  readonly ips: readonly string[];
  readonly whitelist: IpWhitelist;
  readonly env: KeyEnv;
  readonly hmacKey: SigningKey;
  /** The secret replaced by the last roll, accepted while the request's `now` < `prevUntil`. */
  readonly prevHmacKey: SigningKey | null;
  /** Unix ms; 0 when there is no previous secret. */
  readonly prevUntil: number;
  /** Refused with 50100 (after the signature check), settings kept. */
  readonly disabled: boolean;
  /** The keyed verifier (checked synchronously) or an older scrypt hash (upgraded on first success). */
  passphraseHash: string;
  /**
   * The passphrase, kept in memory only after one successful check, scrypt or keyed verifier (the
   * hash or verifier stays the only form at rest). Only requests with a valid signature reach the comparison.
   */
  passphraseMemo: string | null;
  /** A scrypt check under way, shared by concurrent requests with the same passphrase. */
  passphraseCheck: { given: string; result: Promise<boolean> } | null;
  /**
   * Client IPs (as received, and normalized) the key is known to have been used from; a new one
   * is recorded as activity. Bounded by MAX_KNOWN_IPS.
   */
  readonly knownIps: Set<string>;
  /** Last use as the database has it, Unix ms (null: never). */
  persistedLastUsedAt: number | null;
  readonly createdAt: number;
  /** The registered app the key is bound to (its IPs and whitelist are the app's, by reference), or null. */
  readonly appId: string | null;
}

/** An app's IP list, compiled once and shared by every key bound to the app. */
interface AppList {
  readonly ips: readonly string[];
  readonly whitelist: IpWhitelist;
}

/** Where `activate` finds a key's account and known IPs (the warm-up reads them a page at a time). */
interface Lookups {
  userOf(id: number): Promise<UserRecord | null>;
  ipsOf(apiKey: string): Promise<string[]>;
}

/** For a key whose app is gone: an entry that is no address, so the list admits nobody (fails closed). */
const NO_APP: AppList = { ips: [], whitelist: new IpWhitelist(['no-app']) };

/** The app store's feed and lookups the key cache follows. */
export type AppFeed = Pick<AppStore, 'getApp' | 'latestAppChangeId' | 'appChangesSince'>;

/** Keys the cache holds unless told otherwise (SIGNET_KEY_CACHE). */
export const DEFAULT_KEY_CACHE = 100_000;
/** A key's remembered client IPs; beyond this many (a key used from everywhere), new ones are not recorded. */
export const MAX_KNOWN_IPS = 1000;

/**
 * An in-memory cache of keys in front of the store. A key is loaded on first use, so a key created
 * by any process works at once (nothing is loaded at start: a million stored keys cost a start
 * nothing); `sync()` (run every SIGNET_KEY_SYNC_MS) evicts keys changed or deleted by any process,
 * so such a key is refused within a second. At most `capacity` keys are held: beyond it the least
 * recently used goes (a Map keeps insertion order, and a hit moves its key to the end).
 */
export class Keyring {
  private readonly cache = new Map<string, ActiveKey>();
  /** The key last in the cache's order (the most recently used): a repeat use skips reordering the Map. */
  private newest: string | undefined = undefined;
  private readonly loading = new Map<string, Promise<ActiveKey | null>>();
  private cursor = 0;
  /** Bumped on every eviction, so that a load racing with an eviction is not cached. */
  private epoch = 0;
  private syncing: Promise<number> = Promise.resolve(0);
  private readonly evictListeners: Array<(apiKey: string) => void> = [];
  /** IP lists of apps with bound keys in the cache: replaced (not mutated) when the app changes anywhere. */
  private readonly appLists = new Map<string, AppList>();
  private appCursor = 0;
  /** Bumped on every app change seen, so that a list loaded before the change is not cached. */
  private appEpoch = 0;
  /** Lookups answered from the cache, and those that went to the store (read by /metrics). */
  hits = 0;
  misses = 0;

  /**
   * `verifier`: checks keyed passphrase verifiers synchronously and upgrades a scrypt hash to one
   * after its first successful check (null: scrypt only, as before).
   */
  constructor(
    private readonly store: KeyStore & UserStore & AppFeed & Pick<SubAccountStore, 'subAccountOf'>,
    private readonly box: SecretBox,
    private readonly verifier: PassphraseVerifier | null = null,
    private readonly capacity: number = DEFAULT_KEY_CACHE,
  ) {
    if (!(capacity >= 1)) throw new Error('key cache capacity must be at least 1');
  }

  async start(): Promise<void> {
    this.cursor = await this.store.latestAuditId();
    this.appCursor = await this.store.latestAppChangeId();
  }

  /** Keys in the cache (at most the capacity, SIGNET_KEY_CACHE). */
  get size(): number {
    return this.cache.size;
  }

  /** The key if it is in the cache (no store lookup). */
  cached(apiKey: string): ActiveKey | undefined {
    const hit = this.cache.get(apiKey);
    // A miss here is counted by the get() that follows it.
    if (hit !== undefined) this.touch(apiKey, hit);
    return hit;
  }

  /** The cached key (synchronously) or a promise of it from the store; null if there is none. */
  get(apiKey: string): ActiveKey | Promise<ActiveKey | null> {
    const hit = this.cache.get(apiKey);
    if (hit !== undefined) {
      this.touch(apiKey, hit);
      return hit;
    }
    this.misses++;
    let pending = this.loading.get(apiKey);
    if (pending === undefined) {
      pending = this.load(apiKey).finally(() => this.loading.delete(apiKey));
      this.loading.set(apiKey, pending);
    }
    return pending;
  }

  /** A hit: the key becomes the most recently used (moved to the end of the Map's order). */
  private touch(apiKey: string, key: ActiveKey): void {
    this.hits++;
    if (apiKey === this.newest) return;
    this.cache.delete(apiKey);
    this.cache.set(apiKey, key);
    this.newest = apiKey;
  }

  private async load(apiKey: string): Promise<ActiveKey | null> {
    const epoch = this.epoch;
    const record = await this.store.getKey(apiKey);
    return record === null ? null : this.activate(record, epoch);
  }

  /**
   * After a start: loads the keys used within `withinMs` before `now`, most recently used first,
   * up to the capacity, page by page (a restarted server under traffic gets its steady latency
   * back in seconds rather than one miss per key). Keys already cached or loading are left alone;
   * a key used meanwhile is loaded by its request as usual. Returns how many were loaded.
   */
  async warm(now: number, withinMs: number, stopped: () => boolean = () => false, pageSize = 500): Promise<number> {
    let loaded = 0;
    let cursor: RecentCursor | null = null;
    // `stopped`: the process is closing (the store is about to close); the rest is left.
    while (loaded < this.capacity && !stopped()) {
      const epoch = this.epoch;
      const page = await this.store.recentKeys(now - withinMs, cursor, Math.min(pageSize, this.capacity - loaded));
      const last = page[page.length - 1];
      if (last === undefined) break;
      cursor = { lastUsedAt: last.lastUsedAt ?? 0, apiKey: last.apiKey };
      const fresh = page.filter((r) => !this.cache.has(r.apiKey) && !this.loading.has(r.apiKey));
      // The page's accounts in one read, and its known IPs in another (a read per key, or per
      // account, was a round trip each on PostgreSQL: 90 µs of CPU per key warmed, and a restart's
      // warm-up starved the requests it was meant to help).
      const [owners, ips] = await Promise.all([
        this.store.findUsersByIds([...new Set(fresh.map((r) => r.userId))]),
        this.store.listKeysIps(
          fresh.map((r) => r.apiKey),
          MAX_KNOWN_IPS,
        ),
      ]);
      const users = new Map(owners.map((u) => [u.id, u]));
      // An account missing from the read is gone: its keys are not cached (as activate does for one).
      const userOf = async (id: number) => users.get(id) ?? null;
      const lookups: Lookups = { userOf, ipsOf: async (apiKey) => ips.get(apiKey) ?? [] };
      const keys = await Promise.all(fresh.map((r) => this.activate(r, epoch, false, lookups)));
      loaded += keys.filter((k) => k !== null).length;
      if (page.length < pageSize) break;
      // Requests first: SQLite answers synchronously, so without this the whole warm-up would
      // run before the server even starts listening.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return loaded;
  }

  /**
   * The cached form of a stored key (cached unless a change was seen since `epoch`). `touched`:
   * the key was just asked for (it becomes the most recently used); a warmed key is appended as
   * such too, but never displaces one already cached.
   */
  private async activate(
    record: KeyRecord,
    epoch: number,
    touched = true,
    lookups: Lookups = {
      userOf: (id) => this.store.findUserById(id),
      ipsOf: (apiKey) => this.store.listKeyIps(apiKey, MAX_KNOWN_IPS),
    },
  ): Promise<ActiveKey | null> {
    const apiKey = record.apiKey;
    const [user, ips] = await Promise.all([lookups.userOf(record.userId), lookups.ipsOf(apiKey)]);
    if (user === null) return null;
    // A sub-account's key: its master's uid and whether the sub-account is frozen (a freeze audits
    // the key, so every cache drops it and reads this again).
    const [sub, master] =
      user.masterId === null
        ? [null, null]
        : await Promise.all([this.store.subAccountOf(user.id), this.store.findUserById(user.masterId)]);
    const appId = record.appId;
    if (appId !== null) await this.loadAppList(appId);
    const appLists = this.appLists;
    const secret = this.box.open(record.secretSealed, record.apiKey);
    const prev = record.prevSecretSealed === null ? null : this.box.open(record.prevSecretSealed, record.apiKey);
    const key: ActiveKey = {
      apiKey: record.apiKey,
      userId: record.userId,
      uid: user.uid,
      masterId: user.masterId,
      mainUid: master?.uid ?? user.uid,
      frozen: sub !== null && !sub.enabled,
      label: record.label,
      perms: record.perms,
      ips: record.ips,
      whitelist: new IpWhitelist(record.ips),
      appId,
      env: record.env,
      hmacKey: new SigningKey(secret),
      prevHmacKey: prev === null ? null : new SigningKey(prev),
      prevUntil: prev === null ? 0 : (record.prevSecretUntil ?? 0),
      disabled: record.disabledAt !== null,
      passphraseHash: record.passphraseHash,
      passphraseMemo: null,
      passphraseCheck: null,
      knownIps: new Set(ips),
      persistedLastUsedAt: record.lastUsedAt,
      createdAt: record.createdAt,
    };
    if (appId !== null) {
      // By reference: every read goes through the app's current list, so an app change reaches
      // every bound key at once without touching the keys.
      Object.defineProperties(key, {
        ips: { get: () => (appLists.get(appId) ?? NO_APP).ips, enumerable: true },
        whitelist: { get: () => (appLists.get(appId) ?? NO_APP).whitelist, enumerable: true },
      });
    }
    if (epoch === this.epoch && (touched || (!this.cache.has(apiKey) && this.cache.size < this.capacity))) {
      this.cache.delete(apiKey);
      // The least recently used first in the Map's order: dropped without eviction listeners
      // (nothing about the key changed; it is read again on its next use).
      for (const oldest of this.cache.keys()) {
        if (this.cache.size < this.capacity) break;
        this.cache.delete(oldest);
      }
      this.cache.set(apiKey, key);
      this.newest = apiKey;
    }
    return key;
  }

  /** Compiles the app's list once (shared by its keys) unless already cached. */
  private async loadAppList(appId: string): Promise<void> {
    // Read again if an app change was seen meanwhile: the list read may predate it.
    while (!this.appLists.has(appId)) {
      const epoch = this.appEpoch;
      const app = await this.store.getApp(appId);
      if (epoch === this.appEpoch && !this.appLists.has(appId))
        this.appLists.set(appId, app === null ? NO_APP : { ips: app.ips, whitelist: new IpWhitelist(app.ips) });
    }
  }

  /**
   * Checks a passphrase: a keyed verifier synchronously (no slow hash, even after a restart); an
   * older scrypt hash with scrypt the first time (a promise; on success the stored hash becomes
   * the keyed verifier), then a synchronous constant-time comparison in memory.
   */
  passphraseMatches(key: ActiveKey, given: string): boolean | Promise<boolean> {
    const verifier = this.verifier;
    if (verifier !== null && PassphraseVerifier.isKeyed(key.passphraseHash)) {
      const ok = verifier.matches(key.apiKey, given, key.passphraseHash);
      // Remembered as after scrypt: the authenticator's hot path then compares in memory, with no
      // HMAC and no lane (promise chain) per request.
      if (ok) key.passphraseMemo = given;
      return ok;
    }
    const memo = key.passphraseMemo;
    if (memo !== null) return constantTimeEqual(given, memo);
    // A burst of requests after a restart or a key change must not run one scrypt each.
    const pending = key.passphraseCheck;
    if (pending !== null && constantTimeEqual(given, pending.given)) return pending.result;
    // 'verified': only requests with the key's valid signature reach this check.
    const scryptHash = key.passphraseHash;
    const result = slowHashMatches(given, scryptHash, 'verified').then(async (ok) => {
      if (ok) key.passphraseMemo = given;
      if (ok && verifier !== null) await this.upgrade(key, scryptHash, verifier.make(key.apiKey, given));
      if (key.passphraseCheck?.result === result) key.passphraseCheck = null;
      return ok;
    });
    key.passphraseCheck = { given, result };
    return result;
  }

  /**
   * Stores the keyed verifier in place of the scrypt hash just checked (only if still that hash:
   * a passphrase changed meanwhile wins). A failed write is retried on the next start's check.
   */
  private async upgrade(key: ActiveKey, scryptHash: string, keyed: string): Promise<void> {
    try {
      if (await this.store.upgradePassphraseHash(key.apiKey, scryptHash, keyed)) key.passphraseHash = keyed;
    } catch {
      // The passphrase was right; the upgrade is an optimisation and waits for the next check.
    }
  }

  /**
   * Called with every key that was created, changed, deleted or expired by any process (once
   * `sync()` sees it): WebSocket sessions logged in with it are closed.
   */
  onEvict(listener: (apiKey: string) => void): void {
    this.evictListeners.push(listener);
  }

  /** Drops a key from the cache (it is reloaded on next use). */
  evict(apiKey: string): void {
    this.epoch++;
    this.cache.delete(apiKey);
    for (const l of this.evictListeners) l(apiKey);
  }

  /**
   * Evicts every key that any process changed since the last call; returns how many. Calls run
   * one after another (the poll and a change notification may ask at the same moment).
   */
  sync(): Promise<number> {
    const run = this.syncing.then(() => this.syncOnce());
    this.syncing = run.catch(() => 0);
    return run;
  }

  private async syncOnce(): Promise<number> {
    let evicted = 0;
    for (;;) {
      const changes = await this.store.keyChangesSince(this.cursor);
      if (changes.apiKeys.length === 0) break;
      this.cursor = changes.cursor;
      for (const apiKey of changes.apiKeys) this.evict(apiKey);
      evicted += changes.apiKeys.length;
      // A page at a time, requests served between pages (a sweep can change 100,000 keys at once;
      // SQLite answers synchronously, so without this nothing else would run until the end).
      await new Promise((resolve) => setImmediate(resolve));
    }
    await this.syncApps();
    return evicted;
  }

  /** Replaces the lists of apps changed by any process since the last look (their keys stay cached). */
  private async syncApps(): Promise<void> {
    for (;;) {
      const changes = await this.store.appChangesSince(this.appCursor);
      if (changes.clientIds.length === 0) return;
      this.appCursor = changes.cursor;
      this.appEpoch++;
      for (const appId of new Set(changes.clientIds)) {
        if (!this.appLists.has(appId)) continue;
        const app = await this.store.getApp(appId);
        this.appLists.set(appId, app === null ? NO_APP : { ips: app.ips, whitelist: new IpWhitelist(app.ips) });
      }
    }
  }
}
