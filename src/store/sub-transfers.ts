import type { KeyEnv } from '../core/key-rules.js';
import type { AccountType, LedgerEntry } from '../core/ledger.js';
import type { SubTransferType } from '../core/sub-transfers.js';

/** One transfer between a master and a sub-account, or between two sub-accounts of one master. */
export interface SubTransferRecord {
  transId: string;
  clientId: string;
  type: SubTransferType;
  env: KeyEnv;
  masterId: number;
  fromUserId: number;
  toUserId: number;
  /** OKX's `subAcct` of the transfer: the sub-account involved (the receiving one for type 4). */
  subAcct: string;
  ccy: string;
  amt: string;
  from: AccountType;
  to: AccountType;
  /** Unix ms. */
  ts: number;
}

/** `GET /asset/subaccount/bills`: a master's transfers with its sub-accounts, newest first. */
export interface SubTransferQuery {
  masterId: number;
  env: KeyEnv;
  ccy?: string;
  /** Types to include (the bills' type 0 is transfer type 1; their type 1 is 2 and 3). */
  types: readonly SubTransferType[];
  subAcct?: string;
  /** ts cursors, exclusive: older than `afterTs`, newer than `beforeTs`. */
  afterTs?: number;
  beforeTs?: number;
  limit: number;
}

/**
 * Transfers of types 1–4 (core/sub-transfers.ts): the transfer and its two ledger entries are
 * written in one transaction.
 *
 * @example
 *   await store.applySubTransfer(record, subTransferEntries('1', route, 'live', t), now);
 *   const t = await store.findSubTransfer(masterId, 'live', { transId: record.transId });
 */
export interface SubTransferStore {
  /** Applies the entries and records the transfer at once; throws RuleError 51008 (nothing written) if a balance would go negative. */
  applySubTransfer(t: SubTransferRecord, entries: readonly LedgerEntry[], at: number): Promise<void>;
  /** A transfer the account paid or received, by id, or else by client id (the newest); null if none. */
  findSubTransfer(
    userId: number,
    env: KeyEnv,
    by: { transId?: string; clientId?: string },
  ): Promise<SubTransferRecord | null>;
  /** A master's transfers matching the query, newest first (ties: newest id first). */
  listSubTransfers(q: SubTransferQuery): Promise<SubTransferRecord[]>;
}
