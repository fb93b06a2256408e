import type pg from 'pg';
import type { ExpiryPolicy } from '../../core/expiry.js';
import {
  type IdleCursor,
  idleKeysSql,
  type KeyRow,
  nextIdleCursor,
  SWEEP_BATCH,
  toKey,
  warningWalk,
} from '../codecs/keys.js';
import {
  type DeliveryRow,
  dueWarnings,
  FEED_COLUMNS,
  type FeedRow,
  feedCursor,
  toDelivery,
  toFeedEntry,
  toWebhook,
  WARNING_KEEP_MS,
  type WebhookRow,
  warningDetail,
  webhookRow,
} from '../codecs/webhooks.js';
import type { KeyRecord } from '../keys.js';
import type {
  ClaimedDelivery,
  DeliveryOutcome,
  DeliveryRecord,
  ExpiryWarning,
  FeedEntry,
  NewDelivery,
  NotifyStore,
  WebhookRecord,
} from '../webhooks.js';
import { type Connection, changed, feedLock, one, rows, tx } from './connection.js';

/** Webhooks, deliveries, the notification cursor and expiry warnings on PostgreSQL. */
export class PostgresWebhooks implements NotifyStore {
  constructor(private readonly conn: Connection) {}

  async createWebhook(hook: WebhookRecord): Promise<void> {
    const r = webhookRow(hook);
    await this.conn.pool.query(
      'INSERT INTO webhooks (id, user_id, url, events, secret_sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [r.id, r.user_id, r.url, r.events, r.secret_sealed, r.created_at],
    );
  }

  async listWebhooks(userId: number): Promise<WebhookRecord[]> {
    return (
      await rows<WebhookRow>(this.conn.pool, 'SELECT * FROM webhooks WHERE user_id = $1 ORDER BY created_at, id', [
        userId,
      ])
    ).map(toWebhook);
  }

  async webhooksOf(userIds: readonly number[]): Promise<WebhookRecord[]> {
    if (userIds.length === 0) return [];
    return (
      await rows<WebhookRow>(
        this.conn.pool,
        'SELECT * FROM webhooks WHERE user_id = ANY($1::bigint[]) ORDER BY created_at, id',
        [[...new Set(userIds)]],
      )
    ).map(toWebhook);
  }

  async deleteWebhook(userId: number, id: string): Promise<boolean> {
    return tx(this.conn.pool, async (c) => {
      const gone = await changed(c, 'DELETE FROM webhooks WHERE id = $1 AND user_id = $2', [id, userId]);
      if (gone === 0) return false;
      await c.query(`DELETE FROM deliveries WHERE kind = 'webhook' AND webhook_id = $1`, [id]);
      return true;
    });
  }

  async deleteWebhookById(id: string): Promise<number | null> {
    const row = await one<{ user_id: number }>(this.conn.pool, 'SELECT user_id FROM webhooks WHERE id = $1', [id]);
    if (row === undefined) return null;
    return (await this.deleteWebhook(row.user_id, id)) ? row.user_id : null;
  }

  async notificationFeed(limit: number): Promise<{ entries: FeedEntry[]; cursor: number }> {
    const cursor =
      (await one<{ position: number }>(this.conn.pool, `SELECT position FROM feed_cursors WHERE name = 'notify'`))
        ?.position ?? 0;
    const feed = await rows<FeedRow>(
      this.conn.pool,
      `SELECT ${FEED_COLUMNS} FROM audit_log a JOIN users u ON u.id = a.user_id
      LEFT JOIN api_keys k ON k.api_key = a.api_key
      WHERE a.id > $1 AND a.api_key <> '' AND a.action <> 'new_ip' ORDER BY a.id LIMIT $2`,
      [cursor, limit],
    );
    return { entries: feed.map(toFeedEntry), cursor: feedCursor(feed, cursor) };
  }

  async addDeliveries(deliveries: readonly NewDelivery[], cursor: number | null): Promise<void> {
    await tx(this.conn.pool, async (c) => {
      for (const d of deliveries) {
        await c.query(
          `INSERT INTO deliveries (kind, webhook_id, user_id, audit_id, event, body, target, state, attempts,
          next_attempt_at, locked_until, last_error, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, 0, '', $8) ON CONFLICT DO NOTHING`,
          [d.kind, d.webhookId, d.userId, d.auditId, d.event, d.body, d.target, d.createdAt],
        );
      }
      if (cursor !== null) {
        await c.query(
          `INSERT INTO feed_cursors (name, position) VALUES ('notify', $1) ON CONFLICT (name)
          DO UPDATE SET position = GREATEST(feed_cursors.position, EXCLUDED.position)`,
          [cursor],
        );
      }
    });
  }

  async claimDeliveries(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const claimed = await rows<DeliveryRow & { secret_sealed: Buffer | null }>(
      this.conn.pool,
      `WITH due AS (
        SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at <= $2 AND locked_until <= $2
        ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE deliveries d SET locked_until = $1 FROM due WHERE d.id = due.id RETURNING d.*
      )
      SELECT claimed.*, w.secret_sealed FROM claimed
      LEFT JOIN webhooks w ON claimed.kind = 'webhook' AND w.id = claimed.webhook_id ORDER BY claimed.id`,
      [now + leaseMs, now, limit],
    );
    return claimed.map((r) => ({ ...toDelivery(r), secretSealed: r.secret_sealed }));
  }

  async finishDelivery(id: number, o: DeliveryOutcome): Promise<void> {
    await this.conn.pool.query(
      `UPDATE deliveries SET state = $1, attempts = $2, next_attempt_at = $3, first_attempt_at = $4,
      delivered_at = $5, last_status = $6, last_error = $7, locked_until = 0 WHERE id = $8`,
      [o.state, o.attempts, o.nextAttemptAt, o.firstAttemptAt, o.deliveredAt, o.lastStatus, o.lastError, id],
    );
  }

  async listDeliveries(userId: number, limit: number): Promise<DeliveryRecord[]> {
    return (
      await rows<DeliveryRow>(this.conn.pool, 'SELECT * FROM deliveries WHERE user_id = $1 ORDER BY id DESC LIMIT $2', [
        userId,
        limit,
      ])
    ).map(toDelivery);
  }

  async warnExpiringKeys(policy: ExpiryPolicy, now: number): Promise<ExpiryWarning[]> {
    return tx(this.conn.pool, async (c) => {
      const written: ExpiryWarning[] = [];
      for (const w of dueWarnings(await this.warnable(c, policy, now), policy, now)) {
        const added = await changed(
          c,
          'INSERT INTO key_warnings (api_key, stage, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [w.apiKey, w.stage, w.expiresAt],
        );
        if (added !== 1) continue;
        await feedLock(c, this.conn.schema, 'audit');
        await c.query(
          `INSERT INTO audit_log (at, actor, user_id, api_key, action, detail)
          VALUES ($1, 'sweeper', $2, $3, 'expiring', $4)`,
          [now, w.userId, w.apiKey, JSON.stringify(warningDetail(w))],
        );
        written.push(w);
      }
      await c.query('DELETE FROM key_warnings WHERE expires_at < $1', [now - WARNING_KEEP_MS]);
      return written;
    });
  }

  async listExpiryWarnings(policy: ExpiryPolicy, now: number): Promise<ExpiryWarning[]> {
    const due = dueWarnings(await this.warnable(this.conn.pool, policy, now), policy, now);
    const warned = new Set(
      (
        await rows<{ api_key: string; stage: string; expires_at: number }>(
          this.conn.pool,
          'SELECT api_key, stage, expires_at FROM key_warnings WHERE api_key = ANY($1::text[])',
          [due.map((w) => w.apiKey)],
        )
      ).map((r) => `${r.api_key}|${r.stage}|${r.expires_at}`),
    );
    return due.filter((w) => !warned.has(`${w.apiKey}|${w.stage}|${w.expiresAt}`));
  }

  /** The keys that may be due a warning at `now`, read along the idle index. */
  private async warnable(db: pg.Pool | pg.PoolClient, policy: ExpiryPolicy, now: number): Promise<KeyRecord[]> {
    const { upTo, from } = warningWalk(policy, now);
    const sql = idleKeysSql(['$1', '$2', '$3', '$4']);
    const keys: KeyRecord[] = [];
    for (let cursor: IdleCursor | null = from; cursor !== null; ) {
      const batch = (await rows<KeyRow>(db, sql, [upTo, cursor.idleSince, cursor.apiKey, SWEEP_BATCH])).map(toKey);
      keys.push(...batch);
      cursor = nextIdleCursor(batch, SWEEP_BATCH);
    }
    return keys;
  }
}
