import { duplicateEmail } from '../../core/conflicts.js';
import { useRecoveryHash } from '../../core/recovery-codes.js';
import { type IdRow, pgFlag, readList, writeList } from '../codecs/flags.js';
import {
  type SessionRow,
  type TotpRow,
  toSession,
  toTotp,
  toUser,
  toUserSummary,
  USER_SUMMARY_SQL,
  type UserRow,
  type UserSummaryRow,
} from '../codecs/users.js';
import type {
  AccountAuditEntry,
  AccountChange,
  SessionRecord,
  TotpRecord,
  UserRecord,
  UserStore,
  UserSummary,
} from '../users.js';
import { type Connection, changed, feedLock, isUniqueViolation, one, rows, tx } from './connection.js';

/** Accounts, console sessions and authenticators on PostgreSQL. */
export class PostgresUsers implements UserStore {
  constructor(private readonly conn: Connection) {}

  async createUser(user: Omit<UserRecord, 'id'>): Promise<UserRecord> {
    try {
      const row = await one<IdRow>(
        this.conn.pool,
        `INSERT INTO users (uid, email, password_hash, created_at, master_id)
        VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [user.uid, user.email, user.passwordHash, user.createdAt, user.masterId],
      );
      if (row === undefined) throw new Error('INSERT ... RETURNING gave no row');
      return { ...user, id: row.id };
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateEmail(user.email);
      throw err;
    }
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const row = await one<UserRow>(this.conn.pool, 'SELECT * FROM users WHERE email = $1', [email]);
    return row === undefined ? null : toUser(row);
  }

  async findUserById(id: number): Promise<UserRecord | null> {
    const row = await one<UserRow>(this.conn.pool, 'SELECT * FROM users WHERE id = $1', [id]);
    return row === undefined ? null : toUser(row);
  }

  async findUsersByIds(ids: readonly number[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    return (await rows<UserRow>(this.conn.pool, 'SELECT * FROM users WHERE id = ANY($1::bigint[])', [[...ids]])).map(
      toUser,
    );
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.conn.pool.query(
      `INSERT INTO sessions (id_hash, user_id, csrf_token, verified, created_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6)`,
      [s.idHash, s.userId, s.csrfToken, pgFlag(s.verified), s.createdAt, s.expiresAt],
    );
  }

  async findSession(idHash: string, now: number): Promise<SessionRecord | null> {
    const row = await one<SessionRow>(this.conn.pool, 'SELECT * FROM sessions WHERE id_hash = $1 AND expires_at > $2', [
      idHash,
      now,
    ]);
    return row === undefined ? null : toSession(row);
  }

  async verifySession(idHash: string): Promise<void> {
    await this.conn.pool.query('UPDATE sessions SET verified = true WHERE id_hash = $1', [idHash]);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.conn.pool.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return changed(this.conn.pool, 'DELETE FROM sessions WHERE expires_at <= $1', [now]);
  }

  async getTotp(userId: number): Promise<TotpRecord | null> {
    const row = await one<TotpRow>(this.conn.pool, 'SELECT * FROM user_totp WHERE user_id = $1', [userId]);
    return row === undefined ? null : toTotp(row);
  }

  async saveTotp(t: TotpRecord): Promise<void> {
    await this.conn.pool.query(
      `INSERT INTO user_totp (user_id, secret_sealed, enabled, recovery_hashes, last_step)
      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed,
      enabled = EXCLUDED.enabled, recovery_hashes = EXCLUDED.recovery_hashes, last_step = EXCLUDED.last_step`,
      [t.userId, t.secretSealed, pgFlag(t.enabled), writeList(t.recoveryHashes), t.lastStep],
    );
  }

  async acceptTotpStep(userId: number, step: number): Promise<boolean> {
    return (
      (await changed(this.conn.pool, 'UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1', [
        step,
        userId,
      ])) === 1
    );
  }

  async useRecoveryCode(userId: number, hash: string): Promise<boolean> {
    return tx(this.conn.pool, async (c) => {
      const row = await one<{ recovery_hashes: string }>(
        c,
        'SELECT recovery_hashes FROM user_totp WHERE user_id = $1 FOR UPDATE',
        [userId],
      );
      if (row === undefined) return false;
      const rest = useRecoveryHash(readList(row.recovery_hashes), hash);
      if (rest === null) return false;
      await c.query('UPDATE user_totp SET recovery_hashes = $1 WHERE user_id = $2', [writeList(rest), userId]);
      return true;
    });
  }

  async changeAccount(userId: number, change: AccountChange, entry: AccountAuditEntry): Promise<boolean> {
    return tx(this.conn.pool, async (c) => {
      if ((await one(c, 'SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId])) === undefined) return false;
      if (change.passwordHash !== undefined) {
        await c.query('UPDATE users SET password_hash = $1 WHERE id = $2', [change.passwordHash, userId]);
      }
      if (change.totp === 'remove') await c.query('DELETE FROM user_totp WHERE user_id = $1', [userId]);
      else if (change.totp !== undefined) {
        await c.query('UPDATE user_totp SET recovery_hashes = $1 WHERE user_id = $2', [
          writeList(change.totp.recoveryHashes),
          userId,
        ]);
      }
      if (change.endSessions === true) await c.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
      // The audit log's ids commit in order (its key change feed relies on it), account entries too.
      await feedLock(c, this.conn.schema, 'audit');
      await c.query(
        `INSERT INTO audit_log (at, actor, user_id, api_key, action, detail) VALUES ($1, $2, $3, '', $4, $5)`,
        [entry.at, entry.actor, userId, entry.action, JSON.stringify(entry.detail)],
      );
      return true;
    });
  }

  async recordLogin(userId: number, at: number): Promise<void> {
    await this.conn.pool.query('UPDATE users SET last_login_at = $1 WHERE id = $2', [at, userId]);
  }

  async listUsers(): Promise<UserSummary[]> {
    return (await rows<UserSummaryRow>(this.conn.pool, USER_SUMMARY_SQL)).map(toUserSummary);
  }
}
