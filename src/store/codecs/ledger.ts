import type { KeyEnv } from '../../core/key-rules.js';
import { type AccountType, addAmounts } from '../../core/ledger.js';
import type { BalanceRow, DepositAddress, LedgerAccount, TransferRecord } from '../ledger.js';

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

/** A ledger entry of a transfer, as the transfer lookup reads it. */
export type TransferEntryRow = {
  account: string;
  ccy: string;
  avail_delta: string;
  ref: string;
  client_id: string;
  at: number;
};

/** A transfer from its two entries (the debit and the credit); null unless both are there. */
export function toTransfer(rows: readonly TransferEntryRow[]): TransferRecord | null {
  const out = rows.find((r) => r.avail_delta.startsWith('-'));
  const into = rows.find((r) => !r.avail_delta.startsWith('-'));
  if (out === undefined || into === undefined) return null;
  return {
    transId: into.ref,
    clientId: into.client_id,
    ccy: into.ccy,
    amt: into.avail_delta,
    from: out.account as AccountType,
    to: into.account as AccountType,
    ts: into.at,
  };
}

export type DepositAddressRow = {
  user_id: number;
  env: KeyEnv;
  ccy: string;
  chain: string;
  addr: string;
  created_at: number;
};

export function toDepositAddress(r: DepositAddressRow): DepositAddress {
  return { userId: r.user_id, env: r.env, ccy: r.ccy, chain: r.chain, addr: r.addr, createdAt: r.created_at };
}

/** An entry without bill amounts (written before bills existed). */
export type UnbilledRow = {
  id: number;
  user_id: number;
  env: string;
  account: string;
  ccy: string;
  avail_delta: string;
  frozen_delta: string;
};

/**
 * Bill amounts of entries written before bills existed, in id order: each balance counted from
 * zero, as those entries are the oldest of their balance.
 */
export function billAmountsOf(rows: readonly UnbilledRow[]): Array<{ id: number; balChg: string; bal: string }> {
  const totals = new Map<string, string>();
  return rows.map((r) => {
    const key = `${r.user_id}\u0000${r.env}\u0000${r.account}\u0000${r.ccy}`;
    const balChg = addAmounts(r.avail_delta, r.frozen_delta);
    const bal = addAmounts(totals.get(key) ?? '0', balChg);
    totals.set(key, bal);
    return { id: r.id, balChg, bal };
  });
}
