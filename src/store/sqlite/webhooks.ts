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
import { type Db, inTransaction, prepare } from './connection.js';

/** Webhooks, deliveries, the notification cursor and expiry warnings on SQLite. */
export class SqliteWebhooks implements NotifyStore {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      insertHook: db.prepare<WebhookRow>(`INSERT INTO webhooks (id, user_id, url, events, secret_sealed, created_at)
        VALUES (@id, @user_id, @url, @events, @secret_sealed, @created_at)`),
      hooksOfUser: prepare<WebhookRow>(db, 'SELECT * FROM webhooks WHERE user_id = ? ORDER BY created_at, id'),
      hookById: prepare<WebhookRow>(db, 'SELECT * FROM webhooks WHERE id = ?'),
      deleteHook: prepare(db, 'DELETE FROM webhooks WHERE id = ?'),
      deleteHookDeliveries: prepare(db, `DELETE FROM deliveries WHERE kind = 'webhook' AND webhook_id = ?`),
      feed: prepare<FeedRow>(
        db,
        `SELECT ${FEED_COLUMNS} FROM audit_log a JOIN users u ON u.id = a.user_id
        LEFT JOIN api_keys k ON k.api_key = a.api_key
        WHERE a.id > COALESCE((SELECT position FROM feed_cursors WHERE name = 'notify'), 0)
        AND a.api_key <> '' AND a.action <> 'new_ip' ORDER BY a.id LIMIT ?`,
      ),
      cursor: prepare<{ position: number }>(db, `SELECT position FROM feed_cursors WHERE name = 'notify'`),
      moveCursor: prepare(
        db,
        `INSERT INTO feed_cursors (name, position) VALUES ('notify', ?) ON CONFLICT (name)
        DO UPDATE SET position = MAX(position, excluded.position)`,
      ),
      insertDelivery: prepare(
        db,
        `INSERT OR IGNORE INTO deliveries (kind, webhook_id, user_id, audit_id, event, body, target, state,
        attempts, next_attempt_at, locked_until, last_error, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, 0, '', ?)`,
      ),
      claim: prepare<DeliveryRow>(
        db,
        `UPDATE deliveries SET locked_until = ? WHERE id IN (SELECT id FROM deliveries
        WHERE state = 'pending' AND next_attempt_at <= ? AND locked_until <= ? ORDER BY next_attempt_at, id LIMIT ?)
        RETURNING *`,
      ),
      finish: prepare(
        db,
        `UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, first_attempt_at = ?, delivered_at = ?,
        last_status = ?, last_error = ?, locked_until = 0 WHERE id = ?`,
      ),
      deliveriesOfUser: prepare<DeliveryRow>(db, 'SELECT * FROM deliveries WHERE user_id = ? ORDER BY id DESC LIMIT ?'),
      idleKeys: prepare<KeyRow>(db, idleKeysSql(['?', '?', '?', '?'])),
      insertWarning: prepare(db, 'INSERT OR IGNORE INTO key_warnings (api_key, stage, expires_at) VALUES (?, ?, ?)'),
      warned: prepare<{ n: number }>(
        db,
        'SELECT COUNT(*) AS n FROM key_warnings WHERE api_key = ? AND stage = ? AND expires_at = ?',
      ),
      pruneWarnings: prepare(db, 'DELETE FROM key_warnings WHERE expires_at < ?'),
      insertAudit: prepare(
        db,
        `INSERT INTO audit_log (at, actor, user_id, api_key, action, detail) VALUES (?, 'sweeper', ?, ?, 'expiring', ?)`,
      ),
    };
  }

  async createWebhook(hook: WebhookRecord): Promise<void> {
    this.stmt.insertHook.run(webhookRow(hook));
  }

  async listWebhooks(userId: number): Promise<WebhookRecord[]> {
    return this.stmt.hooksOfUser.all(userId).map(toWebhook);
  }

  async webhooksOf(userIds: readonly number[]): Promise<WebhookRecord[]> {
    return [...new Set(userIds)].flatMap((id) => this.stmt.hooksOfUser.all(id).map(toWebhook));
  }

  async deleteWebhook(userId: number, id: string): Promise<boolean> {
    return inTransaction(this.db, () => {
      const row = this.stmt.hookById.get(id);
      if (row === undefined || row.user_id !== userId) return false;
      this.stmt.deleteHookDeliveries.run(id);
      this.stmt.deleteHook.run(id);
      return true;
    });
  }

  async deleteWebhookById(id: string): Promise<number | null> {
    const row = this.stmt.hookById.get(id);
    if (row === undefined) return null;
    return (await this.deleteWebhook(row.user_id, id)) ? row.user_id : null;
  }

  async notificationFeed(limit: number): Promise<{ entries: FeedEntry[]; cursor: number }> {
    const rows = this.stmt.feed.all(limit);
    return { entries: rows.map(toFeedEntry), cursor: feedCursor(rows, this.stmt.cursor.get()?.position ?? 0) };
  }

  async addDeliveries(deliveries: readonly NewDelivery[], cursor: number | null): Promise<void> {
    inTransaction(this.db, () => {
      for (const d of deliveries) {
        this.stmt.insertDelivery.run(
          d.kind,
          d.webhookId,
          d.userId,
          d.auditId,
          d.event,
          d.body,
          d.target,
          d.createdAt,
          d.createdAt,
        );
      }
      if (cursor !== null) this.stmt.moveCursor.run(cursor);
    });
  }

  async claimDeliveries(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const claimed = inTransaction(this.db, () => this.stmt.claim.all(now + leaseMs, now, now, limit));
    return claimed
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        ...toDelivery(r),
        secretSealed: r.kind === 'webhook' ? (this.stmt.hookById.get(r.webhook_id)?.secret_sealed ?? null) : null,
      }));
  }

  async finishDelivery(id: number, o: DeliveryOutcome): Promise<void> {
    this.stmt.finish.run(
      o.state,
      o.attempts,
      o.nextAttemptAt,
      o.firstAttemptAt,
      o.deliveredAt,
      o.lastStatus,
      o.lastError,
      id,
    );
  }

  async listDeliveries(userId: number, limit: number): Promise<DeliveryRecord[]> {
    return this.stmt.deliveriesOfUser.all(userId, limit).map(toDelivery);
  }

  async warnExpiringKeys(policy: ExpiryPolicy, now: number): Promise<ExpiryWarning[]> {
    return inTransaction(this.db, () => {
      const written: ExpiryWarning[] = [];
      for (const w of dueWarnings(this.warnable(policy, now), policy, now)) {
        if (this.stmt.insertWarning.run(w.apiKey, w.stage, w.expiresAt).changes !== 1) continue;
        this.stmt.insertAudit.run(now, w.userId, w.apiKey, JSON.stringify(warningDetail(w)));
        written.push(w);
      }
      this.stmt.pruneWarnings.run(now - WARNING_KEEP_MS);
      return written;
    });
  }

  async listExpiryWarnings(policy: ExpiryPolicy, now: number): Promise<ExpiryWarning[]> {
    return dueWarnings(this.warnable(policy, now), policy, now).filter(
      (w) => (this.stmt.warned.get(w.apiKey, w.stage, w.expiresAt)?.n ?? 0) === 0,
    );
  }

  /** The keys that may be due a warning at `now`, read along the idle index. */
  private warnable(policy: ExpiryPolicy, now: number): KeyRecord[] {
    const { upTo, from } = warningWalk(policy, now);
    const keys: KeyRecord[] = [];
    for (let cursor: IdleCursor | null = from; cursor !== null; ) {
      const batch = this.stmt.idleKeys.all(upTo, cursor.idleSince, cursor.apiKey, SWEEP_BATCH).map(toKey);
      keys.push(...batch);
      cursor = nextIdleCursor(batch, SWEEP_BATCH);
    }
    return keys;
  }
}
