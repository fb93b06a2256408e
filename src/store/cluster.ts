export type IdSequenceName = 'order' | 'trade' | 'withdrawal';

/**
 * What a sealed secret belongs to: an API key (id: the API key), an account's authenticator (id: the
 * user id), a webhook (id: its id) or a named sealed value (id: its name, e.g. the passphrase verifier key).
 */
export type SealedKind = 'api-key' | 'totp' | 'webhook' | 'sealed-value';

/**
 * What the processes sharing one database coordinate through it (id sequences, jobs, leases,
 * key-change pushes), the master-key rotation that spans every sealed secret, and closing the store.
 *
 * @example
 *   if (await store.claimInterval('sweep', Date.now(), 60_000)) await sweep();
 */
export interface ClusterStore {
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
  /**
   * Gives a lease up at once (clean shutdown), if `holder` still holds it; another instance may
   * take it on its next try.
   */
  releaseLease(name: string, holder: string): Promise<void>;
  /**
   * Calls `listener` soon after any process commits a key change (PostgreSQL LISTEN/NOTIFY); a
   * hint only, without the change itself: `keyChangesSince` stays the source, and adapters without
   * push (SQLite) never call it, so callers keep polling as the fallback.
   */
  onKeyChanges(listener: () => void): Promise<void>;
  /**
   * The sealed value stored under `name`; the first caller in any process stores `create()` and
   * every caller gets that one (a concurrent creator's value loses).
   */
  sealedValue(name: string, create: () => Buffer): Promise<Buffer>;
  /**
   * Re-encrypts every sealed secret (API secret keys, TOTP and webhook secrets, sealed values) in one transaction:
   * `reseal` opens a sealed value under the old master key and seals it under the new one.
   */
  resealSecrets(
    reseal: (kind: SealedKind, id: string, sealed: Buffer) => Buffer,
  ): Promise<{ apiKeys: number; totp: number; webhooks: number }>;

  /**
   * The readiness probe's cheap query: the schema version applied in the database, and the number
   * of migrations this code knows (ready when they are equal). Rejects when the database is unreachable.
   */
  schemaVersion(): Promise<{ applied: number; expected: number }>;

  close(): Promise<void>;
}
