import { duplicateAddress } from '../../core/conflicts.js';
import type { Withdrawal, WithdrawalState } from '../../core/funding.js';
import type { KeyEnv } from '../../core/key-rules.js';
import type { LedgerEntry } from '../../core/ledger.js';
import {
  type AddressRow,
  type DepositRow,
  toAddress,
  toDeposit,
  toWithdrawal,
  type WithdrawalRow,
  withdrawalRow,
} from '../codecs/funding.js';
import type { DepositQuery, DepositRecord, FundingStore, WithdrawalAddress, WithdrawalQuery } from '../funding.js';
import { type Db, inTransaction, prepare } from './connection.js';
import type { SqliteLedger } from './ledger.js';

/** Withdrawals, deposits and the withdrawal address book on SQLite. */
export class SqliteFunding implements FundingStore {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly ledger: SqliteLedger,
  ) {
    this.stmt = {
      insertWithdrawal: db.prepare<WithdrawalRow>(`INSERT INTO withdrawals (wd_id, client_id, user_id, env, ccy, chain,
        amt, fee, dest, to_addr, to_user_id, state, tx_id, created_at, updated_at) VALUES (@wd_id, @client_id, @user_id,
        @env, @ccy, @chain, @amt, @fee, @dest, @to_addr, @to_user_id, @state, @tx_id, @created_at, @updated_at)`),
      withdrawalById: prepare<WithdrawalRow>(db, 'SELECT * FROM withdrawals WHERE wd_id = ?'),
      moveWithdrawal: prepare(
        db,
        `UPDATE withdrawals SET state = ?, tx_id = ?, updated_at = ?
        WHERE wd_id = ? AND state = ?`,
      ),
      withdrawalsOf: prepare<WithdrawalRow>(
        db,
        `SELECT * FROM withdrawals WHERE user_id = ? AND env = ?
        AND (? IS NULL OR ccy = ?) AND (? IS NULL OR wd_id = ?) ORDER BY created_at DESC, wd_id DESC LIMIT ?`,
      ),
      pendingWithdrawals: prepare<WithdrawalRow>(
        db,
        `SELECT * FROM withdrawals WHERE state = '0' AND created_at <= ?
        ORDER BY created_at, wd_id`,
      ),
      depositsOf: prepare<DepositRow>(
        db,
        `SELECT id, ccy, avail_delta, kind, ref, at, d.chain, d.to_addr, d.tx_id FROM ledger_entries
        LEFT JOIN deposit_details d ON d.entry_id = id
        WHERE user_id = ? AND env = ? AND kind IN ('deposit', 'internal_in') AND (? IS NULL OR ccy = ?)
        ORDER BY id DESC LIMIT ?`,
      ),
      insertAddress: prepare(
        db,
        `INSERT INTO withdrawal_addresses (user_id, ccy, chain, address, label, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      countAddresses: prepare<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM withdrawal_addresses WHERE user_id = ?'),
      addressExists: prepare(db, 'SELECT 1 FROM withdrawal_addresses WHERE user_id = ? AND chain = ? AND address = ?'),
      addressesOfUser: prepare<AddressRow>(
        db,
        `SELECT * FROM withdrawal_addresses WHERE user_id = ?
        ORDER BY ccy, chain, id`,
      ),
      deleteAddress: prepare(db, 'DELETE FROM withdrawal_addresses WHERE user_id = ? AND id = ?'),
    };
  }

  async insertWithdrawal(w: Withdrawal, entries: readonly LedgerEntry[], at: number): Promise<void> {
    inTransaction(this.db, () => {
      this.ledger.applyNow(entries, at);
      this.stmt.insertWithdrawal.run(withdrawalRow(w));
    });
  }

  async transitionWithdrawal(
    wdId: string,
    from: WithdrawalState,
    to: { state: WithdrawalState; txId: string },
    entries: readonly LedgerEntry[],
    at: number,
  ): Promise<Withdrawal | null> {
    return inTransaction(this.db, () => {
      if (this.stmt.moveWithdrawal.run(to.state, to.txId, at, wdId, from).changes !== 1) return null;
      this.ledger.applyNow(entries, at);
      const row = this.stmt.withdrawalById.get(wdId);
      return row === undefined ? null : toWithdrawal(row);
    });
  }

  async findWithdrawal(userId: number, env: KeyEnv, wdId: string): Promise<Withdrawal | null> {
    const row = this.stmt.withdrawalById.get(wdId);
    return row === undefined || row.user_id !== userId || row.env !== env ? null : toWithdrawal(row);
  }

  async listWithdrawals(userId: number, env: KeyEnv, q: WithdrawalQuery): Promise<Withdrawal[]> {
    const ccy = q.ccy ?? null;
    const wd = q.wdId ?? null;
    return this.stmt.withdrawalsOf.all(userId, env, ccy, ccy, wd, wd, q.limit).map(toWithdrawal);
  }

  async pendingWithdrawals(createdBefore: number): Promise<Withdrawal[]> {
    return this.stmt.pendingWithdrawals.all(createdBefore).map(toWithdrawal);
  }

  async listDeposits(userId: number, env: KeyEnv, q: DepositQuery): Promise<DepositRecord[]> {
    const ccy = q.ccy ?? null;
    return this.stmt.depositsOf.all(userId, env, ccy, ccy, q.limit).map(toDeposit);
  }

  async addWithdrawalAddress(
    entry: Omit<WithdrawalAddress, 'id'>,
    check: (existingCount: number) => void,
  ): Promise<WithdrawalAddress> {
    return inTransaction(this.db, () => {
      check(this.stmt.countAddresses.get(entry.userId)?.n ?? 0);
      if (this.stmt.addressExists.get(entry.userId, entry.chain, entry.address) !== undefined) {
        throw duplicateAddress(entry.address, entry.chain);
      }
      const { userId, ccy, chain, address, label, createdAt } = entry;
      const info = this.stmt.insertAddress.run(userId, ccy, chain, address, label, createdAt);
      return { id: Number(info.lastInsertRowid), ...entry };
    });
  }

  async listWithdrawalAddresses(userId: number): Promise<WithdrawalAddress[]> {
    return this.stmt.addressesOfUser.all(userId).map(toAddress);
  }

  async deleteWithdrawalAddress(userId: number, id: number): Promise<boolean> {
    return this.stmt.deleteAddress.run(userId, id).changes === 1;
  }
}
