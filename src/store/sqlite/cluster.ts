import type { ClusterStore, IdSequenceName, SealedKind } from '../cluster.js';
import type { Checkpointer } from './checkpointer.js';
import { type Db, inTransaction, prepare } from './connection.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

/** Id sequences, jobs, leases, resealing and closing on SQLite (no key-change push: every process polls). */
export class SqliteCluster implements ClusterStore {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly checkpointer: Checkpointer | null = null,
  ) {
    this.stmt = {
      reserveIds: prepare<{ last: bigint }>(
        db,
        'UPDATE id_sequences SET last = MAX(last + ?, ?) WHERE name = ? RETURNING last',
      ).safeIntegers(true),
      claimJob: prepare(
        db,
        `INSERT INTO jobs (name, last_run) VALUES (?, ?) ON CONFLICT (name)
        DO UPDATE SET last_run = excluded.last_run WHERE jobs.last_run <= excluded.last_run - ?`,
      ),
      holdLease: prepare(
        db,
        `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name)
        DO UPDATE SET holder = excluded.holder, until = excluded.until
        WHERE leases.holder = excluded.holder OR leases.until < ?`,
      ),
      releaseLease: prepare(db, 'DELETE FROM leases WHERE name = ? AND holder = ?'),
      sealedKeys: prepare<{ api_key: string; secret_sealed: Buffer; prev_secret_sealed: Buffer | null }>(
        db,
        'SELECT api_key, secret_sealed, prev_secret_sealed FROM api_keys ORDER BY api_key',
      ),
      resealKey: prepare(db, 'UPDATE api_keys SET secret_sealed = ?, prev_secret_sealed = ? WHERE api_key = ?'),
      sealedTotp: prepare<{ user_id: number; secret_sealed: Buffer }>(
        db,
        'SELECT user_id, secret_sealed FROM user_totp ORDER BY user_id',
      ),
      resealTotp: prepare(db, 'UPDATE user_totp SET secret_sealed = ? WHERE user_id = ?'),
      sealedWebhooks: prepare<{ id: string; secret_sealed: Buffer }>(db, 'SELECT id, secret_sealed FROM webhooks'),
      resealWebhook: prepare(db, 'UPDATE webhooks SET secret_sealed = ? WHERE id = ?'),
      insertSealedValue: prepare(db, 'INSERT OR IGNORE INTO sealed_values (name, sealed) VALUES (?, ?)'),
      sealedValue: prepare<{ sealed: Buffer }>(db, 'SELECT sealed FROM sealed_values WHERE name = ?'),
      sealedValues: prepare<{ name: string; sealed: Buffer }>(db, 'SELECT name, sealed FROM sealed_values'),
      resealValue: prepare(db, 'UPDATE sealed_values SET sealed = ? WHERE name = ?'),
      schemaVersion: prepare<{ v: number }>(db, 'SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations'),
    };
  }

  async reserveIds(sequence: IdSequenceName, count: number, floor: bigint): Promise<bigint> {
    const n = BigInt(count);
    const row = this.stmt.reserveIds.get(n, floor + n - 1n, sequence);
    if (row === undefined) throw new Error(`unknown id sequence ${sequence}`);
    return row.last - n + 1n;
  }

  async claimInterval(job: string, now: number, intervalMs: number): Promise<boolean> {
    return this.stmt.claimJob.run(job, now, intervalMs).changes === 1;
  }

  async holdLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    return this.stmt.holdLease.run(name, holder, now + ttlMs, now).changes === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.stmt.releaseLease.run(name, holder);
  }

  async onKeyChanges(): Promise<void> {
    // No push in SQLite: every process polls keyChangesSince.
  }

  async sealedValue(name: string, create: () => Buffer): Promise<Buffer> {
    const found = this.stmt.sealedValue.get(name);
    if (found !== undefined) return found.sealed;
    this.stmt.insertSealedValue.run(name, create());
    const row = this.stmt.sealedValue.get(name);
    if (row === undefined) throw new Error(`sealed value ${name} vanished`);
    return row.sealed;
  }

  async resealSecrets(
    reseal: (kind: SealedKind, id: string, sealed: Buffer) => Buffer,
  ): Promise<{ apiKeys: number; totp: number; webhooks: number }> {
    return inTransaction(this.db, () => {
      const keys = this.stmt.sealedKeys.all();
      for (const k of keys) {
        // A rolled key's previous secret (still in its grace or not) is sealed for the same key.
        const prev = k.prev_secret_sealed === null ? null : reseal('api-key', k.api_key, k.prev_secret_sealed);
        this.stmt.resealKey.run(reseal('api-key', k.api_key, k.secret_sealed), prev, k.api_key);
      }
      const totp = this.stmt.sealedTotp.all();
      for (const t of totp) this.stmt.resealTotp.run(reseal('totp', String(t.user_id), t.secret_sealed), t.user_id);
      const hooks = this.stmt.sealedWebhooks.all();
      for (const h of hooks) this.stmt.resealWebhook.run(reseal('webhook', h.id, h.secret_sealed), h.id);
      for (const v of this.stmt.sealedValues.all())
        this.stmt.resealValue.run(reseal('sealed-value', v.name, v.sealed), v.name);
      return { apiKeys: keys.length, totp: totp.length, webhooks: hooks.length };
    });
  }

  async schemaVersion(): Promise<{ applied: number; expected: number }> {
    return { applied: this.stmt.schemaVersion.get()?.v ?? 0, expected: SQLITE_MIGRATIONS.length };
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.db.close();
  }
}
