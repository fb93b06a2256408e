import type { KeyEnv } from '../../core/key-rules.js';
import { type AccountType, applyEntry, type BalanceAmounts, type LedgerEntry } from '../../core/ledger.js';
import type { IdRow } from '../codecs/flags.js';
import { type BalanceTableRow, type LedgerFeedRow, toBalance, toLedgerChanges } from '../codecs/ledger.js';
import type { BalanceRow, LedgerAccount, LedgerStore } from '../ledger.js';
import { type Db, inTransaction, prepare } from './connection.js';

/** Balances and the ledger on SQLite; `applyNow` is shared with the exchange and funding aggregates. */
export class SqliteLedger implements LedgerStore {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      balances: prepare<BalanceTableRow>(
        db,
        `SELECT ccy, avail, frozen, updated_at FROM balances
        WHERE user_id = ? AND env = ? AND account = ? ORDER BY ccy`,
      ),
      balance: prepare<BalanceAmounts>(
        db,
        `SELECT avail, frozen FROM balances
        WHERE user_id = ? AND env = ? AND account = ? AND ccy = ?`,
      ),
      upsertBalance: prepare(
        db,
        `INSERT INTO balances (user_id, env, account, ccy, avail, frozen, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, env, account, ccy)
        DO UPDATE SET avail = excluded.avail, frozen = excluded.frozen, updated_at = excluded.updated_at`,
      ),
      latestEntry: prepare<IdRow>(db, 'SELECT COALESCE(MAX(id), 0) AS id FROM ledger_entries'),
      entriesSince: prepare<LedgerFeedRow>(
        db,
        `SELECT id, user_id, env FROM ledger_entries WHERE id > ?
        ORDER BY id LIMIT 1000`,
      ),
      insertEntry: prepare(
        db,
        `INSERT INTO ledger_entries (at, user_id, env, account, ccy, avail_delta, frozen_delta,
        kind, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  async getBalances(userId: number, env: KeyEnv, account: AccountType): Promise<BalanceRow[]> {
    return this.stmt.balances.all(userId, env, account).map(toBalance);
  }

  async latestLedgerId(): Promise<number> {
    return this.stmt.latestEntry.get()?.id ?? 0;
  }

  async ledgerChangesSince(cursor: number): Promise<{ cursor: number; accounts: LedgerAccount[] }> {
    return toLedgerChanges(this.stmt.entriesSince.all(cursor), cursor);
  }

  async applyEntries(entries: readonly LedgerEntry[], at: number): Promise<void> {
    inTransaction(this.db, () => this.applyNow(entries, at));
  }

  /** Inside a transaction: applies entries, throwing RuleError 51008 before any balance goes negative. */
  applyNow(entries: readonly LedgerEntry[], at: number): void {
    for (const e of entries) {
      const { avail, frozen } = applyEntry(this.stmt.balance.get(e.userId, e.env, e.account, e.ccy), e);
      this.stmt.upsertBalance.run(e.userId, e.env, e.account, e.ccy, avail, frozen, at);
      this.stmt.insertEntry.run(at, e.userId, e.env, e.account, e.ccy, e.availDelta, e.frozenDelta, e.kind, e.ref);
    }
  }
}
