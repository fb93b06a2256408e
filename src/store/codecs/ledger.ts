import type { KeyEnv } from '../../core/key-rules.js';
import type { BalanceRow, LedgerAccount } from '../ledger.js';

/** Rows and codecs of balances and the ledger change feed. */

export type BalanceTableRow = { ccy: string; avail: string; frozen: string; updated_at: number };

export function toBalance(r: BalanceTableRow): BalanceRow {
  return { ccy: r.ccy, avail: r.avail, frozen: r.frozen, updatedAt: r.updated_at };
}

/** A row of the ledger change feed. */
export type LedgerFeedRow = { id: number; user_id: number; env: KeyEnv };

/** The accounts a page of the ledger feed touched, once each in first-seen order, and the new cursor. */
export function toLedgerChanges(
  rows: readonly LedgerFeedRow[],
  cursor: number,
): { cursor: number; accounts: LedgerAccount[] } {
  const last = rows[rows.length - 1];
  const seen = new Map<string, LedgerAccount>();
  for (const r of rows) seen.set(`${r.user_id}:${r.env}`, { userId: r.user_id, env: r.env });
  return { cursor: last === undefined ? cursor : last.id, accounts: [...seen.values()] };
}
