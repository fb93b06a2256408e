import type { BillQuery, BillRecord } from '../../core/bills.js';
import { mergeFee } from '../../core/bills.js';
import type { AccountType } from '../../core/ledger.js';

/** The bills query, the same SQL on both databases; `ph(i)` spells the i-th placeholder (1-based). */
export function billsSql(q: BillQuery, ph: (i: number) => string): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const p = (v: unknown) => {
    values.push(v);
    return ph(values.length);
  };
  const where = [
    `e.user_id = ${p(q.userId)}`,
    `e.env = ${p(q.env)}`,
    `e.account = ${p(q.account)}`,
    "e.kind <> 'fee'",
    "e.bal_chg <> '0'",
    `e.at >= ${p(q.minTs)}`,
  ];
  if (q.maxTs !== undefined) where.push(`e.at <= ${p(q.maxTs)}`);
  if (q.ccy !== undefined) where.push(`e.ccy = ${p(q.ccy)}`);
  if (q.instId !== undefined) where.push(`fl.inst_id = ${p(q.instId)}`);
  if (q.clientId !== undefined) where.push(`COALESCE(w.client_id, e.client_id) = ${p(q.clientId)}`);
  if (q.afterId !== undefined) where.push(`e.id < ${p(q.afterId)}`);
  if (q.beforeId !== undefined) where.push(`e.id > ${p(q.beforeId)}`);
  if (q.afterTs !== undefined) where.push(`e.at < ${p(q.afterTs)}`);
  if (q.beforeTs !== undefined) where.push(`e.at > ${p(q.beforeTs)}`);
  if (q.conditions !== undefined) {
    const alternatives = q.conditions.map((c) => {
      const parts = [`e.kind = ${p(c.kind)}`];
      if (c.sign === 'out') parts.push("e.bal_chg LIKE '-%'");
      if (c.sign === 'in') parts.push("e.bal_chg NOT LIKE '-%'");
      if (c.side !== undefined) parts.push(`fl.side = ${p(c.side)}`);
      return `(${parts.join(' AND ')})`;
    });
    where.push(`(${alternatives.join(' OR ')})`);
  }
  // Forward from a `before` cursor: the nearest newer bills, then shown newest first.
  const ascending =
    (q.beforeId !== undefined || q.beforeTs !== undefined) && q.afterId === undefined && q.afterTs === undefined;
  const text = `SELECT e.id, e.at, e.account, e.ccy, e.kind, e.ref, e.bal_chg, e.bal, e.client_id,
      f.bal_chg AS fee_chg, f.bal AS fee_bal, w.client_id AS wd_client_id,
      fl.inst_id, fl.ord_id, fl.cl_ord_id, fl.tag, fl.side, fl.px, fl.exec_type
    FROM ledger_entries e
    LEFT JOIN ledger_entries f ON e.kind = 'trade' AND f.kind = 'fee' AND f.user_id = e.user_id
      AND f.ref = e.ref AND f.env = e.env AND f.account = e.account AND f.ccy = e.ccy
    LEFT JOIN fills fl ON e.kind = 'trade' AND fl.trade_id = e.ref AND fl.user_id = e.user_id AND fl.env = e.env
    LEFT JOIN withdrawals w ON e.kind IN ('withdrawal', 'withdrawal_fee', 'internal_out') AND w.wd_id = e.ref
    WHERE ${where.join(' AND ')}
    ORDER BY e.id ${ascending ? 'ASC' : 'DESC'} LIMIT ${p(q.limit)}`;
  return { text, values };
}

export type BillTableRow = {
  id: number;
  at: number;
  account: string;
  ccy: string;
  kind: string;
  ref: string;
  bal_chg: string;
  bal: string;
  client_id: string;
  fee_chg: string | null;
  fee_bal: string | null;
  wd_client_id: string | null;
  inst_id: string | null;
  ord_id: string | null;
  cl_ord_id: string | null;
  tag: string | null;
  side: string | null;
  px: string | null;
  exec_type: string | null;
};

/** Rows of the bills query, newest first whichever way they were read. */
export function toBills(rows: readonly BillTableRow[]): BillRecord[] {
  const bills = rows.map((r): BillRecord => {
    const fee = r.fee_chg === null || r.fee_bal === null ? null : { balChg: r.fee_chg, bal: r.fee_bal };
    return {
      billId: String(r.id),
      account: r.account as AccountType,
      ccy: r.ccy,
      kind: r.kind,
      ref: r.ref,
      ...mergeFee(r.bal_chg, r.bal, fee),
      clientId: r.wd_client_id ?? r.client_id,
      ts: r.at,
      fill:
        r.inst_id === null
          ? null
          : {
              instId: r.inst_id,
              ordId: r.ord_id ?? '',
              clOrdId: r.cl_ord_id ?? '',
              tag: r.tag ?? '',
              side: r.side === 'sell' ? 'sell' : 'buy',
              px: r.px ?? '',
              execType: r.exec_type ?? '',
            },
    };
  });
  return bills.sort((a, b) => Number(b.billId) - Number(a.billId));
}
