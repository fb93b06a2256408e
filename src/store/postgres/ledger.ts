import type pg from 'pg';
import type { BillQuery, BillRecord } from '../../core/bills.js';
import type { KeyEnv } from '../../core/key-rules.js';
import { type AccountType, applyEntry, type BalanceAmounts, billAmounts, type LedgerEntry } from '../../core/ledger.js';
import { type BillTableRow, billsSql, toBills } from '../codecs/bills.js';
import type { IdRow } from '../codecs/flags.js';
import {
  type BalanceTableRow,
  billAmountsOf,
  type DepositAddressRow,
  type LedgerFeedRow,
  type TransferEntryRow,
  toBalance,
  toDepositAddress,
  toLedgerChanges,
  toTransfer,
  type UnbilledRow,
} from '../codecs/ledger.js';
import type {
  BalanceRow,
  DepositAddress,
  DepositDetails,
  LedgerAccount,
  LedgerStore,
  TransferRecord,
} from '../ledger.js';
import { type Connection, feedLock, one, rows, tx } from './connection.js';

type BalanceKey = { userId: number; env: string; account: string; ccy: string };
type LockedBalanceRow = { user_id: number; env: string; account: string; ccy: string; avail: string; frozen: string };

const balanceId = (b: BalanceKey) => `${b.userId}\u0000${b.env}\u0000${b.account}\u0000${b.ccy}`;

const TRANSFER_COLUMNS = 'SELECT account, ccy, avail_delta, ref, client_id, at FROM ledger_entries';

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
    const bills = entries.map((e) => {
      const after = applyEntry(current.get(balanceId(e)), e);
      current.set(balanceId(e), after);
      return billAmounts(e, after);
    });
    const finals = keys.map((k) => current.get(balanceId(k)) ?? { avail: '0', frozen: '0' });
    await feedLock(c, this.conn.schema, 'ledger');
    await c.query(
      `WITH changed AS (
        UPDATE balances b SET avail = t.avail, frozen = t.frozen, updated_at = $7
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
          AS t(u, e, a, c, avail, frozen)
        WHERE b.user_id = t.u AND b.env = t.e AND b.account = t.a AND b.ccy = t.c)
      INSERT INTO ledger_entries (at, user_id, env, account, ccy, avail_delta, frozen_delta, kind, ref,
        bal_chg, bal, client_id)
      SELECT $7, u, e, a, c, ad, fd, k, r, bc, b, ci FROM unnest($8::bigint[], $9::text[], $10::text[], $11::text[],
        $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[])
        WITH ORDINALITY AS x(u, e, a, c, ad, fd, k, r, bc, b, ci, n) ORDER BY n`,
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
        bills.map((b) => b.balChg),
        bills.map((b) => b.bal),
        entries.map((e) => e.clientId ?? ''),
      ],
    );
  }

  async listBills(query: BillQuery): Promise<BillRecord[]> {
    const { text, values } = billsSql(query, (i) => `$${i}`);
    return toBills(await rows<BillTableRow>(this.conn.pool, text, values));
  }

  async findTransfer(
    userId: number,
    env: KeyEnv,
    by: { transId?: string; clientId?: string },
  ): Promise<TransferRecord | null> {
    if (by.transId !== undefined)
      return toTransfer(
        await rows<TransferEntryRow>(
          this.conn.pool,
          `${TRANSFER_COLUMNS} WHERE user_id = $1 AND env = $2 AND kind = 'transfer' AND ref = $3`,
          [userId, env, by.transId],
        ),
      );
    if (by.clientId === undefined) return null;
    return toTransfer(
      await rows<TransferEntryRow>(
        this.conn.pool,
        `${TRANSFER_COLUMNS} WHERE user_id = $1 AND env = $2 AND kind = 'transfer' AND ref = (SELECT ref
        FROM ledger_entries WHERE user_id = $1 AND env = $2 AND kind = 'transfer' AND client_id = $3
        ORDER BY id DESC LIMIT 1)`,
        [userId, env, by.clientId],
      ),
    );
  }

  async ensureDepositAddress(a: DepositAddress): Promise<DepositAddress> {
    await this.conn.pool.query(
      `INSERT INTO deposit_addresses (user_id, env, ccy, chain, addr, created_at) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (user_id, env, chain) DO NOTHING`,
      [a.userId, a.env, a.ccy, a.chain, a.addr, a.createdAt],
    );
    const row = await one<DepositAddressRow>(
      this.conn.pool,
      'SELECT * FROM deposit_addresses WHERE user_id = $1 AND env = $2 AND chain = $3',
      [a.userId, a.env, a.chain],
    );
    return row === undefined ? a : toDepositAddress(row);
  }

  async findDepositAddress(addr: string): Promise<DepositAddress | null> {
    const row = await one<DepositAddressRow>(this.conn.pool, 'SELECT * FROM deposit_addresses WHERE addr = $1', [addr]);
    return row === undefined ? null : toDepositAddress(row);
  }

  async creditDeposit(entry: LedgerEntry, details: DepositDetails, at: number): Promise<string> {
    return tx(this.conn.pool, async (c) => {
      await this.applyNow(c, [entry], at);
      const id = await one<IdRow>(
        c,
        `INSERT INTO deposit_details (entry_id, chain, to_addr, tx_id)
        VALUES (currval(pg_get_serial_sequence('ledger_entries', 'id')), $1, $2, $3) RETURNING entry_id AS id`,
        [details.chain, details.toAddr, details.txId],
      );
      return String(id?.id ?? 0);
    });
  }

  async fillBillAmounts(): Promise<number> {
    return tx(this.conn.pool, async (c) => {
      const filled = billAmountsOf(
        await rows<UnbilledRow>(
          c,
          `SELECT id, user_id, env, account, ccy, avail_delta, frozen_delta FROM ledger_entries
          WHERE bal IS NULL ORDER BY id FOR UPDATE`,
        ),
      );
      if (filled.length > 0)
        await c.query(
          `UPDATE ledger_entries l SET bal_chg = t.bc, bal = t.b
          FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(id, bc, b) WHERE l.id = t.id`,
          [filled.map((f) => f.id), filled.map((f) => f.balChg), filled.map((f) => f.bal)],
        );
      return filled.length;
    });
  }
}
