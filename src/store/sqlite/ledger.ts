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
import { type Db, inTransaction, prepare } from './connection.js';

/** One balance as a group commit holds it: whose and which currency, its amounts, and when it last changed. */
export interface HeldBalance {
  key: Pick<LedgerEntry, 'userId' | 'env' | 'account' | 'ccy'>;
  amounts: BalanceAmounts;
  at: number;
}
export type HeldBalances = Map<string, HeldBalance>;
/** Entries checked against held balances (`heldAfter`), not yet inserted. */
export interface HeldEntries {
  entries: readonly LedgerEntry[];
  /** The balance after each entry, in order. */
  afters: readonly BalanceAmounts[];
  /** The balances they change, after all of them. */
  balances: HeldBalances;
  at: number;
}

const TRANSFER_COLUMNS = 'SELECT account, ccy, avail_delta, ref, client_id, at FROM ledger_entries';

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
        kind, ref, bal_chg, bal, client_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      transferById: prepare<TransferEntryRow>(
        db,
        `${TRANSFER_COLUMNS} WHERE user_id = ? AND env = ? AND kind = 'transfer' AND ref = ?`,
      ),
      transferByClient: prepare<TransferEntryRow>(
        db,
        `${TRANSFER_COLUMNS} WHERE user_id = ? AND env = ? AND kind = 'transfer' AND ref = (SELECT ref
        FROM ledger_entries WHERE user_id = ? AND env = ? AND kind = 'transfer' AND client_id = ? ORDER BY id DESC LIMIT 1)`,
      ),
      insertAddress: prepare(
        db,
        `INSERT INTO deposit_addresses (user_id, env, ccy, chain, addr, created_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (user_id, env, chain) DO NOTHING`,
      ),
      addressOf: prepare<DepositAddressRow>(
        db,
        'SELECT * FROM deposit_addresses WHERE user_id = ? AND env = ? AND chain = ?',
      ),
      addressByAddr: prepare<DepositAddressRow>(db, 'SELECT * FROM deposit_addresses WHERE addr = ?'),
      insertDetails: prepare(
        db,
        'INSERT INTO deposit_details (entry_id, chain, to_addr, tx_id) VALUES (last_insert_rowid(), ?, ?, ?)',
      ),
      unbilled: prepare<UnbilledRow>(
        db,
        `SELECT id, user_id, env, account, ccy, avail_delta, frozen_delta FROM ledger_entries
        WHERE bal IS NULL ORDER BY id`,
      ),
      setBill: prepare(db, 'UPDATE ledger_entries SET bal_chg = ?, bal = ? WHERE id = ?'),
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
      const after = applyEntry(this.stmt.balance.get(e.userId, e.env, e.account, e.ccy), e);
      this.stmt.upsertBalance.run(e.userId, e.env, e.account, e.ccy, after.avail, after.frozen, at);
      this.insertEntry(e, after, at);
    }
  }

  /**
   * Inside a transaction, for many changes in a row (a group commit): the balances after
   * `entries`, starting from `held` (else read from the table), or RuleError 51008 before anything
   * is written. Nothing is written: `insertHeld` inserts the entries, and the caller puts the
   * balances in `held` once the rest of its change is stored; `writeHeld` writes them all at the end.
   */
  heldAfter(entries: readonly LedgerEntry[], at: number, held: HeldBalances): HeldEntries {
    const balances: HeldBalances = new Map();
    const afters: BalanceAmounts[] = [];
    for (const e of entries) {
      const id = `${e.userId}:${e.env}:${e.account}:${e.ccy}`;
      const before =
        (balances.get(id) ?? held.get(id))?.amounts ?? this.stmt.balance.get(e.userId, e.env, e.account, e.ccy);
      const after = applyEntry(before, e);
      balances.set(id, { key: e, amounts: after, at });
      afters.push(after);
    }
    return { entries, afters, balances, at };
  }

  /** Inside the same transaction: inserts the entries `heldAfter` checked, with their balances after. */
  insertHeld(held: HeldEntries): void {
    held.entries.forEach((e, i) => {
      const after = held.afters[i];
      if (after !== undefined) this.insertEntry(e, after, held.at);
    });
  }

  /** Inside the same transaction: writes the balances held for a whole group commit. */
  writeHeld(held: HeldBalances): void {
    for (const { key: k, amounts, at } of held.values()) {
      this.stmt.upsertBalance.run(k.userId, k.env, k.account, k.ccy, amounts.avail, amounts.frozen, at);
    }
  }

  private insertEntry(e: LedgerEntry, after: BalanceAmounts, at: number): void {
    const { balChg, bal } = billAmounts(e, after);
    this.stmt.insertEntry.run(
      at,
      e.userId,
      e.env,
      e.account,
      e.ccy,
      e.availDelta,
      e.frozenDelta,
      e.kind,
      e.ref,
      balChg,
      bal,
      e.clientId ?? '',
    );
  }

  async listBills(query: BillQuery): Promise<BillRecord[]> {
    const { text, values } = billsSql(query, () => '?');
    return toBills(prepare<BillTableRow>(this.db, text).all(...values));
  }

  async findTransfer(
    userId: number,
    env: KeyEnv,
    by: { transId?: string; clientId?: string },
  ): Promise<TransferRecord | null> {
    if (by.transId !== undefined) return toTransfer(this.stmt.transferById.all(userId, env, by.transId));
    if (by.clientId === undefined) return null;
    return toTransfer(this.stmt.transferByClient.all(userId, env, userId, env, by.clientId));
  }

  async ensureDepositAddress(a: DepositAddress): Promise<DepositAddress> {
    return inTransaction(this.db, () => {
      this.stmt.insertAddress.run(a.userId, a.env, a.ccy, a.chain, a.addr, a.createdAt);
      const row = this.stmt.addressOf.get(a.userId, a.env, a.chain);
      return row === undefined ? a : toDepositAddress(row);
    });
  }

  async findDepositAddress(addr: string): Promise<DepositAddress | null> {
    const row = this.stmt.addressByAddr.get(addr);
    return row === undefined ? null : toDepositAddress(row);
  }

  async creditDeposit(entry: LedgerEntry, details: DepositDetails, at: number): Promise<string> {
    return inTransaction(this.db, () => {
      this.applyNow([entry], at);
      this.stmt.insertDetails.run(details.chain, details.toAddr, details.txId);
      return String(this.stmt.latestEntry.get()?.id ?? 0);
    });
  }

  async fillBillAmounts(): Promise<number> {
    return inTransaction(this.db, () => {
      const filled = billAmountsOf(this.stmt.unbilled.all());
      for (const f of filled) this.stmt.setBill.run(f.balChg, f.bal, f.id);
      return filled.length;
    });
  }
}
