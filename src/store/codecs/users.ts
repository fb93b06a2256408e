import type { SessionRecord, TotpRecord, UserRecord, UserSummary } from '../users.js';
import { type Flag, readFlag, readList } from './flags.js';

/** Rows and codecs of accounts, console sessions and authenticators. */

export type UserRow = {
  id: number;
  uid: string;
  email: string;
  password_hash: string | null;
  created_at: number;
  master_id: number | null;
};

export function toUser(r: UserRow): UserRecord {
  return {
    id: r.id,
    uid: r.uid,
    email: r.email,
    passwordHash: r.password_hash,
    createdAt: r.created_at,
    masterId: r.master_id,
  };
}

export type SessionRow = {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  verified: Flag;
  created_at: number;
  expires_at: number;
};

export function toSession(r: SessionRow): SessionRecord {
  return {
    idHash: r.id_hash,
    userId: r.user_id,
    csrfToken: r.csrf_token,
    verified: readFlag(r.verified),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

export type TotpRow = {
  user_id: number;
  secret_sealed: Buffer;
  enabled: Flag;
  recovery_hashes: string;
  last_step: number;
};

export function toTotp(r: TotpRow): TotpRecord {
  return {
    userId: r.user_id,
    secretSealed: r.secret_sealed,
    enabled: readFlag(r.enabled),
    recoveryHashes: readList(r.recovery_hashes),
    lastStep: r.last_step,
  };
}

/** A row of the operator's account list: the account with its counts. */
export type UserSummaryRow = UserRow & { totp_enabled: Flag | null; key_count: number; last_login_at: number | null };

export function toUserSummary(r: UserSummaryRow): UserSummary {
  return {
    user: toUser(r),
    totpEnabled: r.totp_enabled !== null && readFlag(r.totp_enabled),
    keyCount: Number(r.key_count),
    lastLoginAt: r.last_login_at,
  };
}

/** The account list's query (the same SQL on both databases). */
export const USER_SUMMARY_SQL = `SELECT u.id, u.uid, u.email, u.password_hash, u.created_at, u.master_id, u.last_login_at,
  t.enabled AS totp_enabled, (SELECT COUNT(*) FROM api_keys k WHERE k.user_id = u.id) AS key_count
  FROM users u LEFT JOIN user_totp t ON t.user_id = u.id
  WHERE u.password_hash IS NOT NULL ORDER BY u.created_at, u.id`;
