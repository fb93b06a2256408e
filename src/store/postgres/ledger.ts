import type pg from 'pg';
import type { KeyEnv } from '../../core/key-rules.js';
import { type AccountType, applyEntry, type BalanceAmounts, type LedgerEntry } from '../../core/ledger.js';
import type { IdRow } from '../codecs/flags.js';
import { type BalanceTableRow, type LedgerFeedRow, toBalance, toLedgerChanges } from '../codecs/ledger.js';
import type { BalanceRow, LedgerAccount, LedgerStore } from '../ledger.js';
import { type Connection, feedLock, one, rows, tx } from './connection.js';

type BalanceKey = { userId: number; env: string; account: string; ccy: string };
type LockedBalanceRow = { user_id: number; env: string; account: string; ccy: string; avail: string; frozen: string };

const balanceId = (b: BalanceKey) => `${b.userId}\u0000${b.env}\u0000${b.account}\u0000${b.ccy}`;

const LOCK_BALANCES = `SELECT user_id, env, account, ccy, avail, frozen FROM balances
  WHERE (user_id, env, account, ccy) IN (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]))
  ORDER BY user_id, env, account, ccy FOR UPDATE`;

/** Balances and the ledger on PostgreSQL; `applyNow` is shared with the exchange and funding aggregates. */
export class PostgresLedger implements LedgerStore {
  constructor(private readonly conn: Connection) {}

  async getBalances(userId: number, env: KeyEnv, account: AccountType): Promise<BalanceRow[]> {
    return (
      await rows<BalanceTableRow>(
        this.conn.pool,
        `SELECT ccy, avail, frozen, updated_at FROM balances
      WHERE user_id = $1 AND env = $2 AND account = $3 ORDER BY ccy`,
        [userId, env, account],
      )
    ).map(toBalance);
  }

  async latestLedgerId(): Promise<number> {
    return (await one<IdRow>(this.conn.pool, 'SELECT COALESCE(MAX(id), 0) AS id FROM ledger_entries'))?.id ?? 0;
  }

  async ledgerChangesSince(cursor: number): Promise<{ cursor: number; accounts: LedgerAccount[] }> {
    const feed = await rows<LedgerFeedRow>(
      this.conn.pool,
      `SELECT id, user_id, env FROM ledger_entries WHERE id > $1
      ORDER BY id LIMIT 1000`,
      [cursor],
    );
    return toLedgerChanges(feed, cursor);
  }

  async applyEntries(entries: readonly LedgerEntry[], at: number): Promise<void> {
    await tx(this.conn.pool, (c) => this.applyNow(c, entries, at));
  }

  /**
   * Inside a transaction: locks the balances the entries touch (in one order, so two
   * transactions never wait on each other in a cycle), applies the entries in order with exact
   * decimal arithmetic, throwing RuleError 51008 before any balance goes negative, and appends
   * the entries to the ledger.
   */
  async applyNow(c: pg.PoolClient, entries: readonly LedgerEntry[], at: number): Promise<void> {
    if (entries.length === 0) return;
    const touched = new Map<string, LedgerEntry>();
    for (const e of entries) touched.set(balanceId(e), e);
    const keys = [...touched.values()].sort(
      (a, b) =>
        a.userId - b.userId ||
        a.env.localeCompare(b.env) ||
        a.account.localeCompare(b.account) ||
        a.ccy.localeCompare(b.ccy),
    );
    const cols = [
      keys.map((k) => k.userId),
      keys.map((k) => k.env),
      keys.map((k) => k.account),
      keys.map((k) => k.ccy),
    ];
    let locked = await rows<LockedBalanceRow>(c, LOCK_BALANCES, cols);
    if (locked.length < keys.length) {
      // A first entry in some currency: create its row (a concurrent creator makes this wait for
      // its commit), then lock all.
      await c.query(
        `INSERT INTO balances (user_id, env, account, ccy, avail, frozen, updated_at)
        SELECT u, e, a, c, '0', '0', $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS t(u, e, a, c)
        ON CONFLICT DO NOTHING`,
        [...cols, at],
      );
      locked = await rows<LockedBalanceRow>(c, LOCK_BALANCES, cols);
    }
    const current = new Map<string, BalanceAmounts>();
    for (const r of locked) {
      const key = { userId: r.user_id, env: r.env, account: r.account, ccy: r.ccy };
      current.set(balanceId(key), { avail: r.avail, frozen: r.frozen });
    }
    for (const e of entries) current.set(balanceId(e), applyEntry(current.get(balanceId(e)), e));
    const finals = keys.map((k) => current.get(balanceId(k)) ?? { avail: '0', frozen: '0' });
    await feedLock(c, this.conn.schema, 'ledger');
    await c.query(
      `WITH changed AS (
        UPDATE balances b SET avail = t.avail, frozen = t.frozen, updated_at = $7
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
          AS t(u, e, a, c, avail, frozen)
        WHERE b.user_id = t.u AND b.env = t.e AND b.account = t.a AND b.ccy = t.c)
      INSERT INTO ledger_entries (at, user_id, env, account, ccy, avail_delta, frozen_delta, kind, ref)
      SELECT $7, * FROM unnest($8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
        $14::text[], $15::text[])`,
      [
        ...cols,
        finals.map((f) => f.avail),
        finals.map((f) => f.frozen),
        at,
        entries.map((e) => e.userId),
        entries.map((e) => e.env),
        entries.map((e) => e.account),
        entries.map((e) => e.ccy),
        entries.map((e) => e.availDelta),
        entries.map((e) => e.frozenDelta),
        entries.map((e) => e.kind),
        entries.map((e) => e.ref),
      ],
    );
  }
}
