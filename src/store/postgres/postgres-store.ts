import pg from 'pg';
import { RuleError } from '../../core/errors.js';
import { isExpired, type ExpiryPolicy } from '../../core/expiry.js';
import { addAmounts, isNegative, type AccountType, type LedgerEntry } from '../../core/ledger.js';
import type { KeyEnv } from '../../core/key-rules.js';
import type { Withdrawal, WithdrawalState } from '../../core/funding.js';
import type { Fill } from '../../core/matching.js';
import type { Order } from '../../core/orders.js';
import { keyChangeDetail } from '../audit-detail.js';
import {
  type Actor, type AuditAction, type AuditRecord, type BalanceRow, type BookChanges, type BookVersion, type DepositRecord, type FillQuery,
  type IdSequenceName, type KeyRecord, type KeyRejection, type KeyUpdate, type OrderChanges, type OrderQuery, type SealedKind,
  type SessionRecord, type Store, type TotpRecord, type UserRecord, type WithdrawalAddress,
} from '../store.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

type Db = pg.Pool | pg.PoolClient;
type Row = Record<string, unknown>;

const INT8_OID = 20;
/** bigint columns hold Unix ms and row ids, all within Number's exact range; ids of sequences are read as text. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** The notification channel of key changes; the payload is the schema, so deployments sharing a database stay apart. */
const KEY_CHANNEL = 'signet_keys';

/** SQLSTATEs after which a transaction is simply run again: serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

function pgCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function toKey(r: Row): KeyRecord {
  const ips = r.ips as string;
  return {
    apiKey: r.api_key as string,
    userId: r.user_id as number,
    label: r.label as string,
    perms: { read: true, trade: r.perm_trade as boolean, withdraw: r.perm_withdraw as boolean },
    ips: ips === '' ? [] : ips.split(','),
    env: r.env as KeyEnv,
    secretSealed: r.secret_sealed as Buffer,
    passphraseHash: r.passphrase_hash as string,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    lastUsedAt: r.last_used_at as number | null,
  };
}

function toUser(r: Row): UserRecord {
  return { id: r.id as number, uid: r.uid as string, email: r.email as string, passwordHash: r.password_hash as string | null, createdAt: r.created_at as number };
}

function toOrder(r: Row): Order {
  return {
    ordId: r.ord_id as string, clOrdId: r.cl_ord_id as string, tag: r.tag as string, userId: r.user_id as number, env: r.env as KeyEnv,
    instId: r.inst_id as string, side: r.side as Order['side'], ordType: r.ord_type as Order['ordType'], px: r.px as string, sz: r.sz as string,
    tgtCcy: r.tgt_ccy as Order['tgtCcy'], accFillSz: r.acc_fill_sz as string, accFillQuote: r.acc_fill_quote as string, fee: r.fee as string,
    feeCcy: r.fee_ccy as string, frozen: r.frozen as string, state: r.state as Order['state'], cancelSource: r.cancel_source as string,
    cTime: r.c_time as number, uTime: r.u_time as number, queuedAt: r.queued_at as number,
  };
}

function toFill(r: Row): Fill {
  return {
    tradeId: r.trade_id as string, instId: r.inst_id as string, ordId: r.ord_id as string, clOrdId: r.cl_ord_id as string, tag: r.tag as string,
    userId: r.user_id as number, env: r.env as KeyEnv, side: r.side as Fill['side'], px: r.px as string, sz: r.sz as string, fee: r.fee as string,
    feeCcy: r.fee_ccy as string, execType: r.exec_type as Fill['execType'], ts: r.ts as number,
  };
}

function toWithdrawal(r: Row): Withdrawal {
  return {
    wdId: r.wd_id as string, clientId: r.client_id as string, userId: r.user_id as number, env: r.env as KeyEnv, ccy: r.ccy as string,
    chain: r.chain as string, amt: r.amt as string, fee: r.fee as string, dest: r.dest as Withdrawal['dest'], toAddr: r.to_addr as string,
    toUserId: r.to_user_id as number | null, state: r.state as WithdrawalState, txId: r.tx_id as string,
    createdAt: r.created_at as number, updatedAt: r.updated_at as number,
  };
}

function toAudit(r: Row): AuditRecord {
  return {
    id: r.id as number, at: r.at as number, actor: r.actor as Actor, userId: r.user_id as number, apiKey: r.api_key as string,
    action: r.action as AuditAction, detail: JSON.parse(r.detail as string) as Record<string, unknown>,
  };
}

function toSession(r: Row): SessionRecord {
  return {
    idHash: r.id_hash as string, userId: r.user_id as number, csrfToken: r.csrf_token as string, verified: r.verified as boolean,
    createdAt: r.created_at as number, expiresAt: r.expires_at as number,
  };
}

function toTotp(r: Row): TotpRecord {
  const hashes = r.recovery_hashes as string;
  return {
    userId: r.user_id as number, secretSealed: r.secret_sealed as Buffer, enabled: r.enabled as boolean,
    recoveryHashes: hashes === '' ? [] : hashes.split(','), lastStep: r.last_step as number,
  };
}

function toAddress(r: Row): WithdrawalAddress {
  return {
    id: r.id as number, userId: r.user_id as number, ccy: r.ccy as string, chain: r.chain as string, address: r.address as string,
    label: r.label as string, createdAt: r.created_at as number,
  };
}

const OPEN = `state IN ('live', 'partially_filled')`;

const ORDER_COLUMNS = `ord_id, user_id, env, inst_id, cl_ord_id, tag, side, ord_type, px, sz, tgt_ccy, acc_fill_sz, acc_fill_quote,
  fee, fee_ccy, frozen, state, cancel_source, c_time, u_time, queued_at, book_seq`;
/** Orders given as one JSON array of rows (one round trip for all the orders of an operation). */
const UPSERT_ORDERS = `INSERT INTO orders (${ORDER_COLUMNS}) SELECT ${ORDER_COLUMNS} FROM json_populate_recordset(null::orders, $1)
  ON CONFLICT (ord_id) DO UPDATE SET px = EXCLUDED.px, sz = EXCLUDED.sz, acc_fill_sz = EXCLUDED.acc_fill_sz,
  acc_fill_quote = EXCLUDED.acc_fill_quote, fee = EXCLUDED.fee, frozen = EXCLUDED.frozen, state = EXCLUDED.state,
  cancel_source = EXCLUDED.cancel_source, u_time = EXCLUDED.u_time, queued_at = EXCLUDED.queued_at, book_seq = EXCLUDED.book_seq`;

const FILL_COLUMNS = 'trade_id, ord_id, cl_ord_id, tag, user_id, env, inst_id, side, px, sz, fee, fee_ccy, exec_type, ts, book_seq';
const INSERT_FILLS = `INSERT INTO fills (${FILL_COLUMNS}) SELECT ${FILL_COLUMNS} FROM json_populate_recordset(null::fills, $1)`;

function orderRow(o: Order, bookSeq: number): Row {
  return {
    ord_id: o.ordId, user_id: o.userId, env: o.env, inst_id: o.instId, cl_ord_id: o.clOrdId, tag: o.tag, side: o.side, ord_type: o.ordType,
    px: o.px, sz: o.sz, tgt_ccy: o.tgtCcy, acc_fill_sz: o.accFillSz, acc_fill_quote: o.accFillQuote, fee: o.fee, fee_ccy: o.feeCcy,
    frozen: o.frozen, state: o.state, cancel_source: o.cancelSource, c_time: o.cTime, u_time: o.uTime, queued_at: o.queuedAt, book_seq: bookSeq,
  };
}

function fillRow(f: Fill, bookSeq: number): Row {
  return {
    trade_id: f.tradeId, ord_id: f.ordId, cl_ord_id: f.clOrdId, tag: f.tag, user_id: f.userId, env: f.env, inst_id: f.instId, side: f.side,
    px: f.px, sz: f.sz, fee: f.fee, fee_ccy: f.feeCcy, exec_type: f.execType, ts: f.ts, book_seq: bookSeq,
  };
}

const BOOK_ORDERS = `SELECT * FROM orders WHERE env = $1 AND inst_id = $2 AND book_seq > $3 AND book_seq <= $4 ORDER BY queued_at, ord_id::numeric`;
const BOOK_FILLS = 'SELECT * FROM fills WHERE env = $1 AND inst_id = $2 AND book_seq > $3 AND book_seq <= $4 ORDER BY id';

/**
 * Opens the PostgreSQL database at `url` (a postgres:// connection string; the schema is the
 * first of its search_path, e.g. `?options=-c%20search_path%3Dsignet`) and migrates it.
 */
export async function openPostgresStore(opts: { url: string; poolSize?: number }): Promise<PostgresStore> {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10, types });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    const schema = (await pool.query('SELECT current_schema() AS s')).rows[0] as { s: string | null };
    if (schema.s === null) {
      throw new Error('the schema named in search_path does not exist: create it first (CREATE SCHEMA ...)');
    }
    await migratePostgres(pool);
    return new PostgresStore(pool, opts.url, schema.s);
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/** Brings the database to the newest schema; returns how many migrations ran. */
export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    // Instances starting together migrate one after the other.
    await c.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':migrate'))`);
    await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)');
    const row = (await c.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0] as { v: number };
    let ran = 0;
    for (let version = row.v + 1; version <= POSTGRES_MIGRATIONS.length; version++) {
      await c.query(POSTGRES_MIGRATIONS[version - 1] ?? '');
      await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, Date.now()]);
      ran++;
    }
    await c.query('COMMIT');
    return ran;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** The Store on PostgreSQL: one pool; each multi-statement operation is one transaction with row locks. */
export class PostgresStore implements Store {
  private listener: pg.Client | null = null;
  private readonly keyListeners: Array<() => void> = [];
  private closed = false;

  constructor(private readonly pool: pg.Pool, private readonly url: string, private readonly schema: string) {}

  /** The pool, for tests that inspect raw rows. */
  get handle(): pg.Pool {
    return this.pool;
  }

  private async rows(db: Db, text: string, values: unknown[] = []): Promise<Row[]> {
    return (await db.query(text, values)).rows as Row[];
  }

  private async one(db: Db, text: string, values: unknown[] = []): Promise<Row | undefined> {
    return (await this.rows(db, text, values))[0];
  }

  /** Runs `body` in one transaction; runs it again after a deadlock or serialization failure. */
  private async tx<T>(body: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await c.query('BEGIN');
        const result = await body(c);
        await c.query('COMMIT');
        return result;
      } catch (err) {
        await c.query('ROLLBACK').catch((e: unknown) => { broken = e instanceof Error ? e : new Error(String(e)); });
        const code = pgCode(err);
        if (code !== undefined && RETRYABLE.has(code) && attempt < 5) continue;
        throw err;
      } finally {
        c.release(broken);
      }
    }
  }

  /**
   * Holds a feed lock until the transaction ends, so that rows of a change feed (audit log,
   * ledger entries) get their ids and commit in the same order: a reader never sees id n + 1
   * before id n, and a cursor never skips a row.
   */
  private async feedLock(c: pg.PoolClient, feed: 'audit' | 'ledger'): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.schema}:${feed}`]);
  }

  private async audit(c: pg.PoolClient, at: number, actor: Actor, key: KeyRecord, action: AuditAction, detail: Record<string, unknown>): Promise<void> {
    await this.feedLock(c, 'audit');
    await c.query('INSERT INTO audit_log (at, actor, user_id, api_key, action, detail) VALUES ($1, $2, $3, $4, $5, $6)',
      [at, actor, key.userId, key.apiKey, action, JSON.stringify(detail)]);
    // Delivered to listeners when (and only if) the transaction commits. A first use from a new
    // IP is activity, not a key change: no cache needs to hear of it.
    if (action !== 'new_ip') await c.query('SELECT pg_notify($1, $2)', [KEY_CHANNEL, this.schema]);
  }

  async createUser(user: Omit<UserRecord, 'id'>): Promise<UserRecord> {
    try {
      const row = await this.one(this.pool, 'INSERT INTO users (uid, email, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
        [user.uid, user.email, user.passwordHash, user.createdAt]);
      return { ...user, id: row?.id as number };
    } catch (err) {
      if (pgCode(err) === '23505') throw new RuleError('51000', `email: an account with ${user.email} already exists`, 'email');
      throw err;
    }
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const row = await this.one(this.pool, 'SELECT * FROM users WHERE email = $1', [email]);
    return row === undefined ? null : toUser(row);
  }

  async findUserById(id: number): Promise<UserRecord | null> {
    const row = await this.one(this.pool, 'SELECT * FROM users WHERE id = $1', [id]);
    return row === undefined ? null : toUser(row);
  }

  /** Inside a transaction: the account's keys, with the account row locked (rules that count keys hold). */
  private async lockedKeys(c: pg.PoolClient, userId: number): Promise<KeyRecord[]> {
    await c.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
    return (await this.rows(c, 'SELECT * FROM api_keys WHERE user_id = $1 ORDER BY created_at, api_key', [userId])).map(toKey);
  }

  async createKey(userId: number, build: (existing: readonly KeyRecord[]) => KeyRecord, actor: Actor, at: number): Promise<KeyRecord> {
    return this.tx(async (c) => {
      const key = build(await this.lockedKeys(c, userId));
      await c.query(`INSERT INTO api_keys (api_key, user_id, label, perm_trade, perm_withdraw, ips, env, secret_sealed, passphrase_hash,
        created_at, updated_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [
        key.apiKey, key.userId, key.label, key.perms.trade, key.perms.withdraw, key.ips.join(','), key.env, key.secretSealed,
        key.passphraseHash, key.createdAt, key.updatedAt, key.lastUsedAt,
      ]);
      await this.audit(c, at, actor, key, 'create', keyChangeDetail(null, key));
      return key;
    });
  }

  async updateKey(
    userId: number, apiKey: string, change: (current: KeyRecord, others: readonly KeyRecord[]) => KeyUpdate, actor: Actor, at: number,
  ): Promise<KeyRecord | null> {
    return this.tx(async (c) => {
      const all = await this.lockedKeys(c, userId);
      const current = all.find((k) => k.apiKey === apiKey);
      if (current === undefined) return null;
      const update = change(current, all.filter((k) => k.apiKey !== apiKey));
      const next: KeyRecord = {
        ...current, label: update.label ?? current.label, perms: update.perms ?? current.perms, ips: update.ips ?? current.ips, updatedAt: at,
      };
      await c.query('UPDATE api_keys SET label = $1, perm_trade = $2, perm_withdraw = $3, ips = $4, updated_at = $5 WHERE api_key = $6',
        [next.label, next.perms.trade, next.perms.withdraw, next.ips.join(','), at, apiKey]);
      await this.audit(c, at, actor, next, 'modify', keyChangeDetail(current, next));
      return next;
    });
  }

  async deleteKey(userId: number, apiKey: string, actor: Actor, at: number): Promise<KeyRecord | null> {
    return this.tx(async (c) => {
      const row = await this.one(c, 'DELETE FROM api_keys WHERE api_key = $1 AND user_id = $2 RETURNING *', [apiKey, userId]);
      if (row === undefined) return null;
      const key = toKey(row);
      await c.query('DELETE FROM key_ips WHERE api_key = $1', [apiKey]);
      await this.audit(c, at, actor, key, 'delete', { label: key.label });
      return key;
    });
  }

  async recordKeyIps(uses: ReadonlyArray<{ apiKey: string; ip: string; at: number }>): Promise<number> {
    if (uses.length === 0) return 0;
    return this.tx(async (c) => {
      let added = 0;
      for (const use of uses) {
        const row = await this.one(c, 'SELECT * FROM api_keys WHERE api_key = $1', [use.apiKey]);
        if (row === undefined) continue;
        const r = await c.query('INSERT INTO key_ips (api_key, ip, first_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [use.apiKey, use.ip, use.at]);
        if (r.rowCount === 1) {
          await this.audit(c, use.at, 'api', toKey(row), 'new_ip', { ip: use.ip });
          added++;
        }
      }
      return added;
    });
  }

  async listKeyIps(apiKey: string, limit: number): Promise<string[]> {
    return (await this.rows(this.pool, 'SELECT ip FROM key_ips WHERE api_key = $1 ORDER BY first_at, ip LIMIT $2', [apiKey, limit])).map((r) => r.ip as string);
  }

  async getKey(apiKey: string): Promise<KeyRecord | null> {
    const row = await this.one(this.pool, 'SELECT * FROM api_keys WHERE api_key = $1', [apiKey]);
    return row === undefined ? null : toKey(row);
  }

  async listKeys(userId: number): Promise<KeyRecord[]> {
    return (await this.rows(this.pool, 'SELECT * FROM api_keys WHERE user_id = $1 ORDER BY created_at, api_key', [userId])).map(toKey);
  }

  async touchKeys(uses: ReadonlyArray<{ apiKey: string; at: number }>): Promise<void> {
    if (uses.length === 0) return;
    const latest = new Map<string, number>();
    for (const u of uses) latest.set(u.apiKey, Math.max(latest.get(u.apiKey) ?? 0, u.at));
    await this.pool.query(`UPDATE api_keys k SET last_used_at = u.at FROM unnest($1::text[], $2::bigint[]) AS u(api_key, at)
      WHERE k.api_key = u.api_key AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`, [[...latest.keys()], [...latest.values()]]);
  }

  async deleteExpiredKeys(policy: ExpiryPolicy, now: number): Promise<KeyRecord[]> {
    return this.tx(async (c) => {
      const candidates = (await this.rows(c, `SELECT * FROM api_keys WHERE env = 'live' AND ips = ''`)).map(toKey);
      const deleted: KeyRecord[] = [];
      for (const key of candidates.filter((k) => isExpired(k, policy, now))) {
        // The condition on last_used_at makes a use recorded since the read win over the sweep.
        const r = await c.query('DELETE FROM api_keys WHERE api_key = $1 AND last_used_at IS NOT DISTINCT FROM $2', [key.apiKey, key.lastUsedAt]);
        if (r.rowCount === 1) {
          await c.query('DELETE FROM key_ips WHERE api_key = $1', [key.apiKey]);
          await this.audit(c, now, 'sweeper', key, 'expire', { label: key.label, idleSince: key.lastUsedAt ?? key.createdAt });
          deleted.push(key);
        }
      }
      return deleted;
    });
  }

  async latestAuditId(): Promise<number> {
    return (await this.one(this.pool, 'SELECT COALESCE(MAX(id), 0) AS id FROM audit_log'))?.id as number;
  }

  async keyChangesSince(cursor: number): Promise<{ cursor: number; apiKeys: string[] }> {
    const rows = await this.rows(this.pool, "SELECT id, api_key FROM audit_log WHERE id > $1 AND action <> 'new_ip' ORDER BY id LIMIT 1000", [cursor]);
    const last = rows[rows.length - 1];
    return { cursor: last === undefined ? cursor : (last.id as number), apiKeys: rows.map((r) => r.api_key as string) };
  }

  async listAudit(userId: number, limit: number): Promise<AuditRecord[]> {
    return (await this.rows(this.pool, 'SELECT * FROM audit_log WHERE user_id = $1 ORDER BY id DESC LIMIT $2', [userId, limit])).map(toAudit);
  }

  async listKeyAudit(userId: number, apiKey: string, limit: number): Promise<AuditRecord[]> {
    return (await this.rows(this.pool, 'SELECT * FROM audit_log WHERE api_key = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3',
      [apiKey, userId, limit])).map(toAudit);
  }

  async recordRejections(rejections: readonly KeyRejection[], keepAfter: number): Promise<void> {
    await this.tx(async (c) => {
      for (const r of rejections) {
        await c.query(`INSERT INTO key_rejections (api_key, user_id, code, ip, count, first_at, last_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
          ON CONFLICT (api_key, code, ip) DO UPDATE SET count = key_rejections.count + EXCLUDED.count,
          first_at = LEAST(key_rejections.first_at, EXCLUDED.first_at), last_at = GREATEST(key_rejections.last_at, EXCLUDED.last_at)`,
        [r.apiKey, r.userId, r.code, r.ip, r.count, r.firstAt, r.lastAt]);
      }
      await c.query('DELETE FROM key_rejections WHERE last_at < $1', [keepAfter]);
    });
  }

  async listKeyRejections(userId: number, apiKey: string, limit: number): Promise<KeyRejection[]> {
    const rows = await this.rows(this.pool, `SELECT * FROM key_rejections WHERE api_key = $1 AND user_id = $2
      ORDER BY last_at DESC, code, ip LIMIT $3`, [apiKey, userId, limit]);
    return rows.map((r) => ({
      apiKey: r.api_key as string, userId: r.user_id as number, code: r.code as string, ip: r.ip as string, count: r.count as number,
      firstAt: r.first_at as number, lastAt: r.last_at as number,
    }));
  }

  async getBalances(userId: number, env: KeyEnv, account: AccountType): Promise<BalanceRow[]> {
    const rows = await this.rows(this.pool, `SELECT ccy, avail, frozen, updated_at FROM balances WHERE user_id = $1 AND env = $2 AND account = $3
      ORDER BY ccy`, [userId, env, account]);
    return rows.map((r) => ({ ccy: r.ccy as string, avail: r.avail as string, frozen: r.frozen as string, updatedAt: r.updated_at as number }));
  }

  async latestLedgerId(): Promise<number> {
    return (await this.one(this.pool, 'SELECT COALESCE(MAX(id), 0) AS id FROM ledger_entries'))?.id as number;
  }

  async ledgerChangesSince(cursor: number): Promise<{ cursor: number; accounts: Array<{ userId: number; env: KeyEnv }> }> {
    const rows = await this.rows(this.pool, 'SELECT id, user_id, env FROM ledger_entries WHERE id > $1 ORDER BY id LIMIT 1000', [cursor]);
    const last = rows[rows.length - 1];
    const seen = new Map<string, { userId: number; env: KeyEnv }>();
    for (const r of rows) seen.set(`${r.user_id as number}:${r.env as string}`, { userId: r.user_id as number, env: r.env as KeyEnv });
    return { cursor: last === undefined ? cursor : (last.id as number), accounts: [...seen.values()] };
  }

  async applyEntries(entries: readonly LedgerEntry[], at: number): Promise<void> {
    await this.tx((c) => this.applyEntriesNow(c, entries, at));
  }

  /**
   * Inside a transaction: locks the balances the entries touch (in one order, so two
   * transactions never wait on each other in a cycle), applies the entries in order with exact
   * decimal arithmetic, throwing RuleError 51008 before any balance goes negative, and appends
   * the entries to the ledger.
   */
  private async applyEntriesNow(c: pg.PoolClient, entries: readonly LedgerEntry[], at: number): Promise<void> {
    if (entries.length === 0) return;
    const id = (e: { userId: number; env: string; account: string; ccy: string }) => `${e.userId}\u0000${e.env}\u0000${e.account}\u0000${e.ccy}`;
    const touched = new Map<string, LedgerEntry>();
    for (const e of entries) touched.set(id(e), e);
    const keys = [...touched.values()].sort((a, b) => a.userId - b.userId || a.env.localeCompare(b.env) || a.account.localeCompare(b.account) || a.ccy.localeCompare(b.ccy));
    const cols = [keys.map((k) => k.userId), keys.map((k) => k.env), keys.map((k) => k.account), keys.map((k) => k.ccy)];
    const lock = `SELECT user_id, env, account, ccy, avail, frozen FROM balances
      WHERE (user_id, env, account, ccy) IN (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]))
      ORDER BY user_id, env, account, ccy FOR UPDATE`;
    let locked = await this.rows(c, lock, cols);
    if (locked.length < keys.length) {
      // A first entry in some currency: create its row (a concurrent creator makes this wait for its commit), then lock all.
      await c.query(`INSERT INTO balances (user_id, env, account, ccy, avail, frozen, updated_at)
        SELECT u, e, a, c, '0', '0', $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS t(u, e, a, c)
        ON CONFLICT DO NOTHING`, [...cols, at]);
      locked = await this.rows(c, lock, cols);
    }
    const current = new Map<string, { avail: string; frozen: string }>();
    for (const r of locked) {
      current.set(id({ userId: r.user_id as number, env: r.env as string, account: r.account as string, ccy: r.ccy as string }),
        { avail: r.avail as string, frozen: r.frozen as string });
    }
    for (const e of entries) {
      const before = current.get(id(e)) ?? { avail: '0', frozen: '0' };
      const after = { avail: addAmounts(before.avail, e.availDelta), frozen: addAmounts(before.frozen, e.frozenDelta) };
      if (isNegative(after.avail) || isNegative(after.frozen)) {
        throw new RuleError('51008', `${e.ccy}: insufficient balance for this ${e.kind}`, e.ccy);
      }
      current.set(id(e), after);
    }
    const finals = keys.map((k) => current.get(id(k)) ?? { avail: '0', frozen: '0' });
    await this.feedLock(c, 'ledger');
    await c.query(`WITH changed AS (
        UPDATE balances b SET avail = t.avail, frozen = t.frozen, updated_at = $7
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(u, e, a, c, avail, frozen)
        WHERE b.user_id = t.u AND b.env = t.e AND b.account = t.a AND b.ccy = t.c)
      INSERT INTO ledger_entries (at, user_id, env, account, ccy, avail_delta, frozen_delta, kind, ref)
      SELECT $7, * FROM unnest($8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])`, [
      ...cols, finals.map((f) => f.avail), finals.map((f) => f.frozen), at,
      entries.map((e) => e.userId), entries.map((e) => e.env), entries.map((e) => e.account), entries.map((e) => e.ccy),
      entries.map((e) => e.availDelta), entries.map((e) => e.frozenDelta), entries.map((e) => e.kind), entries.map((e) => e.ref),
    ]);
  }

  async runBookOperation<T>(
    book: BookVersion, at: number, compute: (since: BookChanges) => Promise<{ change: OrderChanges; result: T }>,
  ): Promise<T> {
    let from = book.version;
    try {
      return await this.tx(async (c) => {
        // The book's row lock, taken by bumping its version: operations on one book take turns across every instance until commit.
        const version = await this.lockBook(c, book);
        const since = version === from ? { version, orders: [], fills: [] } : {
          version,
          orders: (await this.rows(c, BOOK_ORDERS, [book.env, book.instId, from, version])).map(toOrder),
          fills: (await this.rows(c, BOOK_FILLS, [book.env, book.instId, from, version])).map(toFill),
        };
        const { change, result } = await compute(since);
        // If this transaction is run again (deadlock), `compute` has seen everything up to here.
        from = version;
        await this.applyEntriesNow(c, change.entries, at);
        const seq = version + 1;
        // The last state of each order (an operation may list one order twice), then the fills in order.
        const orders = [...new Map(change.orders.map((o) => [o.ordId, o])).values()];
        if (orders.length > 0) await c.query(UPSERT_ORDERS, [JSON.stringify(orders.map((o) => orderRow(o, seq)))]);
        if (change.fills.length > 0) await c.query(INSERT_FILLS, [JSON.stringify(change.fills.map((f) => fillRow(f, seq)))]);
        return result;
      });
    } catch (err) {
      if (pgCode(err) === '23505' && err instanceof Error && 'constraint' in err && err.constraint === 'orders_open_cl_ord_id') {
        throw new RuleError('51016', 'clOrdId: already used by another open order of this account', 'clOrdId');
      }
      throw err;
    }
  }

  /** Inside a transaction: locks the book's row and bumps its version; returns the version before. */
  private async lockBook(c: pg.PoolClient, book: BookVersion): Promise<number> {
    for (;;) {
      const bumped = await this.one(c, 'UPDATE books SET version = version + 1 WHERE env = $1 AND inst_id = $2 RETURNING version - 1 AS version',
        [book.env, book.instId]);
      if (bumped !== undefined) return bumped.version as number;
      const created = await c.query('INSERT INTO books (env, inst_id, version) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING', [book.env, book.instId]);
      if (created.rowCount === 1) return 0;
    }
  }

  async bookVersions(): Promise<BookVersion[]> {
    const rows = await this.rows(this.pool, 'SELECT env, inst_id, version FROM books ORDER BY env, inst_id');
    return rows.map((r) => ({ env: r.env as KeyEnv, instId: r.inst_id as string, version: r.version as number }));
  }

  async bookChangesSince(env: KeyEnv, instId: string, version: number): Promise<BookChanges> {
    const row = await this.one(this.pool, 'SELECT version FROM books WHERE env = $1 AND inst_id = $2', [env, instId]);
    const current = (row?.version as number | undefined) ?? 0;
    if (current === version) return { version, orders: [], fills: [] };
    // Up to the version read: rows stored since are given with the next version.
    const orders = (await this.rows(this.pool, BOOK_ORDERS, [env, instId, version, current])).map(toOrder);
    const fills = (await this.rows(this.pool, BOOK_FILLS, [env, instId, version, current])).map(toFill);
    return { version: current, orders, fills };
  }

  async openOrders(): Promise<Order[]> {
    return (await this.rows(this.pool, `SELECT * FROM orders WHERE ${OPEN} ORDER BY queued_at, ord_id::numeric`)).map(toOrder);
  }

  async findOrder(userId: number, env: KeyEnv, ref: { ordId?: string; clOrdId?: string }): Promise<Order | null> {
    const row = ref.ordId !== undefined && ref.ordId !== ''
      ? await this.one(this.pool, 'SELECT * FROM orders WHERE ord_id = $1 AND user_id = $2 AND env = $3', [ref.ordId, userId, env])
      : await this.one(this.pool, `SELECT * FROM orders WHERE cl_ord_id = $1 AND user_id = $2 AND env = $3
        ORDER BY c_time DESC, ord_id DESC LIMIT 1`, [ref.clOrdId ?? '', userId, env]);
    return row === undefined ? null : toOrder(row);
  }

  async listOrders(userId: number, env: KeyEnv, q: OrderQuery): Promise<Order[]> {
    const sql = q.open
      ? `SELECT * FROM orders WHERE user_id = $1 AND env = $2 AND ${OPEN} AND ($3::text IS NULL OR inst_id = $3)
         ORDER BY c_time DESC, ord_id DESC LIMIT $4`
      : `SELECT * FROM orders WHERE user_id = $1 AND env = $2 AND NOT ${OPEN} AND ($3::text IS NULL OR inst_id = $3)
         ORDER BY u_time DESC, ord_id DESC LIMIT $4`;
    return (await this.rows(this.pool, sql, [userId, env, q.instId ?? null, q.limit])).map(toOrder);
  }

  async listFills(userId: number, env: KeyEnv, q: FillQuery): Promise<Fill[]> {
    return (await this.rows(this.pool, `SELECT * FROM fills WHERE user_id = $1 AND env = $2 AND ($3::text IS NULL OR inst_id = $3)
      AND ($4::text IS NULL OR ord_id = $4) ORDER BY id DESC LIMIT $5`, [userId, env, q.instId ?? null, q.ordId ?? null, q.limit])).map(toFill);
  }

  async listPublicTrades(env: KeyEnv, instId: string, limit: number): Promise<Fill[]> {
    return (await this.rows(this.pool, `SELECT * FROM fills WHERE env = $1 AND inst_id = $2 AND exec_type = 'T' ORDER BY id DESC LIMIT $3`,
      [env, instId, limit])).map(toFill);
  }

  async reserveIds(sequence: IdSequenceName, count: number, floor: bigint): Promise<bigint> {
    const n = BigInt(count);
    const row = await this.one(this.pool, 'UPDATE id_sequences SET last = GREATEST(last + $1, $2) WHERE name = $3 RETURNING last::text AS last',
      [n.toString(), (floor + n - 1n).toString(), sequence]);
    if (row === undefined) throw new Error(`unknown id sequence ${sequence}`);
    return BigInt(row.last as string) - n + 1n;
  }

  async claimInterval(job: string, now: number, intervalMs: number): Promise<boolean> {
    const r = await this.pool.query(`INSERT INTO jobs (name, last_run) VALUES ($1, $2) ON CONFLICT (name)
      DO UPDATE SET last_run = EXCLUDED.last_run WHERE jobs.last_run <= EXCLUDED.last_run - $3`, [job, now, intervalMs]);
    return r.rowCount === 1;
  }

  async holdLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const r = await this.pool.query(`INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3) ON CONFLICT (name)
      DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until WHERE leases.holder = EXCLUDED.holder OR leases.until < $4`,
    [name, holder, now + ttlMs, now]);
    return r.rowCount === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.pool.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async onKeyChanges(listener: () => void): Promise<void> {
    this.keyListeners.push(listener);
    if (this.listener === null) await this.listen();
  }

  /** One dedicated connection LISTENing for key changes; reconnects after a loss (polling covers the gap). */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, types });
    this.listener = client;
    const retry = () => {
      if (this.listener !== client || this.closed) return;
      this.listener = null;
      client.end().catch(() => undefined);
      setTimeout(() => {
        if (!this.closed && this.listener === null) this.listen().catch(() => undefined);
      }, 1000).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (n) => {
      if (n.channel === KEY_CHANNEL && n.payload === this.schema) for (const l of this.keyListeners) l();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${KEY_CHANNEL}`);
    } catch {
      retry();
    }
  }

  async resealSecrets(reseal: (kind: SealedKind, id: string, sealed: Buffer) => Buffer): Promise<{ apiKeys: number; totp: number }> {
    return this.tx(async (c) => {
      const keys = await this.rows(c, 'SELECT api_key, secret_sealed FROM api_keys ORDER BY api_key FOR UPDATE');
      for (const k of keys) {
        await c.query('UPDATE api_keys SET secret_sealed = $1 WHERE api_key = $2', [reseal('api-key', k.api_key as string, k.secret_sealed as Buffer), k.api_key]);
      }
      const totp = await this.rows(c, 'SELECT user_id, secret_sealed FROM user_totp ORDER BY user_id FOR UPDATE');
      for (const t of totp) {
        await c.query('UPDATE user_totp SET secret_sealed = $1 WHERE user_id = $2', [reseal('totp', String(t.user_id), t.secret_sealed as Buffer), t.user_id]);
      }
      return { apiKeys: keys.length, totp: totp.length };
    });
  }

  async insertWithdrawal(w: Withdrawal, entries: readonly LedgerEntry[], at: number): Promise<void> {
    await this.tx(async (c) => {
      await this.applyEntriesNow(c, entries, at);
      await c.query(`INSERT INTO withdrawals (wd_id, client_id, user_id, env, ccy, chain, amt, fee, dest, to_addr, to_user_id, state, tx_id,
        created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, [
        w.wdId, w.clientId, w.userId, w.env, w.ccy, w.chain, w.amt, w.fee, w.dest, w.toAddr, w.toUserId, w.state, w.txId, w.createdAt, w.updatedAt,
      ]);
    });
  }

  async transitionWithdrawal(
    wdId: string, from: WithdrawalState, to: { state: WithdrawalState; txId: string }, entries: readonly LedgerEntry[], at: number,
  ): Promise<Withdrawal | null> {
    return this.tx(async (c) => {
      const row = await this.one(c, 'UPDATE withdrawals SET state = $1, tx_id = $2, updated_at = $3 WHERE wd_id = $4 AND state = $5 RETURNING *',
        [to.state, to.txId, at, wdId, from]);
      if (row === undefined) return null;
      await this.applyEntriesNow(c, entries, at);
      return toWithdrawal(row);
    });
  }

  async findWithdrawal(userId: number, env: KeyEnv, wdId: string): Promise<Withdrawal | null> {
    const row = await this.one(this.pool, 'SELECT * FROM withdrawals WHERE wd_id = $1 AND user_id = $2 AND env = $3', [wdId, userId, env]);
    return row === undefined ? null : toWithdrawal(row);
  }

  async listWithdrawals(userId: number, env: KeyEnv, q: { ccy?: string | undefined; wdId?: string | undefined; limit: number }): Promise<Withdrawal[]> {
    return (await this.rows(this.pool, `SELECT * FROM withdrawals WHERE user_id = $1 AND env = $2 AND ($3::text IS NULL OR ccy = $3)
      AND ($4::text IS NULL OR wd_id = $4) ORDER BY created_at DESC, wd_id DESC LIMIT $5`, [userId, env, q.ccy ?? null, q.wdId ?? null, q.limit]))
      .map(toWithdrawal);
  }

  async pendingWithdrawals(createdBefore: number): Promise<Withdrawal[]> {
    return (await this.rows(this.pool, `SELECT * FROM withdrawals WHERE state = '0' AND created_at <= $1 ORDER BY created_at, wd_id`,
      [createdBefore])).map(toWithdrawal);
  }

  async listDeposits(userId: number, env: KeyEnv, q: { ccy?: string | undefined; limit: number }): Promise<DepositRecord[]> {
    const rows = await this.rows(this.pool, `SELECT id, ccy, avail_delta, kind, ref, at FROM ledger_entries WHERE user_id = $1 AND env = $2
      AND kind IN ('deposit', 'internal_in') AND ($3::text IS NULL OR ccy = $3) ORDER BY id DESC LIMIT $4`, [userId, env, q.ccy ?? null, q.limit]);
    return rows.map((r) => ({ depId: String(r.id), ccy: r.ccy as string, amt: r.avail_delta as string, kind: r.kind as string, ref: r.ref as string, at: r.at as number }));
  }

  async addWithdrawalAddress(entry: Omit<WithdrawalAddress, 'id'>, check: (existingCount: number) => void): Promise<WithdrawalAddress> {
    return this.tx(async (c) => {
      await c.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [entry.userId]);
      const count = await this.one(c, 'SELECT COUNT(*)::int AS n FROM withdrawal_addresses WHERE user_id = $1', [entry.userId]);
      check(count?.n as number);
      const dup = await this.one(c, 'SELECT 1 FROM withdrawal_addresses WHERE user_id = $1 AND chain = $2 AND address = $3',
        [entry.userId, entry.chain, entry.address]);
      if (dup !== undefined) throw new RuleError('51000', `address: ${entry.address} on ${entry.chain} is already in the address book`, 'address');
      const row = await this.one(c, `INSERT INTO withdrawal_addresses (user_id, ccy, chain, address, label, created_at)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, [entry.userId, entry.ccy, entry.chain, entry.address, entry.label, entry.createdAt]);
      return { id: row?.id as number, ...entry };
    });
  }

  async listWithdrawalAddresses(userId: number): Promise<WithdrawalAddress[]> {
    return (await this.rows(this.pool, 'SELECT * FROM withdrawal_addresses WHERE user_id = $1 ORDER BY ccy, chain, id', [userId])).map(toAddress);
  }

  async deleteWithdrawalAddress(userId: number, id: number): Promise<boolean> {
    return (await this.pool.query('DELETE FROM withdrawal_addresses WHERE user_id = $1 AND id = $2', [userId, id])).rowCount === 1;
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.pool.query('INSERT INTO sessions (id_hash, user_id, csrf_token, verified, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [s.idHash, s.userId, s.csrfToken, s.verified, s.createdAt, s.expiresAt]);
  }

  async findSession(idHash: string, now: number): Promise<SessionRecord | null> {
    const row = await this.one(this.pool, 'SELECT * FROM sessions WHERE id_hash = $1 AND expires_at > $2', [idHash, now]);
    return row === undefined ? null : toSession(row);
  }

  async verifySession(idHash: string): Promise<void> {
    await this.pool.query('UPDATE sessions SET verified = true WHERE id_hash = $1', [idHash]);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return (await this.pool.query('DELETE FROM sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }

  async getTotp(userId: number): Promise<TotpRecord | null> {
    const row = await this.one(this.pool, 'SELECT * FROM user_totp WHERE user_id = $1', [userId]);
    return row === undefined ? null : toTotp(row);
  }

  async saveTotp(t: TotpRecord): Promise<void> {
    await this.pool.query(`INSERT INTO user_totp (user_id, secret_sealed, enabled, recovery_hashes, last_step) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, enabled = EXCLUDED.enabled,
      recovery_hashes = EXCLUDED.recovery_hashes, last_step = EXCLUDED.last_step`,
    [t.userId, t.secretSealed, t.enabled, t.recoveryHashes.join(','), t.lastStep]);
  }

  async acceptTotpStep(userId: number, step: number): Promise<boolean> {
    return (await this.pool.query('UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1', [step, userId])).rowCount === 1;
  }

  async useRecoveryCode(userId: number, hash: string): Promise<boolean> {
    return this.tx(async (c) => {
      const row = await this.one(c, 'SELECT recovery_hashes FROM user_totp WHERE user_id = $1 FOR UPDATE', [userId]);
      if (row === undefined) return false;
      const text = row.recovery_hashes as string;
      const hashes = text === '' ? [] : text.split(',');
      const at = hashes.indexOf(hash);
      if (at < 0) return false;
      hashes.splice(at, 1);
      await c.query('UPDATE user_totp SET recovery_hashes = $1 WHERE user_id = $2', [hashes.join(','), userId]);
      return true;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = null;
    if (listener !== null) await listener.end().catch(() => undefined);
    await this.pool.end();
  }
}
