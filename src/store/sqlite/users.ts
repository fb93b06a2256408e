import { duplicateEmail } from '../../core/conflicts.js';
import { useRecoveryHash } from '../../core/recovery-codes.js';
import { readList, sqliteFlag, writeList } from '../codecs/flags.js';
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
import { type Db, inTransaction, isUniqueViolation, prepare } from './connection.js';

/** Accounts, console sessions and authenticators on SQLite. */
export class SqliteUsers implements UserStore {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      insertUser: prepare(
        db,
        'INSERT INTO users (uid, email, password_hash, created_at, master_id) VALUES (?, ?, ?, ?, ?)',
      ),
      userByEmail: prepare<UserRow>(db, 'SELECT * FROM users WHERE email = ?'),
      userById: prepare<UserRow>(db, 'SELECT * FROM users WHERE id = ?'),
      insertSession: prepare(
        db,
        `INSERT INTO sessions (id_hash, user_id, csrf_token, verified, created_at, expires_at)
        VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      sessionById: prepare<SessionRow>(db, 'SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?'),
      verifySession: prepare(db, 'UPDATE sessions SET verified = 1 WHERE id_hash = ?'),
      deleteSession: prepare(db, 'DELETE FROM sessions WHERE id_hash = ?'),
      deleteExpiredSessions: prepare(db, 'DELETE FROM sessions WHERE expires_at <= ?'),
      totpOfUser: prepare<TotpRow>(db, 'SELECT * FROM user_totp WHERE user_id = ?'),
      upsertTotp: prepare(
        db,
        `INSERT INTO user_totp (user_id, secret_sealed, enabled, recovery_hashes, last_step)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed,
        enabled = excluded.enabled, recovery_hashes = excluded.recovery_hashes, last_step = excluded.last_step`,
      ),
      acceptTotpStep: prepare(db, 'UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ?'),
      setRecoveryHashes: prepare(db, 'UPDATE user_totp SET recovery_hashes = ? WHERE user_id = ?'),
      setPassword: prepare(db, 'UPDATE users SET password_hash = ? WHERE id = ?'),
      deleteTotp: prepare(db, 'DELETE FROM user_totp WHERE user_id = ?'),
      deleteUserSessions: prepare(db, 'DELETE FROM sessions WHERE user_id = ?'),
      setLastLogin: prepare(db, 'UPDATE users SET last_login_at = ? WHERE id = ?'),
      insertAudit: prepare(
        db,
        `INSERT INTO audit_log (at, actor, user_id, api_key, action, detail) VALUES (?, ?, ?, '', ?, ?)`,
      ),
      summaries: prepare<UserSummaryRow>(db, USER_SUMMARY_SQL),
    };
  }

  async createUser(user: Omit<UserRecord, 'id'>): Promise<UserRecord> {
    try {
      const info = this.stmt.insertUser.run(user.uid, user.email, user.passwordHash, user.createdAt, user.masterId);
      return { ...user, id: Number(info.lastInsertRowid) };
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateEmail(user.email);
      throw err;
    }
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const row = this.stmt.userByEmail.get(email);
    return row === undefined ? null : toUser(row);
  }

  async findUserById(id: number): Promise<UserRecord | null> {
    const row = this.stmt.userById.get(id);
    return row === undefined ? null : toUser(row);
  }

  async findUsersByIds(ids: readonly number[]): Promise<UserRecord[]> {
    const found: UserRecord[] = [];
    for (const id of new Set(ids)) {
      const row = this.stmt.userById.get(id);
      if (row !== undefined) found.push(toUser(row));
    }
    return found;
  }

  async createSession(s: SessionRecord): Promise<void> {
    this.stmt.insertSession.run(s.idHash, s.userId, s.csrfToken, sqliteFlag(s.verified), s.createdAt, s.expiresAt);
  }

  async findSession(idHash: string, now: number): Promise<SessionRecord | null> {
    const row = this.stmt.sessionById.get(idHash, now);
    return row === undefined ? null : toSession(row);
  }

  async verifySession(idHash: string): Promise<void> {
    this.stmt.verifySession.run(idHash);
  }

  async deleteSession(idHash: string): Promise<void> {
    this.stmt.deleteSession.run(idHash);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return this.stmt.deleteExpiredSessions.run(now).changes;
  }

  async getTotp(userId: number): Promise<TotpRecord | null> {
    const row = this.stmt.totpOfUser.get(userId);
    return row === undefined ? null : toTotp(row);
  }

  async saveTotp(t: TotpRecord): Promise<void> {
    this.stmt.upsertTotp.run(t.userId, t.secretSealed, sqliteFlag(t.enabled), writeList(t.recoveryHashes), t.lastStep);
  }

  async acceptTotpStep(userId: number, step: number): Promise<boolean> {
    return this.stmt.acceptTotpStep.run(step, userId, step).changes === 1;
  }

  async useRecoveryCode(userId: number, hash: string): Promise<boolean> {
    return inTransaction(this.db, () => {
      const row = this.stmt.totpOfUser.get(userId);
      if (row === undefined) return false;
      const rest = useRecoveryHash(readList(row.recovery_hashes), hash);
      if (rest === null) return false;
      this.stmt.setRecoveryHashes.run(writeList(rest), userId);
      return true;
    });
  }

  async changeAccount(userId: number, change: AccountChange, entry: AccountAuditEntry): Promise<boolean> {
    return inTransaction(this.db, () => {
      if (this.stmt.userById.get(userId) === undefined) return false;
      if (change.passwordHash !== undefined) this.stmt.setPassword.run(change.passwordHash, userId);
      if (change.totp === 'remove') this.stmt.deleteTotp.run(userId);
      else if (change.totp !== undefined)
        this.stmt.setRecoveryHashes.run(writeList(change.totp.recoveryHashes), userId);
      if (change.endSessions === true) this.stmt.deleteUserSessions.run(userId);
      this.stmt.insertAudit.run(entry.at, entry.actor, userId, entry.action, JSON.stringify(entry.detail));
      return true;
    });
  }

  async recordLogin(userId: number, at: number): Promise<void> {
    this.stmt.setLastLogin.run(at, userId);
  }

  async listUsers(): Promise<UserSummary[]> {
    return this.stmt.summaries.all().map(toUserSummary);
  }
}
