import type pg from 'pg';
import { type ExpiryPolicy, expiredKeys } from '../../core/expiry.js';
import { applyKeyChange } from '../../core/key-rules.js';
import { IP_REJECTED_CODE, isFirstRejectionOfDay } from '../../core/webhook-events.js';
import { auditedBy, keyChangeDetail, keyDeleteDetail } from '../audit-detail.js';
import { type IdRow, pgFlag } from '../codecs/flags.js';
import {
  ACTIVITY_SQL,
  type AuditRow,
  IDLE_START,
  type IdleCursor,
  type KeyFeedRow,
  type KeyRow,
  keyRow,
  nextIdleCursor,
  RECENT_START,
  type RejectionRow,
  recentKeysSql,
  recentParams,
  revisedKey,
  SWEEP_BATCH,
  toAudit,
  toKey,
  toKeyChanges,
  toRejection,
} from '../codecs/keys.js';
import { PG_CHAR_CODE, useBucketSql } from '../codecs/use-bucket.js';
import {
  type Actor,
  type AuditAction,
  type AuditRecord,
  KEY_ACTIVITY_ACTIONS,
  type KeyActor,
  type KeyRecord,
  type KeyRejection,
  type KeyRevision,
  type KeyStore,
  type KeyUpdate,
  type RecentCursor,
} from '../keys.js';
import { type Connection, changed, feedLock, KEY_CHANNEL, lockUser, one, rows, tx } from './connection.js';
import { expireBatch, idleBatch } from './key-expiry.js';

/** API keys, their IPs, audit log and rejections on PostgreSQL. */
export class PostgresKeys implements KeyStore {
  constructor(private readonly conn: Connection) {}

  private async audit(
    c: pg.PoolClient,
    at: number,
    who: KeyActor,
    key: KeyRecord,
    action: AuditAction,
    what: Record<string, unknown>,
  ): Promise<void> {
    const { actor, detail } = auditedBy(who, what);
    await feedLock(c, this.conn.schema, 'audit');
    await c.query(
      'INSERT INTO audit_log (at, actor, user_id, api_key, action, detail) VALUES ($1, $2, $3, $4, $5, $6)',
      [at, actor, key.userId, key.apiKey, action, JSON.stringify(detail)],
    );
    // Delivered to listeners when (and only if) the transaction commits. Activity (a first use
    // from a new IP, a warning, a rejection) is not a key change: no cache needs to hear of it.
    if (!KEY_ACTIVITY_ACTIONS.includes(action as never))
      await c.query('SELECT pg_notify($1, $2)', [KEY_CHANNEL, this.conn.schema]);
  }

  /** Inside a transaction: the account's keys, with the account row locked (rules that count keys hold). */
  private async lockedKeys(c: pg.PoolClient, userId: number): Promise<KeyRecord[]> {
    await lockUser(c, userId);
    return (
      await rows<KeyRow>(c, 'SELECT * FROM api_keys WHERE user_id = $1 ORDER BY created_at, api_key', [userId])
    ).map(toKey);
  }

  async createKey(
    userId: number,
    build: (existing: readonly KeyRecord[]) => KeyRecord,
    actor: KeyActor,
    at: number,
  ): Promise<KeyRecord> {
    return tx(this.conn.pool, async (c) => {
      const key = build(await this.lockedKeys(c, userId));
      const r = keyRow(key, pgFlag);
      await c.query(
        `INSERT INTO api_keys (api_key, user_id, label, perm_trade, perm_withdraw, ips, env, secret_sealed,
        passphrase_hash, created_at, updated_at, last_used_at, used_hour, app_id, disabled_at, prev_secret_sealed,
        prev_secret_until)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          r.api_key,
          r.user_id,
          r.label,
          r.perm_trade,
          r.perm_withdraw,
          r.ips,
          r.env,
          r.secret_sealed,
          r.passphrase_hash,
          r.created_at,
          r.updated_at,
          r.last_used_at,
          r.used_hour,
          r.app_id,
          r.disabled_at,
          r.prev_secret_sealed,
          r.prev_secret_until,
        ],
      );
      await this.audit(c, at, actor, key, 'create', keyChangeDetail(null, key));
      return key;
    });
  }

  async updateKey(
    userId: number,
    apiKey: string,
    change: (current: KeyRecord, others: readonly KeyRecord[]) => KeyUpdate,
    actor: KeyActor,
    at: number,
  ): Promise<KeyRecord | null> {
    return tx(this.conn.pool, async (c) => {
      const all = await this.lockedKeys(c, userId);
      const current = all.find((k) => k.apiKey === apiKey);
      if (current === undefined) return null;
      const next = applyKeyChange(
        current,
        change(
          current,
          all.filter((k) => k.apiKey !== apiKey),
        ),
        at,
      );
      const r = keyRow(next, pgFlag);
      await c.query(
        `UPDATE api_keys SET label = $1, perm_trade = $2, perm_withdraw = $3, ips = $4, updated_at = $5
        WHERE api_key = $6`,
        [r.label, r.perm_trade, r.perm_withdraw, r.ips, at, apiKey],
      );
      await this.audit(c, at, actor, next, 'modify', keyChangeDetail(current, next));
      return next;
    });
  }

  async reviseKey(
    userId: number,
    apiKey: string,
    revise: (current: KeyRecord) => KeyRevision,
    actor: Actor,
    at: number,
  ): Promise<KeyRecord | null> {
    return tx(this.conn.pool, async (c) => {
      const row = await one<KeyRow>(c, 'SELECT * FROM api_keys WHERE api_key = $1 AND user_id = $2 FOR UPDATE', [
        apiKey,
        userId,
      ]);
      if (row === undefined) return null;
      const current = toKey(row);
      const revision = revise(current);
      const next = revisedKey(current, revision, at);
      await c.query(
        `UPDATE api_keys SET disabled_at = $1, secret_sealed = $2, prev_secret_sealed = $3, prev_secret_until = $4,
        updated_at = $5 WHERE api_key = $6`,
        [next.disabledAt, next.secretSealed, next.prevSecretSealed, next.prevSecretUntil, at, apiKey],
      );
      await this.audit(c, at, actor, next, revision.action, revision.detail);
      return next;
    });
  }

  async deleteKey(userId: number, apiKey: string, actor: KeyActor, at: number): Promise<KeyRecord | null> {
    return tx(this.conn.pool, async (c) => {
      const row = await one<KeyRow>(c, 'DELETE FROM api_keys WHERE api_key = $1 AND user_id = $2 RETURNING *', [
        apiKey,
        userId,
      ]);
      if (row === undefined) return null;
      const key = toKey(row);
      await c.query('DELETE FROM key_ips WHERE api_key = $1', [apiKey]);
      await this.audit(c, at, actor, key, 'delete', keyDeleteDetail(key));
      return key;
    });
  }

  async getKey(apiKey: string): Promise<KeyRecord | null> {
    const row = await one<KeyRow>(this.conn.pool, 'SELECT * FROM api_keys WHERE api_key = $1', [apiKey]);
    return row === undefined ? null : toKey(row);
  }

  async upgradePassphraseHash(apiKey: string, from: string, to: string): Promise<boolean> {
    const r = await this.conn.pool.query(
      'UPDATE api_keys SET passphrase_hash = $1 WHERE api_key = $2 AND passphrase_hash = $3',
      [to, apiKey, from],
    );
    return r.rowCount === 1;
  }

  async recentKeys(since: number, cursor: RecentCursor | null, limit: number): Promise<KeyRecord[]> {
    const from = cursor ?? RECENT_START;
    const sql = recentKeysSql(['$1', '$2', '$3', '$4']);
    return (await rows<KeyRow>(this.conn.pool, sql, recentParams(since, from, limit))).map(toKey);
  }

  async listKeys(userId: number): Promise<KeyRecord[]> {
    return (
      await rows<KeyRow>(this.conn.pool, 'SELECT * FROM api_keys WHERE user_id = $1 ORDER BY created_at, api_key', [
        userId,
      ])
    ).map(toKey);
  }

  async touchKeys(uses: ReadonlyArray<{ apiKey: string; at: number }>): Promise<void> {
    if (uses.length === 0) return;
    const latest = new Map<string, number>();
    for (const u of uses) latest.set(u.apiKey, Math.max(latest.get(u.apiKey) ?? 0, u.at));
    await this.conn.pool.query(
      // used_hour keeps its value within the hour and last_used_at is in no index: such an update is
      // HOT (no index entry written; see use-bucket.ts).
      `UPDATE api_keys k SET last_used_at = u.at, used_hour = ${useBucketSql('k.api_key', 'u.at', PG_CHAR_CODE)}
      FROM unnest($1::text[], $2::bigint[]) AS u(api_key, at)
      WHERE k.api_key = u.api_key AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
      [[...latest.keys()], [...latest.values()]],
    );
  }

  async recordKeyIps(uses: ReadonlyArray<{ apiKey: string; ip: string; at: number }>): Promise<number> {
    if (uses.length === 0) return 0;
    return tx(this.conn.pool, async (c) => {
      let added = 0;
      for (const use of uses) {
        const row = await one<KeyRow>(c, 'SELECT * FROM api_keys WHERE api_key = $1', [use.apiKey]);
        if (row === undefined) continue;
        const inserted = await changed(
          c,
          `INSERT INTO key_ips (api_key, ip, first_at) VALUES ($1, $2, $3)
          ON CONFLICT DO NOTHING`,
          [use.apiKey, use.ip, use.at],
        );
        if (inserted === 1) {
          await this.audit(c, use.at, 'api', toKey(row), 'new_ip', { ip: use.ip });
          added++;
        }
      }
      return added;
    });
  }

  async listKeyIps(apiKey: string, limit: number): Promise<string[]> {
    return (
      await rows<{ ip: string }>(
        this.conn.pool,
        'SELECT ip FROM key_ips WHERE api_key = $1 ORDER BY first_at, ip LIMIT $2',
        [apiKey, limit],
      )
    ).map((r) => r.ip);
  }

  async listKeysIps(apiKeys: readonly string[], limit: number): Promise<Map<string, string[]>> {
    const ips = new Map<string, string[]>();
    if (apiKeys.length === 0) return ips;
    const found = await rows<{ api_key: string; ip: string }>(
      this.conn.pool,
      `SELECT api_key, ip FROM (
        SELECT api_key, ip, first_at, row_number() OVER (PARTITION BY api_key ORDER BY first_at, ip) AS n
        FROM key_ips WHERE api_key = ANY($1::text[])
      ) AS t WHERE n <= $2 ORDER BY api_key, first_at, ip`,
      [[...new Set(apiKeys)], limit],
    );
    for (const r of found) {
      const list = ips.get(r.api_key);
      if (list === undefined) ips.set(r.api_key, [r.ip]);
      else list.push(r.ip);
    }
    return ips;
  }

  async deleteExpiredKeys(
    policy: ExpiryPolicy,
    now: number,
    onBatch?: (deleted: KeyRecord[]) => void | Promise<void>,
  ): Promise<KeyRecord[]> {
    const kept: KeyRecord[] = [];
    // Per batch, two round trips (the read, then one statement that is its own transaction):
    // requests and other writers go on beside a sweep of any size, and a busy event loop delays
    // the sweep by two turns per batch, not by one per statement.
    for (let cursor: IdleCursor | null = IDLE_START; cursor !== null; ) {
      const batch = await idleBatch(this.conn.pool, policy, now, cursor);
      const deleted = await expireBatch(this.conn, expiredKeys(batch, policy, now), now);
      if (onBatch === undefined) kept.push(...deleted);
      else if (deleted.length > 0) await onBatch(deleted);
      cursor = nextIdleCursor(batch, SWEEP_BATCH);
    }
    return kept;
  }

  async listExpiredKeys(policy: ExpiryPolicy, now: number): Promise<KeyRecord[]> {
    const expired: KeyRecord[] = [];
    for (let cursor: IdleCursor | null = IDLE_START; cursor !== null; ) {
      const batch = await idleBatch(this.conn.pool, policy, now, cursor);
      expired.push(...expiredKeys(batch, policy, now));
      cursor = nextIdleCursor(batch, SWEEP_BATCH);
    }
    return expired;
  }

  async latestAuditId(): Promise<number> {
    return (await one<IdRow>(this.conn.pool, 'SELECT COALESCE(MAX(id), 0) AS id FROM audit_log'))?.id ?? 0;
  }

  async keyChangesSince(cursor: number): Promise<{ cursor: number; apiKeys: string[] }> {
    const feed = await rows<KeyFeedRow>(
      this.conn.pool,
      `SELECT id, api_key FROM audit_log
      WHERE id > $1 AND action NOT IN (${ACTIVITY_SQL}) AND api_key <> '' ORDER BY id LIMIT 1000`,
      [cursor],
    );
    return toKeyChanges(feed, cursor);
  }

  async listAudit(userId: number, limit: number): Promise<AuditRecord[]> {
    return (
      await rows<AuditRow>(this.conn.pool, 'SELECT * FROM audit_log WHERE user_id = $1 ORDER BY id DESC LIMIT $2', [
        userId,
        limit,
      ])
    ).map(toAudit);
  }

  async listKeyAudit(userId: number, apiKey: string, limit: number): Promise<AuditRecord[]> {
    return (
      await rows<AuditRow>(
        this.conn.pool,
        `SELECT * FROM audit_log WHERE api_key = $1 AND user_id = $2
      ORDER BY id DESC LIMIT $3`,
        [apiKey, userId, limit],
      )
    ).map(toAudit);
  }

  async recordRejections(rejections: readonly KeyRejection[], keepAfter: number): Promise<void> {
    await tx(this.conn.pool, async (c) => {
      for (const r of rejections) {
        if (r.code === IP_REJECTED_CODE) await this.auditIpRejection(c, r);
        await c.query(
          `INSERT INTO key_rejections (api_key, user_id, code, ip, count, first_at, last_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7)
          ON CONFLICT (api_key, code, ip) DO UPDATE SET count = key_rejections.count + EXCLUDED.count,
          first_at = LEAST(key_rejections.first_at, EXCLUDED.first_at),
          last_at = GREATEST(key_rejections.last_at, EXCLUDED.last_at)`,
          [r.apiKey, r.userId, r.code, r.ip, r.count, r.firstAt, r.lastAt],
        );
      }
      await c.query('DELETE FROM key_rejections WHERE last_at < $1', [keepAfter]);
    });
  }

  /** The first 50110 from an address in a UTC day: one 'ip_rejected' entry (activity, no eviction). */
  private async auditIpRejection(c: pg.PoolClient, r: KeyRejection): Promise<void> {
    const prev = await one<{ last_at: number }>(
      c,
      'SELECT last_at FROM key_rejections WHERE api_key = $1 AND code = $2 AND ip = $3 FOR UPDATE',
      [r.apiKey, r.code, r.ip],
    );
    const previous = prev?.last_at ?? null;
    if (!isFirstRejectionOfDay(previous, r.lastAt)) return;
    const row = await one<KeyRow>(c, 'SELECT * FROM api_keys WHERE api_key = $1', [r.apiKey]);
    if (row === undefined) return;
    const at = previous === null ? r.firstAt : r.lastAt;
    await this.audit(c, at, 'api', toKey(row), 'ip_rejected', { ip: r.ip, label: row.label });
  }

  async listKeyRejections(userId: number, apiKey: string, limit: number): Promise<KeyRejection[]> {
    return (
      await rows<RejectionRow>(
        this.conn.pool,
        `SELECT * FROM key_rejections WHERE api_key = $1 AND user_id = $2
      ORDER BY last_at DESC, code, ip LIMIT $3`,
        [apiKey, userId, limit],
      )
    ).map(toRejection);
  }
}
