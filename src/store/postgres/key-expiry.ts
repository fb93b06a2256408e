import type pg from 'pg';
import type { ExpiryPolicy } from '../../core/expiry.js';
import { auditedBy, keyExpireDetail } from '../audit-detail.js';
import { type IdleCursor, idleKeysSql, type KeyRow, SWEEP_BATCH, toKey } from '../codecs/keys.js';
import type { KeyRecord } from '../keys.js';
import { type Connection, KEY_CHANNEL, rows } from './connection.js';

// The expiry sweep's statements on PostgreSQL (PostgresKeys.deleteExpiredKeys and listExpiredKeys walk with them).

/**
 * One batch of the sweep as one statement (so one transaction): deletes the keys not used since
 * they were read (the condition on last_used_at makes a use recorded since the read win), forgets
 * their IPs, audits each 'expire' in the batch's order under the audit feed's lock (taken before
 * any audit id is drawn: the sort reads the lock's row first), and notifies the key caches.
 */
const EXPIRE_SQL = `WITH t AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[]) WITH ORDINALITY
      AS t(api_key, last_used_at, user_id, actor, detail, n)
  ), gone AS (
    DELETE FROM api_keys AS k USING t
    WHERE k.api_key = t.api_key AND k.last_used_at IS NOT DISTINCT FROM t.last_used_at RETURNING k.api_key
  ), ips AS (
    DELETE FROM key_ips WHERE api_key IN (SELECT api_key FROM gone)
  ), feed AS (
    SELECT pg_advisory_xact_lock(hashtext($6::text)) WHERE EXISTS (SELECT 1 FROM gone)
  ), audited AS (
    INSERT INTO audit_log (at, actor, user_id, api_key, action, detail)
    SELECT $7::bigint, t.actor, t.user_id, t.api_key, 'expire', t.detail FROM t JOIN gone USING (api_key) CROSS JOIN feed
    ORDER BY t.n
  ), notified AS (
    SELECT pg_notify($8::text, $9::text) WHERE EXISTS (SELECT 1 FROM gone)
  )
  SELECT gone.api_key FROM gone CROSS JOIN notified`;

/** Deletes `keys` in one statement (with their IPs, audited 'expire', key caches notified); those deleted. */
export async function expireBatch(conn: Connection, keys: readonly KeyRecord[], now: number): Promise<KeyRecord[]> {
  if (keys.length === 0) return [];
  const details = keys.map((k) => auditedBy('sweeper', keyExpireDetail(k)));
  const gone = await rows<{ api_key: string }>(conn.pool, EXPIRE_SQL, [
    keys.map((k) => k.apiKey),
    keys.map((k) => k.lastUsedAt),
    keys.map((k) => k.userId),
    details.map((e) => e.actor),
    details.map((e) => JSON.stringify(e.detail)),
    `${conn.schema}:audit`,
    now,
    KEY_CHANNEL,
    conn.schema,
  ]);
  const deleted = new Set(gone.map((r) => r.api_key));
  return keys.filter((k) => deleted.has(k.apiKey));
}

/** Candidates idle since the policy's cutoff, after `from`, oldest first. */
export async function idleBatch(
  db: pg.Pool | pg.PoolClient,
  policy: ExpiryPolicy,
  now: number,
  from: IdleCursor,
): Promise<KeyRecord[]> {
  const sql = idleKeysSql(['$1', '$2', '$3', '$4']);
  return (await rows<KeyRow>(db, sql, [now - policy.periodMs, from.idleSince, from.apiKey, SWEEP_BATCH])).map(toKey);
}
