import { subAccountNameTaken } from '../../core/conflicts.js';
import { sqliteFlag } from '../codecs/flags.js';
import {
  definedChange,
  type SubAccountRow,
  subAccountEmail,
  subAccountListSql,
  subAccountRow,
  toSubAccount,
} from '../codecs/subaccounts.js';
import type { Actor } from '../keys.js';
import type {
  NewSubAccount,
  SubAccountChange,
  SubAccountQuery,
  SubAccountRecord,
  SubAccountStore,
} from '../subaccounts.js';
import type { UserRecord } from '../users.js';
import { type Db, inTransaction, isUniqueViolation, prepare } from './connection.js';

/** Sub-accounts on SQLite. */
export class SqliteSubAccounts implements SubAccountStore {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      byName: prepare<SubAccountRow>(db, 'SELECT * FROM sub_accounts WHERE name = ?'),
      ofUser: prepare<SubAccountRow>(db, 'SELECT * FROM sub_accounts WHERE user_id = ?'),
      insertUser: prepare(
        db,
        'INSERT INTO users (uid, email, password_hash, created_at, master_id) VALUES (?, ?, NULL, ?, ?)',
      ),
      insertSub: db.prepare<SubAccountRow<0 | 1>>(`INSERT INTO sub_accounts (user_id, master_id, name, type, label,
        enabled, can_trans_out, created_at, updated_at) VALUES (@user_id, @master_id, @name, @type, @label, @enabled,
        @can_trans_out, @created_at, @updated_at)`),
      keysOf: prepare<{ api_key: string }>(db, 'SELECT api_key FROM api_keys WHERE user_id = ?'),
      insertAudit: prepare(
        db,
        'INSERT INTO audit_log (at, actor, user_id, api_key, action, detail) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      update: prepare(
        db,
        'UPDATE sub_accounts SET enabled = ?, can_trans_out = ?, label = ?, updated_at = ? WHERE user_id = ?',
      ),
    };
  }

  async createSubAccount(input: NewSubAccount): Promise<{ sub: SubAccountRecord; account: UserRecord }> {
    return inTransaction(this.db, () => {
      if (this.stmt.byName.get(input.name) !== undefined) throw subAccountNameTaken(input.name);
      const email = subAccountEmail(input.name);
      let id: number;
      try {
        id = Number(this.stmt.insertUser.run(input.uid, email, input.createdAt, input.masterId).lastInsertRowid);
      } catch (err) {
        if (isUniqueViolation(err)) throw subAccountNameTaken(input.name);
        throw err;
      }
      const sub: SubAccountRecord = {
        userId: id,
        masterId: input.masterId,
        name: input.name,
        type: input.type,
        label: input.label,
        enabled: true,
        canTransOut: true,
        createdAt: input.createdAt,
        updatedAt: input.createdAt,
      };
      this.stmt.insertSub.run(subAccountRow(sub, sqliteFlag));
      const account: UserRecord = {
        id,
        uid: input.uid,
        email,
        passwordHash: null,
        createdAt: input.createdAt,
        masterId: input.masterId,
      };
      return { sub, account };
    });
  }

  async getSubAccount(masterId: number, name: string): Promise<SubAccountRecord | null> {
    const row = this.stmt.byName.get(name);
    return row === undefined || row.master_id !== masterId ? null : toSubAccount(row);
  }

  async subAccountOf(userId: number): Promise<SubAccountRecord | null> {
    const row = this.stmt.ofUser.get(userId);
    return row === undefined ? null : toSubAccount(row);
  }

  async listSubAccounts(masterId: number, query: SubAccountQuery): Promise<SubAccountRecord[]> {
    const { text, values } = subAccountListSql(query, () => '?', sqliteFlag, masterId);
    return prepare<SubAccountRow>(this.db, text)
      .all(...values)
      .map(toSubAccount);
  }

  async updateSubAccount(
    masterId: number,
    name: string,
    change: SubAccountChange,
    at: number,
  ): Promise<SubAccountRecord | null> {
    return inTransaction(this.db, () => {
      const row = this.stmt.byName.get(name);
      if (row === undefined || row.master_id !== masterId) return null;
      const next = { ...toSubAccount(row), ...definedChange(change), updatedAt: at };
      this.stmt.update.run(sqliteFlag(next.enabled), sqliteFlag(next.canTransOut), next.label, at, next.userId);
      return next;
    });
  }

  async setSubAccountEnabled(
    masterId: number,
    name: string,
    enabled: boolean,
    actor: Actor,
    at: number,
  ): Promise<SubAccountRecord | null> {
    return inTransaction(this.db, () => {
      const row = this.stmt.byName.get(name);
      if (row === undefined || row.master_id !== masterId) return null;
      const next = { ...toSubAccount(row), enabled, updatedAt: at };
      this.stmt.update.run(sqliteFlag(enabled), sqliteFlag(next.canTransOut), next.label, at, next.userId);
      const detail = JSON.stringify({ subAcct: name });
      for (const k of this.stmt.keysOf.all(next.userId))
        this.stmt.insertAudit.run(at, actor, next.userId, k.api_key, enabled ? 'unfreeze' : 'freeze', detail);
      return next;
    });
  }
}
