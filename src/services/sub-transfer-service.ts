import { missingSubAccount } from '../core/conflicts.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { AccountType, LedgerEntry } from '../core/ledger.js';
import {
  planSubTransfer,
  type SubTransferType,
  subBillType,
  subTransferEntries,
  type TransferParty,
} from '../core/sub-transfers.js';
import type { SubAccountRecord, SubAccountStore, SubTransferRecord, SubTransferStore } from '../store/store.js';

/** A validated transfer of type 1–4, before the parties are looked up. */
export interface SubTransferInput {
  type: SubTransferType;
  ccy: string;
  amt: string;
  from: AccountType;
  to: AccountType;
  clientId: string;
  /** `subAcct` as given, '' when absent. */
  subAcct: string;
  transId: string;
}

const party = (s: SubAccountRecord | null): TransferParty | null =>
  s === null
    ? null
    : { userId: s.userId, masterId: s.masterId, name: s.name, enabled: s.enabled, canTransOut: s.canTransOut };

/** One row of `GET /asset/subaccount/bills`. */
export interface SubBill {
  billId: string;
  ccy: string;
  amt: string;
  type: '0' | '1';
  subAcct: string;
  ts: string;
}

/**
 * Money between a master account and its sub-accounts (OKX's transfer types 1–4): who may send
 * which type (rules in core/sub-transfers.ts), the transfer record and its ledger entries, and the
 * master's transfer history.
 */
export class SubTransferService {
  constructor(private readonly store: SubAccountStore & SubTransferStore) {}

  /** The transfer's record and entries, after checking the caller and the sub-accounts involved. */
  async plan(
    userId: number,
    env: KeyEnv,
    t: SubTransferInput,
    now: number,
  ): Promise<{ record: SubTransferRecord; entries: LedgerEntry[] }> {
    const callerSub = party(await this.store.subAccountOf(userId));
    const masterOfNamed = callerSub === null ? userId : callerSub.masterId;
    const named =
      t.subAcct === '' || t.type === '3' ? null : party(await this.store.getSubAccount(masterOfNamed, t.subAcct));
    const route = planSubTransfer({ type: t.type, callerId: userId, callerSub, subAcct: t.subAcct, named });
    const entries = subTransferEntries(t.type, route, env, t);
    const record: SubTransferRecord = {
      transId: t.transId,
      clientId: t.clientId,
      type: t.type,
      env,
      masterId: route.masterId,
      fromUserId: route.fromUserId,
      toUserId: route.toUserId,
      subAcct: route.subAcct,
      ccy: t.ccy,
      amt: t.amt,
      from: t.from,
      to: t.to,
      ts: now,
    };
    return { record, entries };
  }

  /** The master's sub-account of that name (exact), or null: the master's views look it up by name. */
  subAccount(masterId: number, name: string): Promise<SubAccountRecord | null> {
    return this.store.getSubAccount(masterId, name);
  }

  /** A transfer the account paid or received (GET /asset/transfer-state), optionally of one type. */
  async find(
    userId: number,
    env: KeyEnv,
    by: { transId?: string; clientId?: string },
    type: SubTransferType | undefined,
  ): Promise<SubTransferRecord | null> {
    const t = await this.store.findSubTransfer(userId, env, by);
    return t === null || (type !== undefined && t.type !== type) ? null : t;
  }

  /**
   * The master's transfers with its sub-accounts, newest first: `type` '0' master → sub, '1' sub →
   * master, both when absent. Sub → sub transfers (type 4) are left out: OKX describes these bills
   * as master ↔ sub only (whether it lists sub → sub ones is UNCONFIRMED).
   */
  async bills(
    masterId: number,
    env: KeyEnv,
    q: { ccy?: string; type?: '0' | '1'; subAcct?: string; afterTs?: number; beforeTs?: number; limit: number },
  ): Promise<SubBill[]> {
    const types: SubTransferType[] = q.type === '0' ? ['1'] : q.type === '1' ? ['2', '3'] : ['1', '2', '3'];
    if (q.subAcct !== undefined && (await this.store.getSubAccount(masterId, q.subAcct)) === null)
      throw missingSubAccount(q.subAcct);
    const list = await this.store.listSubTransfers({
      masterId,
      env,
      types,
      limit: q.limit,
      ...(q.ccy !== undefined && { ccy: q.ccy }),
      ...(q.subAcct !== undefined && { subAcct: q.subAcct }),
      ...(q.afterTs !== undefined && { afterTs: q.afterTs }),
      ...(q.beforeTs !== undefined && { beforeTs: q.beforeTs }),
    });
    return list.flatMap((t) => {
      const type = subBillType(t.type);
      return type === null
        ? []
        : [{ billId: t.transId, ccy: t.ccy, amt: t.amt, type, subAcct: t.subAcct, ts: String(t.ts) }];
    });
  }
}
