import { subAccountNameTaken } from '../../core/conflicts.js';
import { type IdRow, pgFlag } from '../codecs/flags.js';
import {
  definedChange,
  type SubAccountRow,
  subAccountEmail,
  subAccountListSql,
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
import { type Connection, type Db, feedLock, isUniqueViolation, KEY_CHANNEL, one, rows, tx } from './connection.js';

/** The sub-account `name` of `masterId`; ' FOR UPDATE' locks its row until the transaction ends. */
function byName(
  db: Db,
  masterId: number,
  name: string,
  lock: '' | ' FOR UPDATE' = '',
): Promise<SubAccountRow | undefined> {
  return one<SubAccountRow>(db, `SELECT * FROM sub_accounts WHERE name = $1 AND master_id = $2${lock}`, [
    name,
    masterId,
  ]);
}

/** Sub-accounts on PostgreSQL. */
export class PostgresSubAccounts implements SubAccountStore {
  constructor(private readonly conn: Connection) {}

  async createSubAccount(input: NewSubAccount): Promise<{ sub: SubAccountRecord; account: UserRecord }> {
    try {
      return await tx(this.conn.pool, async (c) => {
        const email = subAccountEmail(input.name);
        const row = await one<IdRow>(
          c,
          `INSERT INTO users (uid, email, password_hash, created_at, master_id)
          VALUES ($1, $2, NULL, $3, $4) RETURNING id`,
          [input.uid, email, input.createdAt, input.masterId],
        );
        if (row === undefined) throw new Error('INSERT ... RETURNING gave no row');
        const sub: SubAccountRecord = {
          userId: row.id,
          masterId: input.masterId,
          name: input.name,
          type: input.type,
          label: input.label,
          enabled: true,
          canTransOut: true,
          createdAt: input.createdAt,
          updatedAt: input.createdAt,
        };
        await c.query(
          `INSERT INTO sub_accounts (user_id, master_id, name, type, label, enabled, can_trans_out, created_at,
          updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            sub.userId,
            sub.masterId,
            sub.name,
            sub.type,
            sub.label,
            pgFlag(sub.enabled),
            pgFlag(sub.canTransOut),
            sub.createdAt,
            sub.updatedAt,
          ],
        );
        const account: UserRecord = {
          id: row.id,
          uid: input.uid,
          email,
          passwordHash: null,
          createdAt: input.createdAt,
          masterId: input.masterId,
        };
        return { sub, account };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw subAccountNameTaken(input.name);
      throw err;
    }
  }

  async getSubAccount(masterId: number, name: string): Promise<SubAccountRecord | null> {
    const row = await byName(this.conn.pool, masterId, name);
    return row === undefined ? null : toSubAccount(row);
  }

  async subAccountOf(userId: number): Promise<SubAccountRecord | null> {
    const row = await one<SubAccountRow>(this.conn.pool, 'SELECT * FROM sub_accounts WHERE user_id = $1', [userId]);
    return row === undefined ? null : toSubAccount(row);
  }

  async listSubAccounts(masterId: number, query: SubAccountQuery): Promise<SubAccountRecord[]> {
    const { text, values } = subAccountListSql(query, (i) => `$${i}`, pgFlag, masterId);
    return (await rows<SubAccountRow>(this.conn.pool, text, values)).map(toSubAccount);
  }

  async updateSubAccount(
    masterId: number,
    name: string,
    change: SubAccountChange,
    at: number,
  ): Promise<SubAccountRecord | null> {
    return tx(this.conn.pool, async (c) => {
      const row = await byName(c, masterId, name, ' FOR UPDATE');
      if (row === undefined) return null;
      const next = { ...toSubAccount(row), ...definedChange(change), updatedAt: at };
      await c.query(
        'UPDATE sub_accounts SET enabled = $1, can_trans_out = $2, label = $3, updated_at = $4 WHERE user_id = $5',
        [pgFlag(next.enabled), pgFlag(next.canTransOut), next.label, at, next.userId],
      );
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
    return tx(this.conn.pool, async (c) => {
      const row = await byName(c, masterId, name, ' FOR UPDATE');
      if (row === undefined) return null;
      const next = { ...toSubAccount(row), enabled, updatedAt: at };
      await c.query('UPDATE sub_accounts SET enabled = $1, updated_at = $2 WHERE user_id = $3', [
        pgFlag(enabled),
        at,
        next.userId,
      ]);
      const keys = await rows<{ api_key: string }>(c, 'SELECT api_key FROM api_keys WHERE user_id = $1', [next.userId]);
      if (keys.length > 0) {
        await feedLock(c, this.conn.schema, 'audit');
        for (const k of keys)
          await c.query(
            'INSERT INTO audit_log (at, actor, user_id, api_key, action, detail) VALUES ($1, $2, $3, $4, $5, $6)',
            [at, actor, next.userId, k.api_key, enabled ? 'unfreeze' : 'freeze', JSON.stringify({ subAcct: name })],
          );
        // Delivered on commit: every instance's key cache looks at the feed at once.
        await c.query('SELECT pg_notify($1, $2)', [KEY_CHANNEL, this.conn.schema]);
      }
      return next;
    });
  }
}
