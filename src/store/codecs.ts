import type { Withdrawal, WithdrawalState } from '../core/funding.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { Fill } from '../core/matching.js';
import type { Order } from '../core/orders.js';
import type { DepositRecord, WithdrawalAddress } from './funding.js';
import type { Actor, AuditAction, AuditRecord, KeyRecord, KeyRejection } from './keys.js';
import type { BalanceRow, LedgerAccount } from './ledger.js';
import type { SessionRecord, TotpRecord, UserRecord } from './users.js';

/*
 * The rows of both adapters' tables (snake_case, as stored) and their codecs, written once. The
 * two drivers differ in one way that matters here: SQLite returns booleans as 0/1 and binds only
 * numbers, PostgreSQL reads and binds booleans; int8 columns are parsed to numbers on PostgreSQL,
 * so ids and Unix ms are numbers on both. Rows are type aliases (not interfaces) so that they
 * satisfy the drivers' row constraints.
 */

/** A boolean column as read: 0/1 from SQLite, a boolean from PostgreSQL. */
export type Flag = 0 | 1 | boolean;

export function readFlag(value: Flag): boolean {
  return value === true || value === 1;
}

/** How an adapter binds a boolean: `sqliteFlag` (0/1) or `pgFlag` (the boolean itself). */
export type WriteFlag<F extends Flag> = (value: boolean) => F;
export const sqliteFlag: WriteFlag<0 | 1> = (value) => (value ? 1 : 0);
export const pgFlag: WriteFlag<boolean> = (value) => value;

/** Comma-separated lists (key IPs, recovery hashes): '' is the empty list. */
export function readList(text: string): string[] {
  return text === '' ? [] : text.split(',');
}

export function writeList(items: readonly string[]): string {
  return items.join(',');
}

export type UserRow = { id: number; uid: string; email: string; password_hash: string | null; created_at: number };

export function toUser(r: UserRow): UserRecord {
  return { id: r.id, uid: r.uid, email: r.email, passwordHash: r.password_hash, createdAt: r.created_at };
}

export type KeyRow<F extends Flag = Flag> = {
  api_key: string; user_id: number; label: string; perm_trade: F; perm_withdraw: F; ips: string; env: KeyEnv;
  secret_sealed: Buffer; passphrase_hash: string; created_at: number; updated_at: number; last_used_at: number | null;
};

export function toKey(r: KeyRow): KeyRecord {
  return {
    apiKey: r.api_key, userId: r.user_id, label: r.label,
    perms: { read: true, trade: readFlag(r.perm_trade), withdraw: readFlag(r.perm_withdraw) },
    ips: readList(r.ips), env: r.env, secretSealed: r.secret_sealed, passphraseHash: r.passphrase_hash,
    createdAt: r.created_at, updatedAt: r.updated_at, lastUsedAt: r.last_used_at,
  };
}

export function keyRow<F extends Flag>(k: KeyRecord, flag: WriteFlag<F>): KeyRow<F> {
  return {
    api_key: k.apiKey, user_id: k.userId, label: k.label, perm_trade: flag(k.perms.trade),
    perm_withdraw: flag(k.perms.withdraw), ips: writeList(k.ips), env: k.env, secret_sealed: k.secretSealed,
    passphrase_hash: k.passphraseHash, created_at: k.createdAt, updated_at: k.updatedAt, last_used_at: k.lastUsedAt,
  };
}

export type OrderRow = {
  ord_id: string; user_id: number; env: KeyEnv; inst_id: string; cl_ord_id: string; tag: string; side: Order['side'];
  ord_type: Order['ordType']; px: string; sz: string; tgt_ccy: Order['tgtCcy']; acc_fill_sz: string;
  acc_fill_quote: string; fee: string; fee_ccy: string; frozen: string; state: Order['state']; cancel_source: string;
  c_time: number; u_time: number; queued_at: number;
};

/** An order as written by a book operation: with the book version that stored it. */
export type BookOrderRow = OrderRow & { book_seq: number };

export function toOrder(r: OrderRow): Order {
  return {
    ordId: r.ord_id, clOrdId: r.cl_ord_id, tag: r.tag, userId: r.user_id, env: r.env, instId: r.inst_id, side: r.side,
    ordType: r.ord_type, px: r.px, sz: r.sz, tgtCcy: r.tgt_ccy, accFillSz: r.acc_fill_sz,
    accFillQuote: r.acc_fill_quote, fee: r.fee, feeCcy: r.fee_ccy, frozen: r.frozen, state: r.state,
    cancelSource: r.cancel_source, cTime: r.c_time, uTime: r.u_time, queuedAt: r.queued_at,
  };
}

export function orderRow(o: Order, bookSeq: number): BookOrderRow {
  return {
    ord_id: o.ordId, user_id: o.userId, env: o.env, inst_id: o.instId, cl_ord_id: o.clOrdId, tag: o.tag, side: o.side,
    ord_type: o.ordType, px: o.px, sz: o.sz, tgt_ccy: o.tgtCcy, acc_fill_sz: o.accFillSz,
    acc_fill_quote: o.accFillQuote, fee: o.fee, fee_ccy: o.feeCcy, frozen: o.frozen, state: o.state,
    cancel_source: o.cancelSource, c_time: o.cTime, u_time: o.uTime, queued_at: o.queuedAt, book_seq: bookSeq,
  };
}

export type FillRow = {
  trade_id: string; ord_id: string; cl_ord_id: string; tag: string; user_id: number; env: KeyEnv; inst_id: string;
  side: Fill['side']; px: string; sz: string; fee: string; fee_ccy: string; exec_type: Fill['execType']; ts: number;
};

export type BookFillRow = FillRow & { book_seq: number };

export function toFill(r: FillRow): Fill {
  return {
    tradeId: r.trade_id, instId: r.inst_id, ordId: r.ord_id, clOrdId: r.cl_ord_id, tag: r.tag, userId: r.user_id,
    env: r.env, side: r.side, px: r.px, sz: r.sz, fee: r.fee, feeCcy: r.fee_ccy, execType: r.exec_type, ts: r.ts,
  };
}

export function fillRow(f: Fill, bookSeq: number): BookFillRow {
  return {
    trade_id: f.tradeId, ord_id: f.ordId, cl_ord_id: f.clOrdId, tag: f.tag, user_id: f.userId, env: f.env,
    inst_id: f.instId, side: f.side, px: f.px, sz: f.sz, fee: f.fee, fee_ccy: f.feeCcy, exec_type: f.execType, ts: f.ts,
    book_seq: bookSeq,
  };
}

export type WithdrawalRow = {
  wd_id: string; client_id: string; user_id: number; env: KeyEnv; ccy: string; chain: string; amt: string; fee: string;
  dest: Withdrawal['dest']; to_addr: string; to_user_id: number | null; state: WithdrawalState; tx_id: string;
  created_at: number; updated_at: number;
};

export function toWithdrawal(r: WithdrawalRow): Withdrawal {
  return {
    wdId: r.wd_id, clientId: r.client_id, userId: r.user_id, env: r.env, ccy: r.ccy, chain: r.chain, amt: r.amt,
    fee: r.fee, dest: r.dest, toAddr: r.to_addr, toUserId: r.to_user_id, state: r.state, txId: r.tx_id,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export function withdrawalRow(w: Withdrawal): WithdrawalRow {
  return {
    wd_id: w.wdId, client_id: w.clientId, user_id: w.userId, env: w.env, ccy: w.ccy, chain: w.chain, amt: w.amt,
    fee: w.fee, dest: w.dest, to_addr: w.toAddr, to_user_id: w.toUserId, state: w.state, tx_id: w.txId,
    created_at: w.createdAt, updated_at: w.updatedAt,
  };
}

export type SessionRow = {
  id_hash: string; user_id: number; csrf_token: string; verified: Flag; created_at: number; expires_at: number;
};

export function toSession(r: SessionRow): SessionRecord {
  return {
    idHash: r.id_hash, userId: r.user_id, csrfToken: r.csrf_token, verified: readFlag(r.verified),
    createdAt: r.created_at, expiresAt: r.expires_at,
  };
}

export type TotpRow = {
  user_id: number; secret_sealed: Buffer; enabled: Flag; recovery_hashes: string; last_step: number;
};

export function toTotp(r: TotpRow): TotpRecord {
  return {
    userId: r.user_id, secretSealed: r.secret_sealed, enabled: readFlag(r.enabled),
    recoveryHashes: readList(r.recovery_hashes), lastStep: r.last_step,
  };
}

export type AuditRow = {
  id: number; at: number; actor: Actor; user_id: number; api_key: string; action: AuditAction; detail: string;
};

export function toAudit(r: AuditRow): AuditRecord {
  return {
    id: r.id, at: r.at, actor: r.actor, userId: r.user_id, apiKey: r.api_key, action: r.action,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}

export type RejectionRow = {
  api_key: string; user_id: number; code: string; ip: string; count: number; first_at: number; last_at: number;
};

export function toRejection(r: RejectionRow): KeyRejection {
  return {
    apiKey: r.api_key, userId: r.user_id, code: r.code, ip: r.ip, count: r.count, firstAt: r.first_at,
    lastAt: r.last_at,
  };
}

export type AddressRow = {
  id: number; user_id: number; ccy: string; chain: string; address: string; label: string; created_at: number;
};

export function toAddress(r: AddressRow): WithdrawalAddress {
  return {
    id: r.id, userId: r.user_id, ccy: r.ccy, chain: r.chain, address: r.address, label: r.label,
    createdAt: r.created_at,
  };
}

export type BalanceTableRow = { ccy: string; avail: string; frozen: string; updated_at: number };

export function toBalance(r: BalanceTableRow): BalanceRow {
  return { ccy: r.ccy, avail: r.avail, frozen: r.frozen, updatedAt: r.updated_at };
}

export type DepositRow = { id: number; ccy: string; avail_delta: string; kind: string; ref: string; at: number };

export function toDeposit(r: DepositRow): DepositRecord {
  return { depId: String(r.id), ccy: r.ccy, amt: r.avail_delta, kind: r.kind, ref: r.ref, at: r.at };
}

/** A count or the newest id of a table (`COALESCE(MAX(id), 0) AS id`). */
export type IdRow = { id: number };

/** A row of the key change feed (the audit log without 'new_ip' entries). */
export type KeyFeedRow = { id: number; api_key: string };

export function toKeyChanges(rows: readonly KeyFeedRow[], cursor: number): { cursor: number; apiKeys: string[] } {
  const last = rows[rows.length - 1];
  return { cursor: last === undefined ? cursor : last.id, apiKeys: rows.map((r) => r.api_key) };
}

/** A row of the ledger change feed. */
export type LedgerFeedRow = { id: number; user_id: number; env: KeyEnv };

/** The accounts a page of the ledger feed touched, once each in first-seen order, and the new cursor. */
export function toLedgerChanges(
  rows: readonly LedgerFeedRow[], cursor: number,
): { cursor: number; accounts: LedgerAccount[] } {
  const last = rows[rows.length - 1];
  const seen = new Map<string, LedgerAccount>();
  for (const r of rows) seen.set(`${r.user_id}:${r.env}`, { userId: r.user_id, env: r.env });
  return { cursor: last === undefined ? cursor : last.id, accounts: [...seen.values()] };
}

export type BookVersionRow = { env: KeyEnv; inst_id: string; version: number };
