import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RuleError } from '../../core/errors.js';
import { isExpired, type ExpiryPolicy } from '../../core/expiry.js';
import { addAmounts, isNegative, type AccountType, type LedgerEntry } from '../../core/ledger.js';
import type { KeyEnv } from '../../core/key-rules.js';
import { keyChangeDetail } from '../audit-detail.js';
import type { Withdrawal, WithdrawalState } from '../../core/funding.js';
import type { Fill } from '../../core/matching.js';
import type { Order } from '../../core/orders.js';
import type {
  Actor, AuditAction, AuditRecord, BalanceRow, BookChanges, BookVersion, DepositRecord, IdSequenceName, SealedKind, FillQuery, KeyRecord, KeyRejection, KeyUpdate, OrderChanges, OrderQuery,
  SessionRecord, Store, TotpRecord, UserRecord, WithdrawalAddress,
} from '../store.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

interface KeyRow {
  api_key: string;
  user_id: number;
  label: string;
  perm_trade: number;
  perm_withdraw: number;
  ips: string;
  env: KeyEnv;
  secret_sealed: Buffer;
  passphrase_hash: string;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
}

interface UserRow {
  id: number;
  uid: string;
  email: string;
  password_hash: string | null;
  created_at: number;
}

function toKey(row: KeyRow): KeyRecord {
  return {
    apiKey: row.api_key,
    userId: row.user_id,
    label: row.label,
    perms: { read: true, trade: row.perm_trade === 1, withdraw: row.perm_withdraw === 1 },
    ips: row.ips === '' ? [] : row.ips.split(','),
    env: row.env,
    secretSealed: row.secret_sealed,
    passphraseHash: row.passphrase_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
  };
}

interface OrderRow {
  ord_id: string; user_id: number; env: KeyEnv; inst_id: string; cl_ord_id: string; tag: string; side: Order['side'];
  ord_type: Order['ordType']; px: string; sz: string; tgt_ccy: Order['tgtCcy']; acc_fill_sz: string; acc_fill_quote: string;
  fee: string; fee_ccy: string; frozen: string; state: Order['state']; cancel_source: string; c_time: number; u_time: number;
  queued_at: number;
}

function toOrder(r: OrderRow): Order {
  return {
    ordId: r.ord_id, clOrdId: r.cl_ord_id, tag: r.tag, userId: r.user_id, env: r.env, instId: r.inst_id, side: r.side,
    ordType: r.ord_type, px: r.px, sz: r.sz, tgtCcy: r.tgt_ccy, accFillSz: r.acc_fill_sz, accFillQuote: r.acc_fill_quote,
    fee: r.fee, feeCcy: r.fee_ccy, frozen: r.frozen, state: r.state, cancelSource: r.cancel_source, cTime: r.c_time, uTime: r.u_time, queuedAt: r.queued_at,
  };
}

function orderRow(o: Order): OrderRow {
  return {
    ord_id: o.ordId, user_id: o.userId, env: o.env, inst_id: o.instId, cl_ord_id: o.clOrdId, tag: o.tag, side: o.side,
    ord_type: o.ordType, px: o.px, sz: o.sz, tgt_ccy: o.tgtCcy, acc_fill_sz: o.accFillSz, acc_fill_quote: o.accFillQuote,
    fee: o.fee, fee_ccy: o.feeCcy, frozen: o.frozen, state: o.state, cancel_source: o.cancelSource, c_time: o.cTime, u_time: o.uTime, queued_at: o.queuedAt,
  };
}

interface FillRow {
  trade_id: string; ord_id: string; cl_ord_id: string; tag: string; user_id: number; env: KeyEnv; inst_id: string;
  side: Fill['side']; px: string; sz: string; fee: string; fee_ccy: string; exec_type: Fill['execType']; ts: number;
}

function toFill(r: FillRow): Fill {
  return {
    tradeId: r.trade_id, instId: r.inst_id, ordId: r.ord_id, clOrdId: r.cl_ord_id, tag: r.tag, userId: r.user_id, env: r.env,
    side: r.side, px: r.px, sz: r.sz, fee: r.fee, feeCcy: r.fee_ccy, execType: r.exec_type, ts: r.ts,
  };
}

interface WithdrawalRow {
  wd_id: string; client_id: string; user_id: number; env: KeyEnv; ccy: string; chain: string; amt: string; fee: string;
  dest: '3' | '4'; to_addr: string; to_user_id: number | null; state: WithdrawalState; tx_id: string; created_at: number; updated_at: number;
}

function toWithdrawal(r: WithdrawalRow): Withdrawal {
  return {
    wdId: r.wd_id, clientId: r.client_id, userId: r.user_id, env: r.env, ccy: r.ccy, chain: r.chain, amt: r.amt, fee: r.fee,
    dest: r.dest, toAddr: r.to_addr, toUserId: r.to_user_id, state: r.state, txId: r.tx_id, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

const OPEN = `state IN ('live', 'partially_filled')`;

interface SessionRow {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  verified: number;
  created_at: number;
  expires_at: number;
}

interface TotpRow {
  user_id: number;
  secret_sealed: Buffer;
  enabled: number;
  recovery_hashes: string;
  last_step: number;
}

function toSession(row: SessionRow): SessionRecord {
  return {
    idHash: row.id_hash, userId: row.user_id, csrfToken: row.csrf_token, verified: row.verified === 1,
    createdAt: row.created_at, expiresAt: row.expires_at,
  };
}

function toTotp(row: TotpRow): TotpRecord {
  return {
    userId: row.user_id, secretSealed: row.secret_sealed, enabled: row.enabled === 1,
    recoveryHashes: row.recovery_hashes === '' ? [] : row.recovery_hashes.split(','), lastStep: row.last_step,
  };
}

interface AuditRow {
  id: number; at: number; actor: Actor; user_id: number; api_key: string; action: AuditAction; detail: string;
}

function toAudit(r: AuditRow): AuditRecord {
  return {
    id: r.id, at: r.at, actor: r.actor, userId: r.user_id, apiKey: r.api_key, action: r.action,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}

function toUser(row: UserRow): UserRecord {
  return { id: row.id, uid: row.uid, email: row.email, passwordHash: row.password_hash, createdAt: row.created_at };
}

/** Opens (creating if needed) the SQLite database `signet.db` in `dir` (':memory:': in memory) and migrates it. */
export function openSqliteStore(opts: { dir: string }): SqliteStore {
  const memory = opts.dir === ':memory:';
  if (!memory) mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const file = memory ? ':memory:' : join(opts.dir, 'signet.db');
  const db = new Database(file);
  if (!memory) {
    chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return new SqliteStore(db);
}

/** Brings the database to the newest schema; returns how many migrations ran. */
export function migrate(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number };
  let ran = 0;
  for (let version = row.v + 1; version <= SQLITE_MIGRATIONS.length; version++) {
    const sql = SQLITE_MIGRATIONS[version - 1] ?? '';
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    }).immediate();
    ran++;
  }
  return ran;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(db: Database.Database) {
    this.db = db;
    this.stmt = {
      insertUser: db.prepare('INSERT INTO users (uid, email, password_hash, created_at) VALUES (?, ?, ?, ?)'),
      userByEmail: db.prepare('SELECT * FROM users WHERE email = ?'),
      userById: db.prepare('SELECT * FROM users WHERE id = ?'),
      keysOfUser: db.prepare('SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at, api_key'),
      keyById: db.prepare('SELECT * FROM api_keys WHERE api_key = ?'),
      insertKey: db.prepare(`INSERT INTO api_keys (api_key, user_id, label, perm_trade, perm_withdraw, ips, env,
        secret_sealed, passphrase_hash, created_at, updated_at, last_used_at)
        VALUES (@api_key, @user_id, @label, @perm_trade, @perm_withdraw, @ips, @env, @secret_sealed, @passphrase_hash,
        @created_at, @updated_at, @last_used_at)`),
      updateKey: db.prepare(`UPDATE api_keys SET label = ?, perm_trade = ?, perm_withdraw = ?, ips = ?, updated_at = ?
        WHERE api_key = ?`),
      deleteKey: db.prepare('DELETE FROM api_keys WHERE api_key = ?'),
      touchKey: db.prepare('UPDATE api_keys SET last_used_at = ? WHERE api_key = ? AND (last_used_at IS NULL OR last_used_at < ?)'),
      expiryCandidates: db.prepare(`SELECT * FROM api_keys WHERE env = 'live' AND ips = ''`),
      deleteIfUnused: db.prepare(`DELETE FROM api_keys WHERE api_key = ? AND last_used_at IS ?`),
      insertAudit: db.prepare('INSERT INTO audit_log (at, actor, user_id, api_key, action, detail) VALUES (?, ?, ?, ?, ?, ?)'),
      latestAudit: db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM audit_log'),
      // First uses from new IPs are activity, not key changes: they must not evict key caches.
      auditSince: db.prepare("SELECT id, api_key FROM audit_log WHERE id > ? AND action <> 'new_ip' ORDER BY id LIMIT 1000"),
      insertKeyIp: db.prepare('INSERT OR IGNORE INTO key_ips (api_key, ip, first_at) VALUES (?, ?, ?)'),
      ipsOfKey: db.prepare('SELECT ip FROM key_ips WHERE api_key = ? ORDER BY first_at, ip LIMIT ?'),
      forgetKeyIps: db.prepare('DELETE FROM key_ips WHERE api_key = ?'),
      auditOfUser: db.prepare('SELECT * FROM audit_log WHERE user_id = ? ORDER BY id DESC LIMIT ?'),
      balances: db.prepare('SELECT ccy, avail, frozen, updated_at FROM balances WHERE user_id = ? AND env = ? AND account = ? ORDER BY ccy'),
      balance: db.prepare('SELECT avail, frozen FROM balances WHERE user_id = ? AND env = ? AND account = ? AND ccy = ?'),
      upsertBalance: db.prepare(`INSERT INTO balances (user_id, env, account, ccy, avail, frozen, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, env, account, ccy)
        DO UPDATE SET avail = excluded.avail, frozen = excluded.frozen, updated_at = excluded.updated_at`),
      latestEntry: db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM ledger_entries'),
      entriesSince: db.prepare('SELECT id, user_id, env FROM ledger_entries WHERE id > ? ORDER BY id LIMIT 1000'),
      insertEntry: db.prepare(`INSERT INTO ledger_entries (at, user_id, env, account, ccy, avail_delta, frozen_delta, kind, ref)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      upsertOrder: db.prepare(`INSERT INTO orders (ord_id, user_id, env, inst_id, cl_ord_id, tag, side, ord_type, px, sz, tgt_ccy,
        acc_fill_sz, acc_fill_quote, fee, fee_ccy, frozen, state, cancel_source, c_time, u_time, queued_at, book_seq)
        VALUES (@ord_id, @user_id, @env, @inst_id, @cl_ord_id, @tag, @side, @ord_type, @px, @sz, @tgt_ccy, @acc_fill_sz,
        @acc_fill_quote, @fee, @fee_ccy, @frozen, @state, @cancel_source, @c_time, @u_time, @queued_at, @book_seq)
        ON CONFLICT (ord_id) DO UPDATE SET px = excluded.px, sz = excluded.sz, acc_fill_sz = excluded.acc_fill_sz,
        acc_fill_quote = excluded.acc_fill_quote, fee = excluded.fee, frozen = excluded.frozen, state = excluded.state,
        cancel_source = excluded.cancel_source, u_time = excluded.u_time, queued_at = excluded.queued_at, book_seq = excluded.book_seq`),
      insertFill: db.prepare(`INSERT INTO fills (trade_id, ord_id, cl_ord_id, tag, user_id, env, inst_id, side, px, sz, fee, fee_ccy,
        exec_type, ts, book_seq) VALUES (@trade_id, @ord_id, @cl_ord_id, @tag, @user_id, @env, @inst_id, @side, @px, @sz, @fee, @fee_ccy,
        @exec_type, @ts, @book_seq)`),
      openOrders: db.prepare(`SELECT * FROM orders WHERE ${OPEN} ORDER BY queued_at, CAST(ord_id AS INTEGER)`),
      orderById: db.prepare('SELECT * FROM orders WHERE ord_id = ? AND user_id = ? AND env = ?'),
      orderByClOrdId: db.prepare('SELECT * FROM orders WHERE cl_ord_id = ? AND user_id = ? AND env = ? ORDER BY c_time DESC, ord_id DESC LIMIT 1'),
      openOrdersOf: db.prepare(`SELECT * FROM orders WHERE user_id = ? AND env = ? AND ${OPEN} AND (? IS NULL OR inst_id = ?)
        ORDER BY c_time DESC, ord_id DESC LIMIT ?`),
      doneOrdersOf: db.prepare(`SELECT * FROM orders WHERE user_id = ? AND env = ? AND NOT ${OPEN} AND (? IS NULL OR inst_id = ?)
        ORDER BY u_time DESC, ord_id DESC LIMIT ?`),
      fillsOf: db.prepare(`SELECT * FROM fills WHERE user_id = ? AND env = ? AND (? IS NULL OR inst_id = ?) AND (? IS NULL OR ord_id = ?)
        ORDER BY id DESC LIMIT ?`),
      publicTrades: db.prepare(`SELECT * FROM fills WHERE env = ? AND inst_id = ? AND exec_type = 'T' ORDER BY id DESC LIMIT ?`),
      insertWithdrawal: db.prepare(`INSERT INTO withdrawals (wd_id, client_id, user_id, env, ccy, chain, amt, fee, dest, to_addr, to_user_id,
        state, tx_id, created_at, updated_at) VALUES (@wd_id, @client_id, @user_id, @env, @ccy, @chain, @amt, @fee, @dest, @to_addr,
        @to_user_id, @state, @tx_id, @created_at, @updated_at)`),
      withdrawalById: db.prepare('SELECT * FROM withdrawals WHERE wd_id = ?'),
      moveWithdrawal: db.prepare('UPDATE withdrawals SET state = ?, tx_id = ?, updated_at = ? WHERE wd_id = ? AND state = ?'),
      withdrawalsOf: db.prepare(`SELECT * FROM withdrawals WHERE user_id = ? AND env = ? AND (? IS NULL OR ccy = ?) AND (? IS NULL OR wd_id = ?)
        ORDER BY created_at DESC, wd_id DESC LIMIT ?`),
      pendingWithdrawals: db.prepare(`SELECT * FROM withdrawals WHERE state = '0' AND created_at <= ? ORDER BY created_at, wd_id`),
      depositsOf: db.prepare(`SELECT id, ccy, avail_delta, kind, ref, at FROM ledger_entries WHERE user_id = ? AND env = ?
        AND kind IN ('deposit', 'internal_in') AND (? IS NULL OR ccy = ?) ORDER BY id DESC LIMIT ?`),
      insertSession: db.prepare(`INSERT INTO sessions (id_hash, user_id, csrf_token, verified, created_at, expires_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      sessionById: db.prepare('SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?'),
      verifySession: db.prepare('UPDATE sessions SET verified = 1 WHERE id_hash = ?'),
      deleteSession: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
      deleteExpiredSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
      totpOfUser: db.prepare('SELECT * FROM user_totp WHERE user_id = ?'),
      upsertTotp: db.prepare(`INSERT INTO user_totp (user_id, secret_sealed, enabled, recovery_hashes, last_step)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed,
        enabled = excluded.enabled, recovery_hashes = excluded.recovery_hashes, last_step = excluded.last_step`),
      acceptTotpStep: db.prepare('UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ?'),
      setRecoveryHashes: db.prepare('UPDATE user_totp SET recovery_hashes = ? WHERE user_id = ?'),
      insertAddress: db.prepare(`INSERT INTO withdrawal_addresses (user_id, ccy, chain, address, label, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      countAddresses: db.prepare('SELECT COUNT(*) AS n FROM withdrawal_addresses WHERE user_id = ?'),
      addressExists: db.prepare('SELECT 1 FROM withdrawal_addresses WHERE user_id = ? AND chain = ? AND address = ?'),
      addressesOfUser: db.prepare('SELECT * FROM withdrawal_addresses WHERE user_id = ? ORDER BY ccy, chain, id'),
      deleteAddress: db.prepare('DELETE FROM withdrawal_addresses WHERE user_id = ? AND id = ?'),
      auditOfKey: db.prepare('SELECT * FROM audit_log WHERE api_key = ? AND user_id = ? ORDER BY id DESC LIMIT ?'),
      upsertRejection: db.prepare(`INSERT INTO key_rejections (api_key, user_id, code, ip, count, first_at, last_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (api_key, code, ip) DO UPDATE SET count = count + excluded.count,
        first_at = MIN(first_at, excluded.first_at), last_at = MAX(last_at, excluded.last_at)`),
      pruneRejections: db.prepare('DELETE FROM key_rejections WHERE last_at < ?'),
      ensureBook: db.prepare('INSERT INTO books (env, inst_id, version) VALUES (?, ?, 0) ON CONFLICT DO NOTHING'),
      bumpBook: db.prepare('UPDATE books SET version = version + 1 WHERE env = ? AND inst_id = ? AND version = ?'),
      bookVersions: db.prepare('SELECT env, inst_id, version FROM books ORDER BY env, inst_id'),
      bookVersion: db.prepare('SELECT version FROM books WHERE env = ? AND inst_id = ?'),
      bookChanges: db.prepare(`SELECT * FROM orders WHERE env = ? AND inst_id = ? AND book_seq > ? AND book_seq <= ?
        ORDER BY queued_at, CAST(ord_id AS INTEGER)`),
      bookFills: db.prepare('SELECT * FROM fills WHERE env = ? AND inst_id = ? AND book_seq > ? AND book_seq <= ? ORDER BY id'),
      reserveIds: db.prepare('UPDATE id_sequences SET last = MAX(last + ?, ?) WHERE name = ? RETURNING last').safeIntegers(true),
      claimJob: db.prepare(`INSERT INTO jobs (name, last_run) VALUES (?, ?) ON CONFLICT (name)
        DO UPDATE SET last_run = excluded.last_run WHERE jobs.last_run <= excluded.last_run - ?`),
      releaseLease: db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?'),
      holdLease: db.prepare(`INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name)
        DO UPDATE SET holder = excluded.holder, until = excluded.until WHERE leases.holder = excluded.holder OR leases.until < ?`),
      sealedKeys: db.prepare('SELECT api_key, secret_sealed FROM api_keys ORDER BY api_key'),
      resealKey: db.prepare('UPDATE api_keys SET secret_sealed = ? WHERE api_key = ?'),
      sealedTotp: db.prepare('SELECT user_id, secret_sealed FROM user_totp ORDER BY user_id'),
      resealTotp: db.prepare('UPDATE user_totp SET secret_sealed = ? WHERE user_id = ?'),
      rejectionsOfKey: db.prepare(`SELECT api_key, user_id, code, ip, count, first_at, last_at FROM key_rejections
        WHERE api_key = ? AND user_id = ? ORDER BY last_at DESC, code, ip LIMIT ?`),
    };
  }

  /** The underlying handle, for `signet migrate` and tests that inspect raw rows. */
  get handle(): Database.Database {
    return this.db;
  }

  private audit(at: number, actor: Actor, key: KeyRecord, action: AuditAction, detail: Record<string, unknown>): void {
    this.stmt.insertAudit.run(at, actor, key.userId, key.apiKey, action, JSON.stringify(detail));
  }

  async createUser(user: Omit<UserRecord, 'id'>): Promise<UserRecord> {
    try {
      const info = this.stmt.insertUser.run(user.uid, user.email, user.passwordHash, user.createdAt);
      return { ...user, id: Number(info.lastInsertRowid) };
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new RuleError('51000', `email: an account with ${user.email} already exists`, 'email');
      }
      throw err;
    }
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const row = this.stmt.userByEmail.get(email) as UserRow | undefined;
    return row === undefined ? null : toUser(row);
  }

  async findUserById(id: number): Promise<UserRecord | null> {
    const row = this.stmt.userById.get(id) as UserRow | undefined;
    return row === undefined ? null : toUser(row);
  }

  async createKey(userId: number, build: (existing: readonly KeyRecord[]) => KeyRecord, actor: Actor, at: number): Promise<KeyRecord> {
    return this.db.transaction(() => {
      const existing = (this.stmt.keysOfUser.all(userId) as KeyRow[]).map(toKey);
      const key = build(existing);
      this.stmt.insertKey.run({
        api_key: key.apiKey, user_id: key.userId, label: key.label,
        perm_trade: key.perms.trade ? 1 : 0, perm_withdraw: key.perms.withdraw ? 1 : 0,
        ips: key.ips.join(','), env: key.env, secret_sealed: key.secretSealed, passphrase_hash: key.passphraseHash,
        created_at: key.createdAt, updated_at: key.updatedAt, last_used_at: key.lastUsedAt,
      });
      this.audit(at, actor, key, 'create', keyChangeDetail(null, key));
      return key;
    }).immediate();
  }

  async updateKey(
    userId: number,
    apiKey: string,
    change: (current: KeyRecord, others: readonly KeyRecord[]) => KeyUpdate,
    actor: Actor,
    at: number,
  ): Promise<KeyRecord | null> {
    return this.db.transaction(() => {
      const all = (this.stmt.keysOfUser.all(userId) as KeyRow[]).map(toKey);
      const current = all.find((k) => k.apiKey === apiKey);
      if (current === undefined) return null;
      const update = change(current, all.filter((k) => k.apiKey !== apiKey));
      const next: KeyRecord = {
        ...current,
        label: update.label ?? current.label,
        perms: update.perms ?? current.perms,
        ips: update.ips ?? current.ips,
        updatedAt: at,
      };
      this.stmt.updateKey.run(next.label, next.perms.trade ? 1 : 0, next.perms.withdraw ? 1 : 0, next.ips.join(','), at, apiKey);
      this.audit(at, actor, next, 'modify', keyChangeDetail(current, next));
      return next;
    }).immediate();
  }

  async deleteKey(userId: number, apiKey: string, actor: Actor, at: number): Promise<KeyRecord | null> {
    return this.db.transaction(() => {
      const row = this.stmt.keyById.get(apiKey) as KeyRow | undefined;
      if (row === undefined || row.user_id !== userId) return null;
      const key = toKey(row);
      this.stmt.deleteKey.run(apiKey);
      this.stmt.forgetKeyIps.run(apiKey);
      this.audit(at, actor, key, 'delete', { label: key.label });
      return key;
    }).immediate();
  }

  async recordKeyIps(uses: ReadonlyArray<{ apiKey: string; ip: string; at: number }>): Promise<number> {
    if (uses.length === 0) return 0;
    return this.db.transaction(() => {
      let added = 0;
      for (const use of uses) {
        const row = this.stmt.keyById.get(use.apiKey) as KeyRow | undefined;
        if (row === undefined) continue;
        if (this.stmt.insertKeyIp.run(use.apiKey, use.ip, use.at).changes === 1) {
          this.audit(use.at, 'api', toKey(row), 'new_ip', { ip: use.ip });
          added++;
        }
      }
      return added;
    }).immediate();
  }

  async listKeyIps(apiKey: string, limit: number): Promise<string[]> {
    return (this.stmt.ipsOfKey.all(apiKey, limit) as Array<{ ip: string }>).map((r) => r.ip);
  }

  async getKey(apiKey: string): Promise<KeyRecord | null> {
    const row = this.stmt.keyById.get(apiKey) as KeyRow | undefined;
    return row === undefined ? null : toKey(row);
  }

  async listKeys(userId: number): Promise<KeyRecord[]> {
    return (this.stmt.keysOfUser.all(userId) as KeyRow[]).map(toKey);
  }

  async touchKeys(uses: ReadonlyArray<{ apiKey: string; at: number }>): Promise<void> {
    if (uses.length === 0) return;
    this.db.transaction(() => {
      for (const use of uses) this.stmt.touchKey.run(use.at, use.apiKey, use.at);
    })();
  }

  async deleteExpiredKeys(policy: ExpiryPolicy, now: number): Promise<KeyRecord[]> {
    return this.db.transaction(() => {
      const expired = (this.stmt.expiryCandidates.all() as KeyRow[]).map(toKey).filter((k) => isExpired(k, policy, now));
      const deleted: KeyRecord[] = [];
      for (const key of expired) {
        // The condition on last_used_at makes a use recorded since the read win over the sweep.
        if (this.stmt.deleteIfUnused.run(key.apiKey, key.lastUsedAt).changes === 1) {
          this.stmt.forgetKeyIps.run(key.apiKey);
          this.audit(now, 'sweeper', key, 'expire', { label: key.label, idleSince: key.lastUsedAt ?? key.createdAt });
          deleted.push(key);
        }
      }
      return deleted;
    }).immediate();
  }

  async latestAuditId(): Promise<number> {
    return (this.stmt.latestAudit.get() as { id: number }).id;
  }

  async keyChangesSince(cursor: number): Promise<{ cursor: number; apiKeys: string[] }> {
    const rows = this.stmt.auditSince.all(cursor) as Array<{ id: number; api_key: string }>;
    const last = rows[rows.length - 1];
    return { cursor: last === undefined ? cursor : last.id, apiKeys: rows.map((r) => r.api_key) };
  }

  async listAudit(userId: number, limit: number): Promise<AuditRecord[]> {
    return (this.stmt.auditOfUser.all(userId, limit) as AuditRow[]).map(toAudit);
  }

  async getBalances(userId: number, env: KeyEnv, account: AccountType): Promise<BalanceRow[]> {
    const rows = this.stmt.balances.all(userId, env, account) as Array<{ ccy: string; avail: string; frozen: string; updated_at: number }>;
    return rows.map((r) => ({ ccy: r.ccy, avail: r.avail, frozen: r.frozen, updatedAt: r.updated_at }));
  }

  async latestLedgerId(): Promise<number> {
    return (this.stmt.latestEntry.get() as { id: number }).id;
  }

  async ledgerChangesSince(cursor: number): Promise<{ cursor: number; accounts: Array<{ userId: number; env: KeyEnv }> }> {
    const rows = this.stmt.entriesSince.all(cursor) as Array<{ id: number; user_id: number; env: KeyEnv }>;
    const last = rows[rows.length - 1];
    const seen = new Map<string, { userId: number; env: KeyEnv }>();
    for (const r of rows) seen.set(`${r.user_id}:${r.env}`, { userId: r.user_id, env: r.env });
    return { cursor: last === undefined ? cursor : last.id, accounts: [...seen.values()] };
  }

  async applyEntries(entries: readonly LedgerEntry[], at: number): Promise<void> {
    this.db.transaction(() => this.applyEntriesNow(entries, at)).immediate();
  }

  /** Inside a transaction: applies entries, throwing RuleError 51008 before any balance goes negative. */
  private applyEntriesNow(entries: readonly LedgerEntry[], at: number): void {
    for (const e of entries) {
      const row = this.stmt.balance.get(e.userId, e.env, e.account, e.ccy) as { avail: string; frozen: string } | undefined;
      const avail = addAmounts(row?.avail ?? '0', e.availDelta);
      const frozen = addAmounts(row?.frozen ?? '0', e.frozenDelta);
      if (isNegative(avail) || isNegative(frozen)) {
        throw new RuleError('51008', `${e.ccy}: insufficient balance for this ${e.kind}`, e.ccy);
      }
      this.stmt.upsertBalance.run(e.userId, e.env, e.account, e.ccy, avail, frozen, at);
      this.stmt.insertEntry.run(at, e.userId, e.env, e.account, e.ccy, e.availDelta, e.frozenDelta, e.kind, e.ref);
    }
  }

  async runBookOperation<T>(
    book: BookVersion, at: number, compute: (since: BookChanges) => Promise<{ change: OrderChanges; result: T }>,
  ): Promise<T> {
    // A transaction cannot stay open across `compute` (other requests share this connection), so
    // the book's version is checked at commit instead: another process that wrote the book in
    // between makes this one catch up and compute again. Within one process operations on a
    // book already take turns (TradingService), so that happens only across processes.
    for (let from = book.version; ;) {
      const since = await this.bookChangesSince(book.env, book.instId, from);
      const { change, result } = await compute(since);
      if (this.storeBookChange(change, at, book, since.version)) return result;
      from = since.version;
    }
  }

  /** One transaction: the book's version from `version` to `version + 1`, then the change; false if the version moved. */
  private storeBookChange(change: OrderChanges, at: number, book: BookVersion, version: number): boolean {
    try {
      return this.db.transaction(() => {
        this.stmt.ensureBook.run(book.env, book.instId);
        if (this.stmt.bumpBook.run(book.env, book.instId, version).changes !== 1) return false;
        this.applyEntriesNow(change.entries, at);
        for (const o of change.orders) this.stmt.upsertOrder.run({ ...orderRow(o), book_seq: version + 1 });
        for (const f of change.fills) {
          this.stmt.insertFill.run({
            trade_id: f.tradeId, ord_id: f.ordId, cl_ord_id: f.clOrdId, tag: f.tag, user_id: f.userId, env: f.env,
            inst_id: f.instId, side: f.side, px: f.px, sz: f.sz, fee: f.fee, fee_ccy: f.feeCcy, exec_type: f.execType, ts: f.ts,
            book_seq: version + 1,
          });
        }
        return true;
      }).immediate();
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_UNIQUE' && err.message.includes('cl_ord_id')) {
        throw new RuleError('51016', 'clOrdId: already used by another open order of this account', 'clOrdId');
      }
      throw err;
    }
  }

  async bookVersions(): Promise<BookVersion[]> {
    const rows = this.stmt.bookVersions.all() as Array<{ env: KeyEnv; inst_id: string; version: number }>;
    return rows.map((r) => ({ env: r.env, instId: r.inst_id, version: r.version }));
  }

  async bookChangesSince(env: KeyEnv, instId: string, version: number): Promise<BookChanges> {
    const current = (this.stmt.bookVersion.get(env, instId) as { version: number } | undefined)?.version ?? 0;
    if (current === version) return { version, orders: [], fills: [] };
    const orders = (this.stmt.bookChanges.all(env, instId, version, current) as OrderRow[]).map(toOrder);
    const fills = (this.stmt.bookFills.all(env, instId, version, current) as FillRow[]).map(toFill);
    return { version: current, orders, fills };
  }

  async reserveIds(sequence: IdSequenceName, count: number, floor: bigint): Promise<bigint> {
    const n = BigInt(count);
    const row = this.stmt.reserveIds.get(n, floor + n - 1n, sequence) as { last: bigint } | undefined;
    if (row === undefined) throw new Error(`unknown id sequence ${sequence}`);
    return row.last - n + 1n;
  }

  async claimInterval(job: string, now: number, intervalMs: number): Promise<boolean> {
    return this.stmt.claimJob.run(job, now, intervalMs).changes === 1;
  }

  async holdLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    return this.stmt.holdLease.run(name, holder, now + ttlMs, now).changes === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.stmt.releaseLease.run(name, holder);
  }

  async onKeyChanges(): Promise<void> {
    // No push in SQLite: every process polls keyChangesSince.
  }

  async resealSecrets(reseal: (kind: SealedKind, id: string, sealed: Buffer) => Buffer): Promise<{ apiKeys: number; totp: number }> {
    return this.db.transaction(() => {
      const keys = this.stmt.sealedKeys.all() as Array<{ api_key: string; secret_sealed: Buffer }>;
      for (const k of keys) this.stmt.resealKey.run(reseal('api-key', k.api_key, k.secret_sealed), k.api_key);
      const totp = this.stmt.sealedTotp.all() as Array<{ user_id: number; secret_sealed: Buffer }>;
      for (const t of totp) this.stmt.resealTotp.run(reseal('totp', String(t.user_id), t.secret_sealed), t.user_id);
      return { apiKeys: keys.length, totp: totp.length };
    }).immediate();
  }

  async openOrders(): Promise<Order[]> {
    return (this.stmt.openOrders.all() as OrderRow[]).map(toOrder);
  }

  async findOrder(userId: number, env: KeyEnv, ref: { ordId?: string; clOrdId?: string }): Promise<Order | null> {
    const row = (ref.ordId !== undefined && ref.ordId !== ''
      ? this.stmt.orderById.get(ref.ordId, userId, env)
      : this.stmt.orderByClOrdId.get(ref.clOrdId ?? '', userId, env)) as OrderRow | undefined;
    return row === undefined ? null : toOrder(row);
  }

  async listOrders(userId: number, env: KeyEnv, q: OrderQuery): Promise<Order[]> {
    const inst = q.instId ?? null;
    const stmt = q.open ? this.stmt.openOrdersOf : this.stmt.doneOrdersOf;
    return (stmt.all(userId, env, inst, inst, q.limit) as OrderRow[]).map(toOrder);
  }

  async listFills(userId: number, env: KeyEnv, q: FillQuery): Promise<Fill[]> {
    const inst = q.instId ?? null;
    const ord = q.ordId ?? null;
    return (this.stmt.fillsOf.all(userId, env, inst, inst, ord, ord, q.limit) as FillRow[]).map(toFill);
  }

  async listPublicTrades(env: KeyEnv, instId: string, limit: number): Promise<Fill[]> {
    return (this.stmt.publicTrades.all(env, instId, limit) as FillRow[]).map(toFill);
  }

  async insertWithdrawal(w: Withdrawal, entries: readonly LedgerEntry[], at: number): Promise<void> {
    this.db.transaction(() => {
      this.applyEntriesNow(entries, at);
      this.stmt.insertWithdrawal.run({
        wd_id: w.wdId, client_id: w.clientId, user_id: w.userId, env: w.env, ccy: w.ccy, chain: w.chain, amt: w.amt, fee: w.fee,
        dest: w.dest, to_addr: w.toAddr, to_user_id: w.toUserId, state: w.state, tx_id: w.txId, created_at: w.createdAt, updated_at: w.updatedAt,
      });
    }).immediate();
  }

  async transitionWithdrawal(
    wdId: string, from: WithdrawalState, to: { state: WithdrawalState; txId: string }, entries: readonly LedgerEntry[], at: number,
  ): Promise<Withdrawal | null> {
    return this.db.transaction(() => {
      if (this.stmt.moveWithdrawal.run(to.state, to.txId, at, wdId, from).changes !== 1) return null;
      this.applyEntriesNow(entries, at);
      const row = this.stmt.withdrawalById.get(wdId) as WithdrawalRow | undefined;
      return row === undefined ? null : toWithdrawal(row);
    }).immediate();
  }

  async findWithdrawal(userId: number, env: KeyEnv, wdId: string): Promise<Withdrawal | null> {
    const row = this.stmt.withdrawalById.get(wdId) as WithdrawalRow | undefined;
    return row === undefined || row.user_id !== userId || row.env !== env ? null : toWithdrawal(row);
  }

  async listWithdrawals(userId: number, env: KeyEnv, q: { ccy?: string | undefined; wdId?: string | undefined; limit: number }): Promise<Withdrawal[]> {
    const ccy = q.ccy ?? null;
    const wd = q.wdId ?? null;
    return (this.stmt.withdrawalsOf.all(userId, env, ccy, ccy, wd, wd, q.limit) as WithdrawalRow[]).map(toWithdrawal);
  }

  async pendingWithdrawals(createdBefore: number): Promise<Withdrawal[]> {
    return (this.stmt.pendingWithdrawals.all(createdBefore) as WithdrawalRow[]).map(toWithdrawal);
  }

  async listDeposits(userId: number, env: KeyEnv, q: { ccy?: string | undefined; limit: number }): Promise<DepositRecord[]> {
    const ccy = q.ccy ?? null;
    const rows = this.stmt.depositsOf.all(userId, env, ccy, ccy, q.limit) as Array<{ id: number; ccy: string; avail_delta: string; kind: string; ref: string; at: number }>;
    return rows.map((r) => ({ depId: String(r.id), ccy: r.ccy, amt: r.avail_delta, kind: r.kind, ref: r.ref, at: r.at }));
  }

  async listKeyAudit(userId: number, apiKey: string, limit: number): Promise<AuditRecord[]> {
    return (this.stmt.auditOfKey.all(apiKey, userId, limit) as AuditRow[]).map(toAudit);
  }

  async recordRejections(rejections: readonly KeyRejection[], keepAfter: number): Promise<void> {
    this.db.transaction(() => {
      for (const r of rejections) this.stmt.upsertRejection.run(r.apiKey, r.userId, r.code, r.ip, r.count, r.firstAt, r.lastAt);
      this.stmt.pruneRejections.run(keepAfter);
    }).immediate();
  }

  async listKeyRejections(userId: number, apiKey: string, limit: number): Promise<KeyRejection[]> {
    const rows = this.stmt.rejectionsOfKey.all(apiKey, userId, limit) as Array<{
      api_key: string; user_id: number; code: string; ip: string; count: number; first_at: number; last_at: number;
    }>;
    return rows.map((r) => ({ apiKey: r.api_key, userId: r.user_id, code: r.code, ip: r.ip, count: r.count, firstAt: r.first_at, lastAt: r.last_at }));
  }

  async addWithdrawalAddress(entry: Omit<WithdrawalAddress, 'id'>, check: (existingCount: number) => void): Promise<WithdrawalAddress> {
    return this.db.transaction(() => {
      check((this.stmt.countAddresses.get(entry.userId) as { n: number }).n);
      if (this.stmt.addressExists.get(entry.userId, entry.chain, entry.address) !== undefined) {
        throw new RuleError('51000', `address: ${entry.address} on ${entry.chain} is already in the address book`, 'address');
      }
      const id = Number(this.stmt.insertAddress.run(entry.userId, entry.ccy, entry.chain, entry.address, entry.label, entry.createdAt).lastInsertRowid);
      return { id, ...entry };
    }).immediate();
  }

  async listWithdrawalAddresses(userId: number): Promise<WithdrawalAddress[]> {
    const rows = this.stmt.addressesOfUser.all(userId) as Array<{
      id: number; user_id: number; ccy: string; chain: string; address: string; label: string; created_at: number;
    }>;
    return rows.map((r) => ({ id: r.id, userId: r.user_id, ccy: r.ccy, chain: r.chain, address: r.address, label: r.label, createdAt: r.created_at }));
  }

  async deleteWithdrawalAddress(userId: number, id: number): Promise<boolean> {
    return this.stmt.deleteAddress.run(userId, id).changes === 1;
  }

  async createSession(session: SessionRecord): Promise<void> {
    this.stmt.insertSession.run(session.idHash, session.userId, session.csrfToken, session.verified ? 1 : 0, session.createdAt, session.expiresAt);
  }

  async findSession(idHash: string, now: number): Promise<SessionRecord | null> {
    const row = this.stmt.sessionById.get(idHash, now) as SessionRow | undefined;
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
    const row = this.stmt.totpOfUser.get(userId) as TotpRow | undefined;
    return row === undefined ? null : toTotp(row);
  }

  async saveTotp(totp: TotpRecord): Promise<void> {
    this.stmt.upsertTotp.run(totp.userId, totp.secretSealed, totp.enabled ? 1 : 0, totp.recoveryHashes.join(','), totp.lastStep);
  }

  async acceptTotpStep(userId: number, step: number): Promise<boolean> {
    return this.stmt.acceptTotpStep.run(step, userId, step).changes === 1;
  }

  async useRecoveryCode(userId: number, hash: string): Promise<boolean> {
    return this.db.transaction(() => {
      const row = this.stmt.totpOfUser.get(userId) as TotpRow | undefined;
      if (row === undefined) return false;
      const hashes = row.recovery_hashes === '' ? [] : row.recovery_hashes.split(',');
      const at = hashes.indexOf(hash);
      if (at < 0) return false;
      hashes.splice(at, 1);
      this.stmt.setRecoveryHashes.run(hashes.join(','), userId);
      return true;
    }).immediate();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
