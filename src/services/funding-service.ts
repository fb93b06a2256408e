import { randomBytes } from 'node:crypto';
import { RuleError } from '../core/errors.js';
import {
  accountType,
  holdEntries,
  internalEntries,
  releaseEntries,
  settleEntries,
  transferEntries,
  validateWithdrawal,
  type Withdrawal,
  type WithdrawalRequest,
} from '../core/funding.js';
import type { KeyEnv } from '../core/key-rules.js';
import { type LedgerEntry, parseAmount } from '../core/ledger.js';
import { CURRENCY_BY_CCY } from '../core/markets.js';
import { SUB_TRANSFER_TYPES, type SubTransferType } from '../core/sub-transfers.js';
import type {
  ClusterStore,
  DepositQuery,
  DepositRecord,
  FundingStore,
  LedgerStore,
  SubAccountStore,
  SubTransferRecord,
  SubTransferStore,
  UserStore,
  WithdrawalAddress,
  WithdrawalQuery,
} from '../store/store.js';
import { IdBlocks } from './id-blocks.js';
import type { LedgerService } from './ledger-service.js';
import { SubTransferService } from './sub-transfer-service.js';
import { normalizeEmail } from './user-service.js';

/** Turns the store's insufficient-balance refusal into the funding code (58350). */
async function fundingBalance<T>(task: Promise<T>): Promise<T> {
  try {
    return await task;
  } catch (err) {
    if (err instanceof RuleError && err.code === '51008')
      throw new RuleError('58350', `${err.field ?? 'ccy'}: insufficient balance in the funding account`, 'amt');
    throw err;
  }
}

export interface TransferRequest {
  ccy?: unknown;
  amt?: unknown;
  from?: unknown;
  to?: unknown;
  type?: unknown;
  clientId?: unknown;
  /** Types 1, 2 and 4: the sub-account (see core/sub-transfers.ts). */
  subAcct?: unknown;
  /** Accepted and ignored: signet lends nothing, and has no portfolio margin. */
  loanTrans?: unknown;
  omitPosRisk?: unknown;
}

/** A request field as text; python-okx sends "" for a field it leaves unset. */
const given = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** `type`: '0' (the default) within the account, or a transfer with a sub-account (1–4). */
function transferType(v: unknown): '0' | SubTransferType {
  const type = given(v) === '' ? '0' : given(v);
  if (type === '0') return '0';
  const sub = SUB_TRANSFER_TYPES.find((t) => t === type);
  if (sub === undefined) throw new RuleError('51000', `type: 0 to 4, got "${type}"`, 'type');
  return sub;
}

function flag(v: unknown, name: string): void {
  if (v === undefined || typeof v === 'boolean' || v === '' || v === 'true' || v === 'false') return;
  throw new RuleError('51000', `${name}: true or false`, name);
}

/**
 * Funding: transfers between the funding (6) and trading (18) accounts, the withdrawal address
 * book, and withdrawals: on-chain ones (dest 4) only to a listed address, held pending for
 * `settleMs` and then sent; internal ones (dest 3) to another signet account at once.
 */
export class FundingService {
  /** Withdrawal and transfer ids, one at a time from the database (unique across instances, led by the clock in Unix ms). */
  private readonly ids: IdBlocks;
  /** Transfers between a master and its sub-accounts (types 1–4) and the master's views of them. */
  readonly subTransfers: SubTransferService;

  constructor(
    private readonly store: FundingStore & LedgerStore & UserStore & ClusterStore & SubAccountStore & SubTransferStore,
    private readonly ledger: LedgerService,
    private readonly settleMs: number,
  ) {
    this.ids = new IdBlocks(store, 'withdrawal', 1, (now) => BigInt(now));
    this.subTransfers = new SubTransferService(store);
  }

  async start(): Promise<void> {
    // Nothing to load: ids come from the database.
  }

  private nextWdId(now: number): Promise<string> {
    return this.ids.nextId(now);
  }

  private async apply(entries: readonly LedgerEntry[], write: Promise<unknown>): Promise<void> {
    try {
      await write;
    } finally {
      for (const e of entries) this.ledger.invalidate(e.userId, e.env);
    }
  }

  async transfer(
    userId: number,
    env: KeyEnv,
    req: TransferRequest,
    now: number,
  ): Promise<{ transId: string; ccy: string; amt: string; from: string; to: string; clientId: string }> {
    const type = transferType(req.type);
    const ccy = typeof req.ccy === 'string' ? req.ccy.toUpperCase() : '';
    if (!CURRENCY_BY_CCY.has(ccy)) throw new RuleError('51000', `ccy: "${ccy}" is not listed`, 'ccy');
    if (typeof req.amt !== 'string' || req.amt === '') throw new RuleError('50014', 'amt: required', 'amt');
    const amt = parseAmount(req.amt);
    const from = accountType(req.from, 'from');
    const to = accountType(req.to, 'to');
    // Within one account from and to must differ (58123); between accounts 6 → 6 is ccxt's default.
    if (type === '0' && from === to) throw new RuleError('58123', 'to: must differ from from within the account', 'to');
    const clientId = given(req.clientId);
    if (clientId !== '' && !/^[A-Za-z0-9]{1,32}$/.test(clientId))
      throw new RuleError('51000', 'clientId: up to 32 letters and digits', 'clientId');
    flag(req.loanTrans, 'loanTrans');
    flag(req.omitPosRisk, 'omitPosRisk');
    if (type !== '0') {
      const subAcct = given(req.subAcct);
      const input = { type, ccy, amt, from, to, clientId, subAcct, transId: '' };
      // Refusals about who may move what come before an id is taken.
      const { record, entries } = await this.subTransfers.plan(userId, env, input, now);
      const transId = await this.nextWdId(now);
      await this.applySub(
        { ...record, transId },
        entries.map((e) => ({ ...e, ref: transId })),
        now,
      );
      return { transId, ccy, amt, from, to, clientId };
    }
    const transId = await this.nextWdId(now);
    // The client id stays with the entries: GET /asset/transfer-state and the bills find it there.
    const entries = transferEntries(userId, env, ccy, amt, from, to, transId).map((e) => ({ ...e, clientId }));
    await this.apply(entries, fundingBalance(this.store.applyEntries(entries, now)));
    return { transId, ccy, amt, from, to, clientId };
  }

  private applySub(record: SubTransferRecord, entries: readonly LedgerEntry[], now: number): Promise<void> {
    return this.apply(entries, fundingBalance(this.store.applySubTransfer(record, entries, now)));
  }

  /** The account's withdrawal address book (shared with the console; rules in core/withdrawal-address.ts). */
  listAddresses(userId: number): Promise<WithdrawalAddress[]> {
    return this.store.listWithdrawalAddresses(userId);
  }

  async withdraw(userId: number, env: KeyEnv, req: WithdrawalRequest, now: number): Promise<Withdrawal> {
    const v = validateWithdrawal(req, CURRENCY_BY_CCY);
    const base: Withdrawal = {
      wdId: await this.nextWdId(now),
      clientId: v.clientId,
      userId,
      env,
      ccy: v.currency.ccy,
      chain: v.chain.chain,
      amt: v.amt,
      fee: v.fee,
      dest: v.dest,
      toAddr: v.toAddr,
      toUserId: null,
      state: '0',
      txId: '',
      createdAt: now,
      updatedAt: now,
    };
    if (v.dest === '3') {
      const to = await this.store.findUserByEmail(normalizeEmail(v.toAddr));
      if (to === null) throw new RuleError('58207', `toAddr: no signet account with email ${v.toAddr}`, 'toAddr');
      if (to.id === userId)
        throw new RuleError('51000', 'toAddr: an internal withdrawal goes to another account', 'toAddr');
      const w: Withdrawal = { ...base, toUserId: to.id, state: '2', txId: '' };
      const entries = internalEntries(w, to.id);
      await this.apply(entries, fundingBalance(this.store.insertWithdrawal(w, entries, now)));
      return w;
    }
    const book = await this.store.listWithdrawalAddresses(userId);
    if (!book.some((a) => a.ccy === base.ccy && a.chain === base.chain && a.address === v.toAddr)) {
      throw new RuleError(
        '58207',
        `toAddr: ${v.toAddr} is not in the address book for ${base.chain}; add it first (signet address add)`,
        'toAddr',
      );
    }
    const entries = holdEntries(base);
    await this.apply(entries, fundingBalance(this.store.insertWithdrawal(base, entries, now)));
    return base;
  }

  async cancel(userId: number, env: KeyEnv, wdId: string, now: number): Promise<Withdrawal> {
    const w = await this.store.findWithdrawal(userId, env, wdId);
    if (w === null) throw new RuleError('58215', `wdId: no withdrawal ${wdId}`, 'wdId');
    const entries = releaseEntries(w);
    const moved =
      w.state === '0' && w.dest === '4'
        ? await this.store.transitionWithdrawal(wdId, '0', { state: '-2', txId: '' }, entries, now)
        : null;
    if (moved === null)
      throw new RuleError('58216', `wdId: withdrawal ${wdId} is no longer pending and cannot be canceled`, 'wdId');
    for (const e of entries) this.ledger.invalidate(e.userId, e.env);
    return moved;
  }

  /** Sends every on-chain withdrawal pending for at least `settleMs`; returns how many. */
  async settlePending(now: number): Promise<number> {
    let sent = 0;
    for (const w of await this.store.pendingWithdrawals(now - this.settleMs)) {
      const entries = settleEntries(w);
      if (
        await this.store.transitionWithdrawal(
          w.wdId,
          '0',
          { state: '2', txId: `0x${randomBytes(32).toString('hex')}` },
          entries,
          now,
        )
      )
        sent++;
      this.ledger.invalidate(w.userId, w.env);
    }
    return sent;
  }

  /** An account's withdrawals, newest first (WithdrawalQuery). */
  listWithdrawals(userId: number, env: KeyEnv, q: WithdrawalQuery): Promise<Withdrawal[]> {
    return this.store.listWithdrawals(userId, env, q);
  }

  /**
   * Funds that arrived in an account, newest first. Every signet deposit is credited at once
   * (OKX state 2, "deposit successful") and has no transaction hash, so asking for another state
   * or for a txId finds none.
   */
  listDeposits(
    userId: number,
    env: KeyEnv,
    q: DepositQuery & { state?: string | undefined },
  ): Promise<DepositRecord[]> {
    // Every paper deposit is credited at once: state 2.
    const { state, ...query } = q;
    if (state !== undefined && state !== '2') return Promise.resolve([]);
    if (query.depId !== undefined && !/^[0-9]{1,15}$/.test(query.depId)) return Promise.resolve([]);
    return this.store.listDeposits(userId, env, query);
  }
}
