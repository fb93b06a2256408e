import pg from 'pg';
import type { ClusterStore, IdSequenceName, SealedKind } from '../cluster.js';
import { type Connection, changed, KEY_CHANNEL, one, rows, tx, types } from './connection.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

/** Id sequences, jobs, leases, key-change notifications (LISTEN/NOTIFY), resealing and closing on PostgreSQL. */
export class PostgresCluster implements ClusterStore {
  private listener: pg.Client | null = null;
  private readonly keyListeners: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly conn: Connection,
    private readonly url: string,
  ) {}

  async reserveIds(sequence: IdSequenceName, count: number, floor: bigint): Promise<bigint> {
    const n = BigInt(count);
    const row = await one<{ last: string }>(
      this.conn.pool,
      `UPDATE id_sequences SET last = GREATEST(last + $1, $2)
      WHERE name = $3 RETURNING last::text AS last`,
      [n.toString(), (floor + n - 1n).toString(), sequence],
    );
    if (row === undefined) throw new Error(`unknown id sequence ${sequence}`);
    return BigInt(row.last) - n + 1n;
  }

  async claimInterval(job: string, now: number, intervalMs: number): Promise<boolean> {
    const claimed = await changed(
      this.conn.pool,
      `INSERT INTO jobs (name, last_run) VALUES ($1, $2) ON CONFLICT (name)
      DO UPDATE SET last_run = EXCLUDED.last_run WHERE jobs.last_run <= EXCLUDED.last_run - $3`,
      [job, now, intervalMs],
    );
    return claimed === 1;
  }

  async holdLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const held = await changed(
      this.conn.pool,
      `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
      ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
      WHERE leases.holder = EXCLUDED.holder OR leases.until < $4`,
      [name, holder, now + ttlMs, now],
    );
    return held === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.conn.pool.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async onKeyChanges(listener: () => void): Promise<void> {
    this.keyListeners.push(listener);
    if (this.listener === null) await this.listen();
  }

  /** One dedicated connection LISTENing for key changes; reconnects after a loss (polling covers the gap). */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, types });
    this.listener = client;
    const retry = () => {
      if (this.listener !== client || this.closed) return;
      this.listener = null;
      client.end().catch(() => undefined);
      setTimeout(() => {
        if (!this.closed && this.listener === null) this.listen().catch(() => undefined);
      }, 1000).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (n) => {
      if (n.channel === KEY_CHANNEL && n.payload === this.conn.schema) for (const l of this.keyListeners) l();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${KEY_CHANNEL}`);
    } catch {
      retry();
    }
  }

  async sealedValue(name: string, create: () => Buffer): Promise<Buffer> {
    const found = await one<{ sealed: Buffer }>(this.conn.pool, 'SELECT sealed FROM sealed_values WHERE name = $1', [
      name,
    ]);
    if (found !== undefined) return found.sealed;
    await this.conn.pool.query(
      'INSERT INTO sealed_values (name, sealed) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, create()],
    );
    const row = await one<{ sealed: Buffer }>(this.conn.pool, 'SELECT sealed FROM sealed_values WHERE name = $1', [
      name,
    ]);
    if (row === undefined) throw new Error(`sealed value ${name} vanished`);
    return row.sealed;
  }

  async resealSecrets(
    reseal: (kind: SealedKind, id: string, sealed: Buffer) => Buffer,
  ): Promise<{ apiKeys: number; totp: number; webhooks: number }> {
    return tx(this.conn.pool, async (c) => {
      const keys = await rows<{ api_key: string; secret_sealed: Buffer; prev_secret_sealed: Buffer | null }>(
        c,
        'SELECT api_key, secret_sealed, prev_secret_sealed FROM api_keys ORDER BY api_key FOR UPDATE',
      );
      for (const k of keys) {
        // A rolled key's previous secret (still in its grace or not) is sealed for the same key.
        const prev = k.prev_secret_sealed === null ? null : reseal('api-key', k.api_key, k.prev_secret_sealed);
        await c.query('UPDATE api_keys SET secret_sealed = $1, prev_secret_sealed = $2 WHERE api_key = $3', [
          reseal('api-key', k.api_key, k.secret_sealed),
          prev,
          k.api_key,
        ]);
      }
      const totp = await rows<{ user_id: number; secret_sealed: Buffer }>(
        c,
        'SELECT user_id, secret_sealed FROM user_totp ORDER BY user_id FOR UPDATE',
      );
      for (const t of totp) {
        await c.query('UPDATE user_totp SET secret_sealed = $1 WHERE user_id = $2', [
          reseal('totp', String(t.user_id), t.secret_sealed),
          t.user_id,
        ]);
      }
      const hooks = await rows<{ id: string; secret_sealed: Buffer }>(
        c,
        'SELECT id, secret_sealed FROM webhooks ORDER BY id FOR UPDATE',
      );
      for (const h of hooks) {
        await c.query('UPDATE webhooks SET secret_sealed = $1 WHERE id = $2', [
          reseal('webhook', h.id, h.secret_sealed),
          h.id,
        ]);
      }
      const values = await rows<{ name: string; sealed: Buffer }>(
        c,
        'SELECT name, sealed FROM sealed_values ORDER BY name FOR UPDATE',
      );
      for (const v of values) {
        await c.query('UPDATE sealed_values SET sealed = $1 WHERE name = $2', [
          reseal('sealed-value', v.name, v.sealed),
          v.name,
        ]);
      }
      return { apiKeys: keys.length, totp: totp.length, webhooks: hooks.length };
    });
  }

  async schemaVersion(): Promise<{ applied: number; expected: number }> {
    const row = await one<{ v: number }>(
      this.conn.pool,
      'SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations',
    );
    return { applied: Number(row?.v ?? 0), expected: POSTGRES_MIGRATIONS.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = null;
    if (listener !== null) await listener.end().catch(() => undefined);
    await this.conn.pool.end();
  }
}
