import { EARLIEST_WARNING_MS, type ExpiryPolicy } from '../../core/expiry.js';
import type { KeyEnv } from '../../core/key-rules.js';
import {
  type Actor,
  type AuditAction,
  type AuditRecord,
  KEY_ACTIVITY_ACTIONS,
  type KeyRecord,
  type KeyRejection,
  type KeyRevision,
  type RecentCursor,
} from '../keys.js';
import { type Flag, readFlag, readList, type WriteFlag, writeList } from './flags.js';
import { USE_BUCKET_MS, useBucket } from './use-bucket.js';

/** Rows and codecs of API keys, the audit log and its change feed, and counted rejections. */

export type KeyRow<F extends Flag = Flag> = {
  api_key: string;
  user_id: number;
  label: string;
  perm_trade: F;
  perm_withdraw: F;
  ips: string;
  env: KeyEnv;
  secret_sealed: Buffer;
  passphrase_hash: string;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
  /** The start of the key's hour holding last_used_at (use-bucket.ts), null when never used. */
  used_hour: number | null;
  app_id: string | null;
  disabled_at: number | null;
  prev_secret_sealed: Buffer | null;
  prev_secret_until: number | null;
};

export function toKey(r: KeyRow): KeyRecord {
  return {
    apiKey: r.api_key,
    userId: r.user_id,
    label: r.label,
    perms: { read: true, trade: readFlag(r.perm_trade), withdraw: readFlag(r.perm_withdraw) },
    ips: readList(r.ips),
    env: r.env,
    secretSealed: r.secret_sealed,
    passphraseHash: r.passphrase_hash,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastUsedAt: r.last_used_at,
    appId: r.app_id,
    disabledAt: r.disabled_at,
    prevSecretSealed: r.prev_secret_sealed,
    prevSecretUntil: r.prev_secret_until,
  };
}

export function keyRow<F extends Flag>(k: KeyRecord, flag: WriteFlag<F>): KeyRow<F> {
  return {
    api_key: k.apiKey,
    user_id: k.userId,
    label: k.label,
    perm_trade: flag(k.perms.trade),
    perm_withdraw: flag(k.perms.withdraw),
    ips: writeList(k.ips),
    env: k.env,
    secret_sealed: k.secretSealed,
    passphrase_hash: k.passphraseHash,
    created_at: k.createdAt,
    updated_at: k.updatedAt,
    last_used_at: k.lastUsedAt,
    used_hour: useBucket(k.apiKey, k.lastUsedAt),
    app_id: k.appId,
    disabled_at: k.disabledAt,
    prev_secret_sealed: k.prevSecretSealed,
    prev_secret_until: k.prevSecretUntil,
  };
}

/** The key after a revision: only the fields the revision names change. */
export function revisedKey(current: KeyRecord, r: KeyRevision, at: number): KeyRecord {
  return {
    ...current,
    disabledAt: r.disabledAt === undefined ? current.disabledAt : r.disabledAt,
    secretSealed: r.secretSealed ?? current.secretSealed,
    prevSecretSealed: r.prevSecretSealed === undefined ? current.prevSecretSealed : r.prevSecretSealed,
    prevSecretUntil: r.prevSecretUntil === undefined ? current.prevSecretUntil : r.prevSecretUntil,
    updatedAt: at,
  };
}

/** The audit actions that change no key, as an SQL list: the change feed leaves them out. */
export const ACTIVITY_SQL = KEY_ACTIVITY_ACTIONS.map((a) => `'${a}'`).join(', ');
/**
 * Keys the sweeper may delete or warn (live, bound neither to IPs nor to an app), idle since (last
 * use, else creation) a moment at or before the first parameter, after the cursor (idle since, API
 * key) given by the next two, oldest first, at most the fourth parameter many: a walk along the
 * partial index api_keys_idle, so a million keys cost a sweep only those it reads. Placeholders as
 * the driver writes them (`?` or `$1`...); the caller still applies core/expiry's rule to each row.
 */
export function idleKeysSql(p: readonly [string, string, string, string]): string {
  return `SELECT * FROM api_keys WHERE env = 'live' AND ips = '' AND app_id IS NULL
    AND COALESCE(used_hour, created_at) <= ${p[0]}
    AND (COALESCE(used_hour, created_at), api_key) > (${p[1]}, ${p[2]})
    ORDER BY COALESCE(used_hour, created_at), api_key LIMIT ${p[3]}`;
}

/**
 * Where an idle-key walk resumes: after the (idle since, API key) of the last row read, idle since
 * as the index has it (the creation, else the hour of the last use).
 */
export interface IdleCursor {
  readonly idleSince: number;
  readonly apiKey: string;
}

/** Before every key. */
export const IDLE_START: IdleCursor = { idleSince: Number.MIN_SAFE_INTEGER, apiKey: '' };

/** The cursor after `batch` (read by idleKeysSql), or null when the walk has reached its end. */
export function nextIdleCursor(batch: readonly KeyRecord[], limit: number): IdleCursor | null {
  const last = batch[batch.length - 1];
  if (batch.length < limit || last === undefined) return null;
  return { idleSince: useBucket(last.apiKey, last.lastUsedAt) ?? last.createdAt, apiKey: last.apiKey };
}

/**
 * The stretch of the idle-key walk that may be due an expiry warning at `now`: keys not yet expired
 * that expire within the earliest warning's lead (idle since after the cutoff, up to `upTo`).
 */
export function warningWalk(policy: ExpiryPolicy, now: number): { upTo: number; from: IdleCursor } {
  const cutoff = now - policy.periodMs;
  // A key last used just after the cutoff sits in the index at the start of that hour, before it.
  return { upTo: cutoff + EARLIEST_WARNING_MS, from: { idleSince: cutoff - USE_BUCKET_MS, apiKey: '' } };
}

/**
 * Keys whose hour of last use (use-bucket.ts) starts after the first parameter, after the cursor
 * (hour of last use, API key) given by the next two, the most recent first (by API key within a
 * moment), at most the fourth parameter many: the api_keys_used index. Parameters from recentParams.
 */
export function recentKeysSql(p: readonly [string, string, string, string]): string {
  return `SELECT * FROM api_keys WHERE used_hour > ${p[0]} AND (used_hour, api_key) < (${p[1]}, ${p[2]})
    ORDER BY used_hour DESC, api_key DESC LIMIT ${p[3]}`;
}

/**
 * recentKeysSql's parameters for keys used since `since` (give or take their hour: a key used up
 * to an hour before may come too), after `from`.
 */
export function recentParams(since: number, from: RecentCursor, limit: number): [number, number, string, number] {
  return [since - USE_BUCKET_MS, useBucket(from.apiKey, from.lastUsedAt) ?? from.lastUsedAt, from.apiKey, limit];
}

/** Before every recently used key (a cursor above any time and key). */
export const RECENT_START = { lastUsedAt: Number.MAX_SAFE_INTEGER, apiKey: '' } as const;

/** Keys deleted (or warned) per transaction: short enough that traffic beside a sweep keeps its p99. */
export const SWEEP_BATCH = 100;

export type AuditRow = {
  id: number;
  at: number;
  actor: Actor;
  user_id: number;
  api_key: string;
  action: AuditAction;
  detail: string;
};

export function toAudit(r: AuditRow): AuditRecord {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    userId: r.user_id,
    apiKey: r.api_key,
    action: r.action,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}

export type RejectionRow = {
  api_key: string;
  user_id: number;
  code: string;
  ip: string;
  count: number;
  first_at: number;
  last_at: number;
};

export function toRejection(r: RejectionRow): KeyRejection {
  return {
    apiKey: r.api_key,
    userId: r.user_id,
    code: r.code,
    ip: r.ip,
    count: r.count,
    firstAt: r.first_at,
    lastAt: r.last_at,
  };
}

/** A row of the key change feed (the audit log without 'new_ip' entries). */
export type KeyFeedRow = { id: number; api_key: string };

export function toKeyChanges(rows: readonly KeyFeedRow[], cursor: number): { cursor: number; apiKeys: string[] } {
  const last = rows[rows.length - 1];
  return { cursor: last === undefined ? cursor : last.id, apiKeys: rows.map((r) => r.api_key) };
}
