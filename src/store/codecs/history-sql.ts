import type { FillQuery, OrderQuery } from '../exchange.js';
import type { DepositQuery, WithdrawalQuery } from '../funding.js';
import { OPEN_ORDER } from './exchange.js';

/**
 * The history queries (orders, fills, deposits, withdrawals: filters, cursors, newest first)
 * written once for both adapters; a dialect says how each spells a parameter and an integer.
 */
export interface Dialect {
  /** The placeholder of the n-th parameter (1-based). */
  placeholder(n: number): string;
  /** ord_id as an integer: the expression the account's order index is built on. */
  ordKey: string;
  /** A parameter placeholder read as an integer. */
  int(placeholder: string): string;
}

export const SQLITE_DIALECT: Dialect = {
  placeholder: () => '?',
  ordKey: 'CAST(ord_id AS INTEGER)',
  int: (p) => `CAST(${p} AS INTEGER)`,
};

export const POSTGRES_DIALECT: Dialect = {
  placeholder: (n) => `$${n}`,
  ordKey: '(ord_id::bigint)',
  int: (p) => `${p}::bigint`,
};

export interface Sql {
  text: string;
  params: unknown[];
}

/** Conditions joined by AND, with their parameters in order. */
class Where {
  readonly conds: string[] = [];
  readonly params: unknown[] = [];
  constructor(private readonly d: Dialect) {}

  /** `cond` receives the placeholder of `value`; nothing is added when the value is undefined. */
  add(value: unknown, cond: (p: string) => string): this {
    if (value === undefined) return this;
    this.params.push(value);
    this.conds.push(cond(this.d.placeholder(this.params.length)));
    return this;
  }

  /** `column IN (...)`; nothing when the list is undefined. */
  oneOf(column: string, values: readonly unknown[] | undefined): this {
    if (values === undefined) return this;
    const ps = values.map((v) => {
      this.params.push(v);
      return this.d.placeholder(this.params.length);
    });
    this.conds.push(ps.length === 0 ? '1 = 0' : `${column} IN (${ps.join(', ')})`);
    return this;
  }

  raw(cond: string): this {
    this.conds.push(cond);
    return this;
  }

  select(head: string, order: string, limit: number): Sql {
    this.params.push(limit);
    const where = this.conds.length === 0 ? '' : ` AND ${this.conds.join(' AND ')}`;
    return {
      text: `${head}${where} ORDER BY ${order} LIMIT ${this.d.placeholder(this.params.length)}`,
      params: this.params,
    };
  }
}

/** An account's orders (OrderQuery), newest ordId first. */
export function ordersSql(d: Dialect, userId: number, env: string, q: OrderQuery): Sql {
  const w = new Where(d)
    .add(userId, (p) => `user_id = ${p}`)
    .add(env, (p) => `env = ${p}`)
    .raw(q.open ? OPEN_ORDER : `NOT ${OPEN_ORDER}`)
    .add(q.instId, (p) => `inst_id = ${p}`)
    .oneOf('ord_type', q.ordTypes)
    .add(q.state, (p) => `state = ${p}`)
    .add(q.after, (p) => `${d.ordKey} < ${d.int(p)}`)
    .add(q.before, (p) => `${d.ordKey} > ${d.int(p)}`)
    .add(q.begin, (p) => `c_time >= ${p}`)
    .add(q.end, (p) => `c_time <= ${p}`)
    .add(q.finishedSince, (p) => `u_time >= ${p}`)
    .add(q.unfilledCanceledSince, (p) => `NOT (state = 'canceled' AND acc_fill_sz = '0' AND u_time < ${p})`);
  return w.select('SELECT * FROM orders WHERE 1 = 1', `${d.ordKey} DESC`, q.limit);
}

/** An account's fills (FillQuery), newest billId (row id) first. */
export function fillsSql(d: Dialect, userId: number, env: string, q: FillQuery): Sql {
  const w = new Where(d)
    .add(userId, (p) => `user_id = ${p}`)
    .add(env, (p) => `env = ${p}`)
    .add(q.instId, (p) => `inst_id = ${p}`)
    .add(q.ordId, (p) => `ord_id = ${p}`)
    .add(q.side, (p) => `side = ${p}`)
    .add(q.after, (p) => `id < ${p}`)
    .add(q.before, (p) => `id > ${p}`)
    .add(q.begin, (p) => `ts >= ${p}`)
    .add(q.end, (p) => `ts <= ${p}`);
  return w.select('SELECT * FROM fills WHERE 1 = 1', 'id DESC', q.limit);
}

/** An account's withdrawals (WithdrawalQuery), newest first. */
export function withdrawalsSql(d: Dialect, userId: number, env: string, q: WithdrawalQuery): Sql {
  const w = new Where(d)
    .add(userId, (p) => `user_id = ${p}`)
    .add(env, (p) => `env = ${p}`)
    .add(q.ccy, (p) => `ccy = ${p}`)
    .add(q.wdId, (p) => `wd_id = ${p}`)
    .add(q.clientId, (p) => `client_id = ${p}`)
    .add(q.txId, (p) => `tx_id = ${p}`)
    .add(q.dest, (p) => `dest = ${p}`)
    .add(q.state, (p) => `state = ${p}`)
    .add(q.after, (p) => `created_at < ${p}`)
    .add(q.before, (p) => `created_at > ${p}`);
  return w.select('SELECT * FROM withdrawals WHERE 1 = 1', 'created_at DESC, wd_id DESC', q.limit);
}

/** The ledger entries that brought funds into an account (DepositQuery), newest first. */
export function depositsSql(d: Dialect, userId: number, env: string, q: DepositQuery): Sql {
  const w = new Where(d)
    .add(userId, (p) => `user_id = ${p}`)
    .add(env, (p) => `env = ${p}`)
    .raw(`kind IN ('deposit', 'internal_in')`)
    .add(q.ccy, (p) => `ccy = ${p}`)
    .add(q.depId, (p) => `id = ${d.int(p)}`)
    .add(q.fromWdId, (p) => `kind = 'internal_in' AND ref = ${p}`)
    .add(q.kind, (p) => `kind = ${p}`)
    .add(q.txId, (p) => `d.tx_id = ${p}`)
    .add(q.after, (p) => `at < ${p}`)
    .add(q.before, (p) => `at > ${p}`);
  // On-chain details (chain, address, txId) of deposits made to a deposit address.
  return w.select(
    `SELECT id, ccy, avail_delta, kind, ref, at, d.chain, d.to_addr, d.tx_id FROM ledger_entries
    LEFT JOIN deposit_details d ON d.entry_id = id WHERE 1 = 1`,
    'at DESC, id DESC',
    q.limit,
  );
}
