import type { KeyEnv } from '../../core/key-rules.js';
import type { AccountType } from '../../core/ledger.js';
import type { SubTransferType } from '../../core/sub-transfers.js';
import type { SubTransferQuery, SubTransferRecord } from '../sub-transfers.js';

/** A `sub_transfers` row, as both adapters read it. */
export type SubTransferRow = {
  trans_id: string;
  client_id: string;
  type: string;
  env: string;
  master_id: number | string;
  from_user_id: number | string;
  to_user_id: number | string;
  sub_acct: string;
  ccy: string;
  amt: string;
  from_acct: string;
  to_acct: string;
  ts: number | string;
};

/** The row's values in column order (the INSERT of both adapters). */
export const SUB_TRANSFER_COLUMNS =
  'trans_id, client_id, type, env, master_id, from_user_id, to_user_id, sub_acct, ccy, amt, from_acct, to_acct, ts';

export function subTransferValues(t: SubTransferRecord): unknown[] {
  return [
    t.transId,
    t.clientId,
    t.type,
    t.env,
    t.masterId,
    t.fromUserId,
    t.toUserId,
    t.subAcct,
    t.ccy,
    t.amt,
    t.from,
    t.to,
    t.ts,
  ];
}

export function toSubTransfer(r: SubTransferRow): SubTransferRecord {
  return {
    transId: r.trans_id,
    clientId: r.client_id,
    type: r.type as SubTransferType,
    env: r.env as KeyEnv,
    masterId: Number(r.master_id),
    fromUserId: Number(r.from_user_id),
    toUserId: Number(r.to_user_id),
    subAcct: r.sub_acct,
    ccy: r.ccy,
    amt: r.amt,
    from: r.from_acct as AccountType,
    to: r.to_acct as AccountType,
    ts: Number(r.ts),
  };
}

/** The lookup of `findSubTransfer`: by id, or else the newest with the client id. */
export function findSubTransferSql(
  userId: number,
  env: KeyEnv,
  by: { transId?: string; clientId?: string },
  p: (i: number) => string,
): { text: string; values: unknown[] } | null {
  const column = by.transId !== undefined ? 'trans_id' : 'client_id';
  const value = by.transId ?? by.clientId;
  if (value === undefined) return null;
  return {
    text: `SELECT * FROM sub_transfers WHERE ${column} = ${p(1)} AND env = ${p(2)}
      AND (from_user_id = ${p(3)} OR to_user_id = ${p(3)}) ORDER BY ts DESC, id DESC LIMIT 1`,
    values: [value, env, userId],
  };
}

/** The SELECT of `listSubTransfers`; with only `beforeTs`, the rows just newer than it, shown newest first. */
export function subTransferListSql(q: SubTransferQuery, p: (i: number) => string): { text: string; values: unknown[] } {
  const values: unknown[] = [q.masterId, q.env];
  const where = [`master_id = ${p(1)}`, `env = ${p(2)}`];
  const add = (sql: (ph: string) => string, v: unknown) => {
    values.push(v);
    where.push(sql(p(values.length)));
  };
  const types = q.types.map((t) => {
    values.push(t);
    return p(values.length);
  });
  where.push(types.length === 0 ? 'FALSE' : `type IN (${types.join(', ')})`);
  if (q.ccy !== undefined) add((ph) => `ccy = ${ph}`, q.ccy);
  if (q.subAcct !== undefined) add((ph) => `sub_acct = ${ph}`, q.subAcct);
  if (q.afterTs !== undefined) add((ph) => `ts < ${ph}`, q.afterTs);
  if (q.beforeTs !== undefined) add((ph) => `ts > ${ph}`, q.beforeTs);
  values.push(q.limit);
  const order = q.beforeTs !== undefined && q.afterTs === undefined ? 'ASC' : 'DESC';
  const text = `SELECT * FROM (SELECT * FROM sub_transfers WHERE ${where.join(' AND ')}
    ORDER BY ts ${order}, id ${order} LIMIT ${p(values.length)}) s ORDER BY ts DESC, id DESC`;
  return { text, values };
}
