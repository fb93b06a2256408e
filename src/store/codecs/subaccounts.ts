import type { SubAccountChange, SubAccountRecord } from '../subaccounts.js';
import { type Flag, readFlag, type WriteFlag } from './flags.js';

/** Rows and codecs of sub-accounts. */

export type SubAccountRow<F extends Flag = Flag> = {
  user_id: number;
  master_id: number;
  name: string;
  type: string;
  label: string;
  enabled: F;
  can_trans_out: F;
  created_at: number;
  updated_at: number;
};

export function toSubAccount(r: SubAccountRow): SubAccountRecord {
  return {
    userId: r.user_id,
    masterId: r.master_id,
    name: r.name,
    type: r.type,
    label: r.label,
    enabled: readFlag(r.enabled),
    canTransOut: readFlag(r.can_trans_out),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function subAccountRow<F extends Flag>(s: SubAccountRecord, flag: WriteFlag<F>): SubAccountRow<F> {
  return {
    user_id: s.userId,
    master_id: s.masterId,
    name: s.name,
    type: s.type,
    label: s.label,
    enabled: flag(s.enabled),
    can_trans_out: flag(s.canTransOut),
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

/**
 * The account row of a sub-account: its email column holds `subaccount:<name>`, which no sign-up
 * or login can type (not an email address), and it has no password.
 */
export const subAccountEmail = (name: string): string => `subaccount:${name}`;

/** The list query's WHERE and ORDER in either dialect: `p(i)` writes the i-th placeholder. */
export function subAccountListSql(
  query: { enabled?: boolean; name?: string; after?: number; before?: number; limit: number },
  p: (i: number) => string,
  flag: (b: boolean) => unknown,
  masterId: number,
): { text: string; values: unknown[] } {
  const where = [`master_id = ${p(1)}`];
  const values: unknown[] = [masterId];
  const add = (sql: (ph: string) => string, v: unknown) => {
    values.push(v);
    where.push(sql(p(values.length)));
  };
  if (query.enabled !== undefined) add((ph) => `enabled = ${ph}`, flag(query.enabled));
  if (query.name !== undefined) add((ph) => `name = ${ph}`, query.name);
  if (query.after !== undefined) add((ph) => `created_at < ${ph}`, query.after);
  if (query.before !== undefined) add((ph) => `created_at > ${ph}`, query.before);
  values.push(query.limit);
  // With only `before`, the rows just newer than it (then shown newest first), as OKX pages.
  const order = query.before !== undefined && query.after === undefined ? 'ASC' : 'DESC';
  const text = `SELECT * FROM (SELECT * FROM sub_accounts WHERE ${where.join(' AND ')}
    ORDER BY created_at ${order}, user_id ${order} LIMIT ${p(values.length)}) s ORDER BY created_at DESC, user_id DESC`;
  return { text, values };
}

/** The change without its undefined fields (an absent field keeps the current value). */
export function definedChange(change: SubAccountChange): SubAccountChange {
  return Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
}
