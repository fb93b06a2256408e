import type { KeyEnv } from '../../core/key-rules.js';
import {
  type Actor,
  type AuditAction,
  type AuditRecord,
  KEY_ACTIVITY_ACTIONS,
  type KeyRecord,
  type KeyRejection,
  type KeyRevision,
} from '../keys.js';
import { type Flag, readFlag, readList, type WriteFlag, writeList } from './flags.js';

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
/** Keys the sweeper may delete: live, bound neither to IPs nor to an app. */
export const EXPIRY_CANDIDATES_SQL = `SELECT * FROM api_keys WHERE env = 'live' AND ips = '' AND app_id IS NULL`;

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
