import { type ExpiryPolicy, expiredKeys } from '../../core/expiry.js';
import { applyKeyChange } from '../../core/key-rules.js';
import { IP_REJECTED_CODE, isFirstRejectionOfDay } from '../../core/webhook-events.js';
import { auditedBy, keyChangeDetail, keyDeleteDetail, keyExpireDetail } from '../audit-detail.js';
import { type IdRow, sqliteFlag } from '../codecs/flags.js';
import {
  ACTIVITY_SQL,
  type AuditRow,
  IDLE_START,
  type IdleCursor,
  idleKeysSql,
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
import { useBucket } from '../codecs/use-bucket.js';
import type {
  Actor,
  AuditAction,
  AuditRecord,
  KeyActor,
  KeyRecord,
  KeyRejection,
  KeyRevision,
  KeyStore,
  KeyUpdate,
  RecentCursor,
} from '../keys.js';
import { type Db, inTransaction, prepare } from './connection.js';

/** The sweep's pause after a batch, in multiples of the batch's time: it takes at most 1/(1 + this) of the event loop. */
const SWEEP_PACE = 3;

/** API keys, their IPs, audit log and rejections on SQLite. */
export class SqliteKeys implements KeyStore {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      keysOfUser: prepare<KeyRow>(db, 'SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at, api_key'),
      keyById: prepare<KeyRow>(db, 'SELECT * FROM api_keys WHERE api_key = ?'),
      insertKey: db.prepare<KeyRow<0 | 1>>(`INSERT INTO api_keys (api_key, user_id, label, perm_trade, perm_withdraw,
        ips, env, secret_sealed, passphrase_hash, created_at, updated_at, last_used_at, used_hour, app_id, disabled_at,
        prev_secret_sealed, prev_secret_until)
        VALUES (@api_key, @user_id, @label, @perm_trade, @perm_withdraw, @ips, @env, @secret_sealed, @passphrase_hash,
        @created_at, @updated_at, @last_used_at, @used_hour, @app_id, @disabled_at, @prev_secret_sealed,
        @prev_secret_until)`),
      updateKey: prepare(
        db,
        `UPDATE api_keys SET label = ?, perm_trade = ?, perm_withdraw = ?, ips = ?, updated_at = ?
        WHERE api_key = ?`,
      ),
      reviseKey: prepare(
        db,
        `UPDATE api_keys SET disabled_at = ?, secret_sealed = ?, prev_secret_sealed = ?, prev_secret_until = ?,
        updated_at = ? WHERE api_key = ?`,
      ),
      deleteKey: prepare(db, 'DELETE FROM api_keys WHERE api_key = ?'),
      upgradePassphrase: prepare(
        db,
        'UPDATE api_keys SET passphrase_hash = ? WHERE api_key = ? AND passphrase_hash = ?',
      ),
      // Within the hour already stored: the row alone (used_hour not in SET: SQLite then leaves the
      // indexes on it untouched). Otherwise both columns, the indexes' entries moving.
      touchInHour: prepare(
        db,
        'UPDATE api_keys SET last_used_at = ? WHERE api_key = ? AND last_used_at < ? AND used_hour = ?',
      ),
      touchKey: prepare(
        db,
        `UPDATE api_keys SET last_used_at = ?, used_hour = ? WHERE api_key = ?
        AND (last_used_at IS NULL OR last_used_at < ?)`,
      ),
      idleKeys: prepare<KeyRow>(db, idleKeysSql(['?', '?', '?', '?'])),
      recentKeys: prepare<KeyRow>(db, recentKeysSql(['?', '?', '?', '?'])),
      deleteIfUnused: prepare(db, `DELETE FROM api_keys WHERE api_key = ? AND last_used_at IS ?`),
      insertAudit: prepare(
        db,
        `INSERT INTO audit_log (at, actor, user_id, api_key, action, detail)
        VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      latestAudit: prepare<IdRow>(db, 'SELECT COALESCE(MAX(id), 0) AS id FROM audit_log'),
      // Activity (first uses from new IPs, warnings, rejections) and account entries (api_key '')
      // change no key: neither evicts key caches.
      auditSince: prepare<KeyFeedRow>(
        db,
        `SELECT id, api_key FROM audit_log WHERE id > ? AND action NOT IN (${ACTIVITY_SQL}) AND api_key <> ''
        ORDER BY id LIMIT 1000`,
      ),
      auditOfUser: prepare<AuditRow>(db, 'SELECT * FROM audit_log WHERE user_id = ? ORDER BY id DESC LIMIT ?'),
      auditOfKey: prepare<AuditRow>(
        db,
        `SELECT * FROM audit_log WHERE api_key = ? AND user_id = ?
        ORDER BY id DESC LIMIT ?`,
      ),
      insertKeyIp: prepare(db, 'INSERT OR IGNORE INTO key_ips (api_key, ip, first_at) VALUES (?, ?, ?)'),
      ipsOfKey: prepare<{ ip: string }>(db, 'SELECT ip FROM key_ips WHERE api_key = ? ORDER BY first_at, ip LIMIT ?'),
      forgetKeyIps: prepare(db, 'DELETE FROM key_ips WHERE api_key = ?'),
      upsertRejection: prepare(
        db,
        `INSERT INTO key_rejections (api_key, user_id, code, ip, count, first_at, last_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (api_key, code, ip) DO UPDATE SET count = count + excluded.count,
        first_at = MIN(first_at, excluded.first_at), last_at = MAX(last_at, excluded.last_at)`,
      ),
      rejectionLastAt: prepare<{ last_at: number }>(
        db,
        'SELECT last_at FROM key_rejections WHERE api_key = ? AND code = ? AND ip = ?',
      ),
      pruneRejections: prepare(db, 'DELETE FROM key_rejections WHERE last_at < ?'),
      rejectionsOfKey: prepare<RejectionRow>(
        db,
        `SELECT api_key, user_id, code, ip, count, first_at, last_at
        FROM key_rejections WHERE api_key = ? AND user_id = ? ORDER BY last_at DESC, code, ip LIMIT ?`,
      ),
    };
  }

  private audit(at: number, who: KeyActor, key: KeyRecord, action: AuditAction, what: Record<string, unknown>): void {
    const { actor, detail } = auditedBy(who, what);
    this.stmt.insertAudit.run(at, actor, key.userId, key.apiKey, action, JSON.stringify(detail));
  }

  async createKey(
    userId: number,
    build: (existing: readonly KeyRecord[]) => KeyRecord,
    actor: KeyActor,
    at: number,
  ): Promise<KeyRecord> {
    return inTransaction(this.db, () => {
      const key = build(this.stmt.keysOfUser.all(userId).map(toKey));
      this.stmt.insertKey.run(keyRow(key, sqliteFlag));
      this.audit(at, actor, key, 'create', keyChangeDetail(null, key));
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
    return inTransaction(this.db, () => {
      const all = this.stmt.keysOfUser.all(userId).map(toKey);
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
      const { perm_trade, perm_withdraw, ips } = keyRow(next, sqliteFlag);
      this.stmt.updateKey.run(next.label, perm_trade, perm_withdraw, ips, at, apiKey);
      this.audit(at, actor, next, 'modify', keyChangeDetail(current, next));
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
    return inTransaction(this.db, () => {
      const row = this.stmt.keyById.get(apiKey);
      if (row === undefined || row.user_id !== userId) return null;
      const current = toKey(row);
      const revision = revise(current);
      const next = revisedKey(current, revision, at);
      this.stmt.reviseKey.run(
        next.disabledAt,
        next.secretSealed,
        next.prevSecretSealed,
        next.prevSecretUntil,
        at,
        apiKey,
      );
      this.audit(at, actor, next, revision.action, revision.detail);
      return next;
    });
  }

  async deleteKey(userId: number, apiKey: string, actor: KeyActor, at: number): Promise<KeyRecord | null> {
    return inTransaction(this.db, () => {
      const row = this.stmt.keyById.get(apiKey);
      if (row === undefined || row.user_id !== userId) return null;
      const key = toKey(row);
      this.stmt.deleteKey.run(apiKey);
      this.stmt.forgetKeyIps.run(apiKey);
      this.audit(at, actor, key, 'delete', keyDeleteDetail(key));
      return key;
    });
  }

  async getKey(apiKey: string): Promise<KeyRecord | null> {
    const row = this.stmt.keyById.get(apiKey);
    return row === undefined ? null : toKey(row);
  }

  async recentKeys(since: number, cursor: RecentCursor | null, limit: number): Promise<KeyRecord[]> {
    const from = cursor ?? RECENT_START;
    return this.stmt.recentKeys.all(...recentParams(since, from, limit)).map(toKey);
  }

  async listKeys(userId: number): Promise<KeyRecord[]> {
    return this.stmt.keysOfUser.all(userId).map(toKey);
  }

  async touchKeys(uses: ReadonlyArray<{ apiKey: string; at: number }>): Promise<void> {
    if (uses.length === 0) return;
    this.db.transaction(() => {
      for (const { apiKey, at } of uses) {
        const hour = useBucket(apiKey, at);
        if (this.stmt.touchInHour.run(at, apiKey, at, hour).changes === 0) this.stmt.touchKey.run(at, hour, apiKey, at);
      }
    })();
  }

  async upgradePassphraseHash(apiKey: string, from: string, to: string): Promise<boolean> {
    return this.stmt.upgradePassphrase.run(to, apiKey, from).changes === 1;
  }

  async recordKeyIps(uses: ReadonlyArray<{ apiKey: string; ip: string; at: number }>): Promise<number> {
    if (uses.length === 0) return 0;
    return inTransaction(this.db, () => {
      let added = 0;
      for (const use of uses) {
        const row = this.stmt.keyById.get(use.apiKey);
        if (row === undefined) continue;
        if (this.stmt.insertKeyIp.run(use.apiKey, use.ip, use.at).changes === 1) {
          this.audit(use.at, 'api', toKey(row), 'new_ip', { ip: use.ip });
          added++;
        }
      }
      return added;
    });
  }

  async listKeyIps(apiKey: string, limit: number): Promise<string[]> {
    return this.stmt.ipsOfKey.all(apiKey, limit).map((r) => r.ip);
  }

  async listKeysIps(apiKeys: readonly string[], limit: number): Promise<Map<string, string[]>> {
    // Synchronous reads on a prepared statement: a query per key costs no round trip here.
    const ips = new Map<string, string[]>();
    for (const apiKey of apiKeys) {
      const list = this.stmt.ipsOfKey.all(apiKey, limit).map((r) => r.ip);
      if (list.length > 0) ips.set(apiKey, list);
    }
    return ips;
  }

  async deleteExpiredKeys(
    policy: ExpiryPolicy,
    now: number,
    onBatch?: (deleted: KeyRecord[]) => void | Promise<void>,
  ): Promise<KeyRecord[]> {
    const kept: KeyRecord[] = [];
    let cursor: IdleCursor | null = IDLE_START;
    // One short transaction per batch (its keys handed on at once), then a pause SWEEP_PACE times
    // as long as both took: requests (and other processes' writes) keep at least three quarters of
    // the event loop beside a sweep of any size (with half, a saturated server's p99 doubled).
    while (cursor !== null) {
      const from: IdleCursor = cursor;
      const started = performance.now();
      const deleted: KeyRecord[] = [];
      cursor = inTransaction(this.db, () => {
        const batch = this.idleBatch(policy, now, from);
        for (const key of expiredKeys(batch, policy, now)) {
          // The condition on last_used_at makes a use recorded since the read win over the sweep.
          if (this.stmt.deleteIfUnused.run(key.apiKey, key.lastUsedAt).changes === 1) {
            this.stmt.forgetKeyIps.run(key.apiKey);
            this.audit(now, 'sweeper', key, 'expire', keyExpireDetail(key));
            deleted.push(key);
          }
        }
        return nextIdleCursor(batch, SWEEP_BATCH);
      });
      if (onBatch === undefined) kept.push(...deleted);
      else if (deleted.length > 0) await onBatch(deleted);
      const took = performance.now() - started;
      if (cursor !== null) await new Promise((resolve) => setTimeout(resolve, Math.ceil(SWEEP_PACE * took)));
    }
    return kept;
  }

  async listExpiredKeys(policy: ExpiryPolicy, now: number): Promise<KeyRecord[]> {
    const expired: KeyRecord[] = [];
    for (let cursor: IdleCursor | null = IDLE_START; cursor !== null; ) {
      const batch = this.idleBatch(policy, now, cursor);
      expired.push(...expiredKeys(batch, policy, now));
      cursor = nextIdleCursor(batch, SWEEP_BATCH);
    }
    return expired;
  }

  /** Candidates idle since the policy's cutoff, after `from`, oldest first. */
  private idleBatch(policy: ExpiryPolicy, now: number, from: IdleCursor): KeyRecord[] {
    return this.stmt.idleKeys.all(now - policy.periodMs, from.idleSince, from.apiKey, SWEEP_BATCH).map(toKey);
  }

  async latestAuditId(): Promise<number> {
    return this.stmt.latestAudit.get()?.id ?? 0;
  }

  async keyChangesSince(cursor: number): Promise<{ cursor: number; apiKeys: string[] }> {
    return toKeyChanges(this.stmt.auditSince.all(cursor), cursor);
  }

  async listAudit(userId: number, limit: number): Promise<AuditRecord[]> {
    return this.stmt.auditOfUser.all(userId, limit).map(toAudit);
  }

  async listKeyAudit(userId: number, apiKey: string, limit: number): Promise<AuditRecord[]> {
    return this.stmt.auditOfKey.all(apiKey, userId, limit).map(toAudit);
  }

  async recordRejections(rejections: readonly KeyRejection[], keepAfter: number): Promise<void> {
    inTransaction(this.db, () => {
      for (const r of rejections) {
        if (r.code === IP_REJECTED_CODE) this.auditIpRejection(r);
        this.stmt.upsertRejection.run(r.apiKey, r.userId, r.code, r.ip, r.count, r.firstAt, r.lastAt);
      }
      this.stmt.pruneRejections.run(keepAfter);
    });
  }

  /** The first 50110 from an address in a UTC day: one 'ip_rejected' entry (activity, no eviction). */
  private auditIpRejection(r: KeyRejection): void {
    const previous = this.stmt.rejectionLastAt.get(r.apiKey, r.code, r.ip)?.last_at ?? null;
    if (!isFirstRejectionOfDay(previous, r.lastAt)) return;
    const row = this.stmt.keyById.get(r.apiKey);
    if (row === undefined) return;
    const at = previous === null ? r.firstAt : r.lastAt;
    this.audit(at, 'api', toKey(row), 'ip_rejected', { ip: r.ip, label: row.label });
  }

  async listKeyRejections(userId: number, apiKey: string, limit: number): Promise<KeyRejection[]> {
    return this.stmt.rejectionsOfKey.all(apiKey, userId, limit).map(toRejection);
  }
}
