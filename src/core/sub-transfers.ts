import Big from 'big.js';
import { RuleError } from './errors.js';
import type { KeyEnv } from './key-rules.js';
import type { AccountType, LedgerEntry } from './ledger.js';

/**
 * OKX's `POST /asset/transfer` types that move money between a master and its sub-accounts:
 * 1 master → sub and 2 sub → master (master key, `subAcct` the sub-account), 3 sub → master (the
 * sub-account's own key), 4 sub → sub under the same master (the paying sub-account's key,
 * `subAcct` the receiving one).
 */
export type SubTransferType = '1' | '2' | '3' | '4';

export const SUB_TRANSFER_TYPES: readonly SubTransferType[] = ['1', '2', '3', '4'];

/** A sub-account as a transfer needs it (from the store's SubAccountRecord). */
export interface TransferParty {
  userId: number;
  masterId: number;
  name: string;
  enabled: boolean;
  canTransOut: boolean;
}

/** Who pays and who receives, and the sub-account the transfer is recorded under. */
export interface SubTransferRoute {
  fromUserId: number;
  toUserId: number;
  masterId: number;
  /** The sub-account OKX reports (`subAcct`): the one named in the request, or the caller for type 3. */
  subAcct: string;
}

/** What planning a transfer knows: the caller and the sub-accounts its request names. */
export interface SubTransferParties {
  type: SubTransferType;
  callerId: number;
  /** The caller's own sub-account record, or null when the caller is a master account. */
  callerSub: TransferParty | null;
  /** `subAcct` as given ('' when absent). */
  subAcct: string;
  /** The sub-account `subAcct` names under the caller's master (or under the caller), or null. */
  named: TransferParty | null;
}

const suspended = (p: TransferParty) =>
  // UNCONFIRMED: OKX names no code for a frozen sub-account's transfer; 59508 ("The sub account of
  // {param0} is suspended.") is the one that names the sub-account (the fact sheet's §4).
  new RuleError('59508', `The sub account of ${p.name} is suspended.`, 'subAcct');

/**
 * Checks a type 1–4 transfer against who calls it, as OKX does: 58128 for a sub-account's key
 * sending type 1/2, 58127 for a master key sending 3/4, 50014 without a required `subAcct`,
 * 58115 for an unknown one, 59507 for a sub → sub transfer to itself, 59508 when a sub-account
 * involved is frozen, 58119 when the paying sub-account may not transfer out.
 *
 * `canTransOut` gates type 4 (OKX: sub → sub needs set-transfer-out) and type 3 (the sub-account's
 * own key moving money out); whether OKX also refuses type 3 is UNCONFIRMED (fact sheet §4): signet
 * reads `canTransOut: false` as "this sub-account moves nothing out by itself". Type 2 is the
 * master taking money back and is never gated.
 */
export function planSubTransfer(p: SubTransferParties): SubTransferRoute {
  const { type, callerSub } = p;
  if ((type === '1' || type === '2') && callerSub !== null)
    throw new RuleError('58128', `type: a sub-account's API key cannot send type ${type}; use 3 or 4`, 'type');
  if ((type === '3' || type === '4') && callerSub === null)
    throw new RuleError('58127', `type: a master account's API key cannot send type ${type}; use 1 or 2`, 'type');
  if (type === '3') {
    if (callerSub === null) throw new Error('unreachable: type 3 without a sub-account caller');
    if (!callerSub.enabled) throw suspended(callerSub);
    if (!callerSub.canTransOut) throw noTransOut(callerSub);
    return {
      fromUserId: callerSub.userId,
      toUserId: callerSub.masterId,
      masterId: callerSub.masterId,
      subAcct: callerSub.name,
    };
  }
  if (p.subAcct === '') throw new RuleError('50014', `subAcct: required for type ${type}`, 'subAcct');
  const named = p.named;
  if (named === null) throw new RuleError('58115', `subAcct: no sub-account ${p.subAcct}`, 'subAcct');
  if (!named.enabled) throw suspended(named);
  if (type === '1')
    return { fromUserId: p.callerId, toUserId: named.userId, masterId: p.callerId, subAcct: named.name };
  if (type === '2')
    return { fromUserId: named.userId, toUserId: p.callerId, masterId: p.callerId, subAcct: named.name };
  if (callerSub === null) throw new Error('unreachable: type 4 without a sub-account caller');
  if (named.userId === callerSub.userId)
    throw new RuleError('59507', 'subAcct: a sub-account cannot transfer to itself', 'subAcct');
  if (!callerSub.enabled) throw suspended(callerSub);
  if (!callerSub.canTransOut) throw noTransOut(callerSub);
  return { fromUserId: callerSub.userId, toUserId: named.userId, masterId: callerSub.masterId, subAcct: named.name };
}

const noTransOut = (p: TransferParty) =>
  new RuleError('58119', `${p.name} Sub-account has no permission to transfer out, please set first.`, 'type');

/**
 * Ledger kinds of the two sides, chosen so that the funding bills carry OKX's types: 20 "Transfer
 * to sub account" and 21 "Transfer from sub account" (the master's side), 22 "Transfer out from
 * sub to master account" and 23 "Transfer in from master to sub account" (the sub-account's side).
 * A sub → sub transfer (type 4) uses 20 and 21 on the two sub-accounts: OKX documents no bill type
 * for it (UNCONFIRMED).
 */
export const SUB_TRANSFER_KINDS = {
  toSub: 'to_sub',
  fromSub: 'from_sub',
  toMaster: 'to_master',
  fromMaster: 'from_master',
} as const;

function kindsOf(type: SubTransferType): { out: string; in: string } {
  const k = SUB_TRANSFER_KINDS;
  if (type === '1') return { out: k.toSub, in: k.fromMaster };
  if (type === '4') return { out: k.toSub, in: k.fromSub };
  return { out: k.toMaster, in: k.fromSub };
}

/** The two entries of a type 1–4 transfer: `amt` leaves the payer's `from` account and enters the receiver's `to`. */
export function subTransferEntries(
  type: SubTransferType,
  route: SubTransferRoute,
  env: KeyEnv,
  t: { ccy: string; amt: string; from: AccountType; to: AccountType; transId: string; clientId: string },
): LedgerEntry[] {
  const kinds = kindsOf(type);
  const amt = new Big(t.amt);
  const side = (userId: number, account: AccountType, delta: Big, kind: string): LedgerEntry => ({
    userId,
    env,
    account,
    ccy: t.ccy,
    availDelta: delta.toFixed(),
    frozenDelta: '0',
    kind,
    ref: t.transId,
    clientId: t.clientId,
  });
  return [side(route.fromUserId, t.from, amt.neg(), kinds.out), side(route.toUserId, t.to, amt, kinds.in)];
}

/** The direction `GET /asset/subaccount/bills` reports: '0' master → sub, '1' sub → master; null for sub → sub. */
export function subBillType(type: SubTransferType): '0' | '1' | null {
  if (type === '1') return '0';
  if (type === '2' || type === '3') return '1';
  return null;
}
