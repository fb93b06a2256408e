import { missingSubAccount } from '../core/conflicts.js';
import { RuleError } from '../core/errors.js';
import { checkNewSubAccount, checkSubAccountName, MAX_SUB_ACCOUNTS } from '../core/subaccount-rules.js';
import type { Actor, KeyStore, SubAccountQuery, SubAccountRecord, SubAccountStore, UserStore } from '../store/store.js';
import { newUid } from './user-service.js';

/** A sub-account with its own account's uid, as the list endpoint, the CLI and the console show it. */
export interface SubAccountView extends SubAccountRecord {
  uid: string;
}

/** What a create request carries (OKX's `subAcct`, `label`, `type`), unchecked. */
export interface CreateSubAccountInput {
  name: unknown;
  label?: unknown;
  type: unknown;
}

/**
 * OKX's sub-accounts of a master account: create, list, look up (59510), freeze and unfreeze
 * (signet's operator and console feature: OKX has no API for it), and `canTransOut`.
 * A frozen sub-account's keys are refused with 50100 everywhere within a second (the freeze
 * audits each key, see SubAccountStore.setSubAccountEnabled).
 *
 * @example
 *   const sub = await subs.create(master.id, { name: 'bot001', type: '1' }, Date.now());
 */
export class SubAccountService {
  constructor(
    private readonly store: SubAccountStore & Pick<UserStore, 'findUserById'> & Pick<KeyStore, 'listKeys'>,
    /** The most sub-accounts per master (59603 beyond). */
    private readonly max = MAX_SUB_ACCOUNTS,
  ) {}

  /**
   * Creates a sub-account of `masterId` with an account of its own (new uid, no password): RuleError
   * 51000/50014 for a bad name, label or type, 59603 past the limit, 59601 for a taken name,
   * 59500 if `masterId` is itself a sub-account.
   */
  async create(masterId: number, input: CreateSubAccountInput, now: number): Promise<SubAccountView> {
    await this.master(masterId);
    // The limit is checked outside the insert's transaction: two racing creates may pass it by one.
    const count = (await this.store.listSubAccounts(masterId, { limit: this.max })).length;
    const valid = checkNewSubAccount({ name: input.name, label: input.label, type: input.type }, count, this.max);
    const uid = newUid();
    const { sub } = await this.store.createSubAccount({ masterId, ...valid, uid, createdAt: now });
    return { ...sub, uid };
  }

  /** The master's sub-accounts for OKX's list query, newest first. */
  async list(masterId: number, query: SubAccountQuery): Promise<SubAccountView[]> {
    return Promise.all((await this.store.listSubAccounts(masterId, query)).map((s) => this.withUid(s)));
  }

  /** The master's sub-account of that name, or RuleError 59510. */
  async get(masterId: number, name: string): Promise<SubAccountView> {
    const sub = await this.store.getSubAccount(masterId, name);
    if (sub === null) throw missingSubAccount(name);
    return this.withUid(sub);
  }

  /** The sub-account record of an account, or null for a master account. */
  async of(userId: number): Promise<SubAccountRecord | null> {
    return this.store.subAccountOf(userId);
  }

  /** True when the account is a frozen sub-account (its keys are refused; task G refuses its transfers). */
  async isFrozen(userId: number): Promise<boolean> {
    return (await this.store.subAccountOf(userId))?.enabled === false;
  }

  /** Freezes the sub-account: its keys are refused with 50100 within a second on every instance. */
  async freeze(masterId: number, name: string, actor: Actor, now: number): Promise<SubAccountView> {
    return this.setEnabled(masterId, name, false, actor, now);
  }

  /** Unfreezes the sub-account: its keys work again (within a second everywhere). */
  async unfreeze(masterId: number, name: string, actor: Actor, now: number): Promise<SubAccountView> {
    return this.setEnabled(masterId, name, true, actor, now);
  }

  /**
   * OKX's set-transfer-out: up to 20 sub-accounts, all of them the master's (59510 otherwise, and
   * nothing changed), each answered with its new `canTransOut`.
   */
  async setTransferOut(
    masterId: number,
    names: readonly string[],
    canTransOut: boolean,
    now: number,
  ): Promise<Array<{ subAcct: string; canTransOut: boolean }>> {
    if (names.length === 0) throw new RuleError('50014', 'subAcct: required', 'subAcct');
    if (names.length > 20) throw new RuleError('51000', 'subAcct: at most 20 sub-accounts at once', 'subAcct');
    for (const name of names) await this.get(masterId, checkSubAccountName(name));
    const out: Array<{ subAcct: string; canTransOut: boolean }> = [];
    for (const name of names) {
      const sub = await this.store.updateSubAccount(masterId, name, { canTransOut }, now);
      if (sub === null) throw missingSubAccount(name);
      out.push({ subAcct: sub.name, canTransOut: sub.canTransOut });
    }
    return out;
  }

  /** How many keys the sub-account has (the CLI's list). */
  async keyCount(sub: SubAccountRecord): Promise<number> {
    return (await this.store.listKeys(sub.userId)).length;
  }

  private async setEnabled(
    masterId: number,
    name: string,
    enabled: boolean,
    actor: Actor,
    now: number,
  ): Promise<SubAccountView> {
    const current = await this.get(masterId, name);
    if (current.enabled === enabled)
      throw new RuleError('51000', `subAcct: ${name} is already ${enabled ? 'active' : 'frozen'}`, 'subAcct');
    const sub = await this.store.setSubAccountEnabled(masterId, name, enabled, actor, now);
    if (sub === null) throw missingSubAccount(name);
    return { ...sub, uid: current.uid };
  }

  private async master(masterId: number): Promise<void> {
    const user = await this.store.findUserById(masterId);
    if (user === null) throw new RuleError('51000', 'user: no such account', 'user');
    if (user.masterId !== null)
      throw new RuleError('59500', 'a sub-account cannot have sub-accounts of its own', 'subAcct');
  }

  private async withUid(sub: SubAccountRecord): Promise<SubAccountView> {
    const user = await this.store.findUserById(sub.userId);
    if (user === null) throw new Error(`sub-account ${sub.name} has no account row`);
    return { ...sub, uid: user.uid };
  }
}
