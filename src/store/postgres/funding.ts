import { duplicateAddress } from '../../core/conflicts.js';
import type { Withdrawal, WithdrawalState } from '../../core/funding.js';
import type { KeyEnv } from '../../core/key-rules.js';
import type { LedgerEntry } from '../../core/ledger.js';
import type { IdRow } from '../codecs/flags.js';
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
import { type Connection, changed, lockUser, one, rows, tx } from './connection.js';
import type { PostgresLedger } from './ledger.js';

/** Withdrawals, deposits and the withdrawal address book on PostgreSQL. */
export class PostgresFunding implements FundingStore {
  constructor(
    private readonly conn: Connection,
    private readonly ledger: PostgresLedger,
  ) {}

  async insertWithdrawal(w: Withdrawal, entries: readonly LedgerEntry[], at: number): Promise<void> {
    await tx(this.conn.pool, async (c) => {
      await this.ledger.applyNow(c, entries, at);
      const r = withdrawalRow(w);
      await c.query(
        `INSERT INTO withdrawals (wd_id, client_id, user_id, env, ccy, chain, amt, fee, dest, to_addr,
        to_user_id, state, tx_id, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          r.wd_id,
          r.client_id,
          r.user_id,
          r.env,
          r.ccy,
          r.chain,
          r.amt,
          r.fee,
          r.dest,
          r.to_addr,
          r.to_user_id,
          r.state,
          r.tx_id,
          r.created_at,
          r.updated_at,
        ],
      );
    });
  }

  async transitionWithdrawal(
    wdId: string,
    from: WithdrawalState,
    to: { state: WithdrawalState; txId: string },
    entries: readonly LedgerEntry[],
    at: number,
  ): Promise<Withdrawal | null> {
    return tx(this.conn.pool, async (c) => {
      const row = await one<WithdrawalRow>(
        c,
        `UPDATE withdrawals SET state = $1, tx_id = $2, updated_at = $3
        WHERE wd_id = $4 AND state = $5 RETURNING *`,
        [to.state, to.txId, at, wdId, from],
      );
      if (row === undefined) return null;
      await this.ledger.applyNow(c, entries, at);
      return toWithdrawal(row);
    });
  }

  async findWithdrawal(userId: number, env: KeyEnv, wdId: string): Promise<Withdrawal | null> {
    const row = await one<WithdrawalRow>(
      this.conn.pool,
      `SELECT * FROM withdrawals WHERE wd_id = $1 AND user_id = $2
      AND env = $3`,
      [wdId, userId, env],
    );
    return row === undefined ? null : toWithdrawal(row);
  }

  async listWithdrawals(userId: number, env: KeyEnv, q: WithdrawalQuery): Promise<Withdrawal[]> {
    return (
      await rows<WithdrawalRow>(
        this.conn.pool,
        `SELECT * FROM withdrawals WHERE user_id = $1 AND env = $2
      AND ($3::text IS NULL OR ccy = $3) AND ($4::text IS NULL OR wd_id = $4)
      ORDER BY created_at DESC, wd_id DESC LIMIT $5`,
        [userId, env, q.ccy ?? null, q.wdId ?? null, q.limit],
      )
    ).map(toWithdrawal);
  }

  async pendingWithdrawals(createdBefore: number): Promise<Withdrawal[]> {
    return (
      await rows<WithdrawalRow>(
        this.conn.pool,
        `SELECT * FROM withdrawals WHERE state = '0' AND created_at <= $1
      ORDER BY created_at, wd_id`,
        [createdBefore],
      )
    ).map(toWithdrawal);
  }

  async listDeposits(userId: number, env: KeyEnv, q: DepositQuery): Promise<DepositRecord[]> {
    return (
      await rows<DepositRow>(
        this.conn.pool,
        `SELECT id, ccy, avail_delta, kind, ref, at, d.chain, d.to_addr, d.tx_id FROM ledger_entries
        LEFT JOIN deposit_details d ON d.entry_id = id
      WHERE user_id = $1 AND env = $2 AND kind IN ('deposit', 'internal_in') AND ($3::text IS NULL OR ccy = $3)
      ORDER BY id DESC LIMIT $4`,
        [userId, env, q.ccy ?? null, q.limit],
      )
    ).map(toDeposit);
  }

  async addWithdrawalAddress(
    entry: Omit<WithdrawalAddress, 'id'>,
    check: (existingCount: number) => void,
  ): Promise<WithdrawalAddress> {
    return tx(this.conn.pool, async (c) => {
      await lockUser(c, entry.userId);
      const count = await one<{ n: number }>(
        c,
        'SELECT COUNT(*)::int AS n FROM withdrawal_addresses WHERE user_id = $1',
        [entry.userId],
      );
      check(count?.n ?? 0);
      const dup = await one(
        c,
        'SELECT 1 FROM withdrawal_addresses WHERE user_id = $1 AND chain = $2 AND address = $3',
        [entry.userId, entry.chain, entry.address],
      );
      if (dup !== undefined) throw duplicateAddress(entry.address, entry.chain);
      const { userId, ccy, chain, address, label, createdAt } = entry;
      const row = await one<IdRow>(
        c,
        `INSERT INTO withdrawal_addresses
        (user_id, ccy, chain, address, label, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [userId, ccy, chain, address, label, createdAt],
      );
      if (row === undefined) throw new Error('INSERT ... RETURNING gave no row');
      return { id: row.id, ...entry };
    });
  }

  async listWithdrawalAddresses(userId: number): Promise<WithdrawalAddress[]> {
    return (
      await rows<AddressRow>(
        this.conn.pool,
        `SELECT * FROM withdrawal_addresses WHERE user_id = $1
      ORDER BY ccy, chain, id`,
        [userId],
      )
    ).map(toAddress);
  }

  async deleteWithdrawalAddress(userId: number, id: number): Promise<boolean> {
    const deleted = await changed(this.conn.pool, 'DELETE FROM withdrawal_addresses WHERE user_id = $1 AND id = $2', [
      userId,
      id,
    ]);
    return deleted === 1;
  }
}
