import { missingSubAccount } from '../core/conflicts.js';
import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import { parsePermissions } from '../core/permissions.js';
import type { SubAccountRecord, SubAccountStore } from '../store/subaccounts.js';
import type { KeyService, KeyView } from './key-service.js';

/** The master's key making the call: its account, its API key (recorded in the audit log) and its environment. */
export interface MasterCaller {
  userId: number;
  apiKey: string;
  env: KeyEnv;
}

/** OKX's answer to creating a sub-account's key: the only time the secret is shown. */
export interface SubAccountKeyCreated {
  subAcct: string;
  label: string;
  apiKey: string;
  secretKey: string;
  passphrase: string;
  perm: string;
  ip: string;
  /** Creation time, Unix ms. */
  ts: string;
}

/** A sub-account's key as OKX's query answers it (never a secret). */
export interface SubAccountKeyView {
  label: string;
  apiKey: string;
  perm: string;
  ip: string;
  ts: string;
}

export interface NewSubAccountKey {
  label: string;
  passphrase: string;
  perm?: string | undefined;
  ip?: string | undefined;
}

export interface SubAccountKeyChange {
  label?: string | undefined;
  perm?: string | undefined;
  /** "" unbinds every IP. */
  ip?: string | undefined;
}

/**
 * A master account's management of its sub-accounts' API keys (OKX's users/subaccount/apikey
 * endpoints): the sub-account must be the master's (59510), the key the sub-account's (59506);
 * every other rule is KeyService's, as for any key. The audit entries say actor 'api', by the
 * master's API key. Keys live in the caller's environment: a demo master key manages the
 * sub-account's demo keys (OKX's demo is the same account with keys of its own; whether OKX demo
 * offers these endpoints is UNCONFIRMED, so signet serves them there too).
 *
 * @example
 *   const created = await subKeys.create(master, 'bot001', { label: 'k', passphrase: 'Passw0rd!', perm: 'trade' }, now);
 */
export class SubAccountKeys {
  constructor(
    private readonly store: Pick<SubAccountStore, 'getSubAccount'>,
    private readonly keys: KeyService,
  ) {}

  /** The master's sub-account of that name, or RuleError 59510. */
  async subAccount(masterId: number, name: string): Promise<SubAccountRecord> {
    const sub = await this.store.getSubAccount(masterId, name);
    if (sub === null) throw missingSubAccount(name);
    return sub;
  }

  async create(
    master: MasterCaller,
    subAcct: string,
    input: NewSubAccountKey,
    now: number,
  ): Promise<SubAccountKeyCreated> {
    const sub = await this.subAccount(master.userId, subAcct);
    // OKX's users/ page names no default; its ND-broker twin says "read_only by default" (UNCONFIRMED here).
    const perm = subAccountPerm(input.perm ?? 'read_only');
    const created = await this.keys.create(
      sub.userId,
      { label: input.label, passphrase: input.passphrase, perm, ip: input.ip ?? '', env: master.env },
      by(master),
      now,
    );
    return {
      subAcct: sub.name,
      label: created.label,
      apiKey: created.apiKey,
      secretKey: created.secretKey,
      passphrase: input.passphrase,
      perm: created.perm,
      ip: created.ip,
      ts: String(now),
    };
  }

  /** The sub-account's keys in the caller's environment, or just `apiKey` (59506 if it is not one of them). */
  async list(master: MasterCaller, subAcct: string, apiKey?: string): Promise<SubAccountKeyView[]> {
    const sub = await this.subAccount(master.userId, subAcct);
    const keys = (await this.keys.list(sub.userId)).filter((k) => k.env === master.env);
    if (apiKey === undefined) return keys.map(queryView);
    const key = keys.find((k) => k.apiKey === apiKey);
    // OKX's answer for an unknown apiKey is UNCONFIRMED (59506 or an empty list): 59506, as modify and delete.
    if (key === undefined) throw missingKey(apiKey);
    return [queryView(key)];
  }

  /** Changes what is given (label, perm, ip; ip "" unbinds); the key as it is now, with the sub-account's name. */
  async modify(
    master: MasterCaller,
    subAcct: string,
    apiKey: string,
    change: SubAccountKeyChange,
    now: number,
  ): Promise<SubAccountKeyView & { subAcct: string }> {
    const sub = await this.owning(master, subAcct, apiKey);
    const perm = change.perm === undefined ? undefined : subAccountPerm(change.perm);
    const view = await this.keys.modify(
      sub.userId,
      apiKey,
      { label: change.label, perm, ip: change.ip },
      by(master),
      now,
    );
    return { subAcct: sub.name, ...queryView(view) };
  }

  async remove(master: MasterCaller, subAcct: string, apiKey: string, now: number): Promise<{ subAcct: string }> {
    const sub = await this.owning(master, subAcct, apiKey);
    await this.keys.remove(sub.userId, apiKey, by(master), now);
    return { subAcct: sub.name };
  }

  /** The sub-account, once the key is known to be its key in the caller's environment (else 59506). */
  private async owning(master: MasterCaller, subAcct: string, apiKey: string): Promise<SubAccountRecord> {
    const sub = await this.subAccount(master.userId, subAcct);
    const keys = await this.keys.list(sub.userId);
    if (!keys.some((k) => k.apiKey === apiKey && k.env === master.env)) throw missingKey(apiKey);
    return sub;
  }
}

const by = (master: MasterCaller) => ({ actor: 'api' as const, by: master.apiKey });

const queryView = (k: KeyView): SubAccountKeyView => ({
  label: k.label,
  apiKey: k.apiKey,
  perm: k.perm,
  ip: k.ip,
  ts: String(Date.parse(k.createdAt)),
});

/**
 * A sub-account key's permissions: read_only and/or trade. OKX offers no withdraw for them
 * (sub-accounts cannot withdraw), so it is a parameter error here.
 */
function subAccountPerm(perm: string): string {
  if (parsePermissions(perm).withdraw) {
    throw new RuleError('51000', 'perm: a sub-account key may have read_only and trade, not withdraw', 'perm');
  }
  return perm;
}

function missingKey(apiKey: string): RuleError {
  return new RuleError('59506', `apiKey: API key ${apiKey} doesn't exist in this sub-account`, 'apiKey');
}
