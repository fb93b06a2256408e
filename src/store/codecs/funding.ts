import type { Withdrawal, WithdrawalState } from '../../core/funding.js';
import type { KeyEnv } from '../../core/key-rules.js';
import type { DepositRecord, WithdrawalAddress } from '../funding.js';

/** Rows and codecs of withdrawals, deposits and withdrawal addresses. */

export type WithdrawalRow = {
  wd_id: string;
  client_id: string;
  user_id: number;
  env: KeyEnv;
  ccy: string;
  chain: string;
  amt: string;
  fee: string;
  dest: Withdrawal['dest'];
  to_addr: string;
  to_user_id: number | null;
  state: WithdrawalState;
  tx_id: string;
  created_at: number;
  updated_at: number;
};

export function toWithdrawal(r: WithdrawalRow): Withdrawal {
  return {
    wdId: r.wd_id,
    clientId: r.client_id,
    userId: r.user_id,
    env: r.env,
    ccy: r.ccy,
    chain: r.chain,
    amt: r.amt,
    fee: r.fee,
    dest: r.dest,
    toAddr: r.to_addr,
    toUserId: r.to_user_id,
    state: r.state,
    txId: r.tx_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function withdrawalRow(w: Withdrawal): WithdrawalRow {
  return {
    wd_id: w.wdId,
    client_id: w.clientId,
    user_id: w.userId,
    env: w.env,
    ccy: w.ccy,
    chain: w.chain,
    amt: w.amt,
    fee: w.fee,
    dest: w.dest,
    to_addr: w.toAddr,
    to_user_id: w.toUserId,
    state: w.state,
    tx_id: w.txId,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}

export type AddressRow = {
  id: number;
  user_id: number;
  ccy: string;
  chain: string;
  address: string;
  label: string;
  created_at: number;
};

export function toAddress(r: AddressRow): WithdrawalAddress {
  return {
    id: r.id,
    userId: r.user_id,
    ccy: r.ccy,
    chain: r.chain,
    address: r.address,
    label: r.label,
    createdAt: r.created_at,
  };
}

export type DepositRow = {
  id: number;
  ccy: string;
  avail_delta: string;
  kind: string;
  ref: string;
  at: number;
  chain: string | null;
  to_addr: string | null;
  tx_id: string | null;
};

export function toDeposit(r: DepositRow): DepositRecord {
  return {
    depId: String(r.id),
    ccy: r.ccy,
    amt: r.avail_delta,
    kind: r.kind,
    ref: r.ref,
    at: r.at,
    chain: r.chain ?? '',
    toAddr: r.to_addr ?? '',
    txId: r.tx_id ?? '',
  };
}
