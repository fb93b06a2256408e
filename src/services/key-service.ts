import { randomBytes, randomUUID } from 'node:crypto';
import { RuleError } from '../core/errors.js';
import { type ExpiryPolicy, expiresAt } from '../core/expiry.js';
import { checkGrace } from '../core/grace.js';
import { parseIpList } from '../core/ip-whitelist.js';
import {
  DEFAULT_KEY_POLICY,
  type KeyChangeInput,
  type KeyPolicy,
  type NewKeyInput,
  validateKeyChange,
  validateKeyChangeAll,
  validateNewKey,
  validateNewKeyAll,
} from '../core/key-rules.js';
import { formatPermissions, parsePermissions } from '../core/permissions.js';
import type { PassphraseVerifier } from '../security/passphrase-verifier.js';
import type { SecretBox } from '../security/secret-box.js';
import { slowHash } from '../security/slow-hash.js';
import type { Actor, AppStore, KeyActor, KeyRecord, KeyRevision, KeyStore } from '../store/store.js';
import { disableRevision, enableRevision, graceEnd, rollRevision } from './key-state.js';

/** A key as shown to its owner (never the secret or passphrase). Times are ISO-8601. */
export interface KeyView {
  apiKey: string;
  label: string;
  /** OKX spelling, e.g. "read_only,trade". */
  perm: string;
  /** Comma-joined IPs, "" when unbound. */
  ip: string;
  env: 'live' | 'demo';
  createdAt: string;
  lastUsedAt: string | null;
  /** When the key is deleted if unused until then; null if it never expires. */
  expiresAt: string | null;
  /** The registered app the key was made for through Connect (it follows the app's IPs), or null. */
  app: { clientId: string; name: string } | null;
  /** Disabled keys are refused with 50100 and keep their settings (and their idle clock). */
  disabled: boolean;
  disabledAt: string | null;
  /** Until when the secret replaced by the last roll still works; null when it no longer does. */
  graceUntil: string | null;
}

/** Shown exactly once, after a roll: the new secret for the same API key. */
export interface RolledKey {
  apiKey: string;
  secretKey: string;
  /** When the previous secret stops working; null when it stopped at once (grace 0). */
  graceUntil: string | null;
}

/** What happened to a key: audit entries and counted rejections, newest first; times ISO-8601. */
export interface KeyActivity {
  events: Array<{ at: string; actor: string; action: string; detail: Record<string, unknown> }>;
  rejections: Array<{ code: string; ip: string; count: number; firstAt: string; lastAt: string }>;
}

const ACTIVITY_LIMIT = 100;
/** How far back the console lists deleted keys (their activity stays in the audit log). */
const DELETED_KEYS_DAYS = 30;

/** A key that no longer exists, for its owner's activity view. */
export interface DeletedKeyView {
  apiKey: string;
  label: string;
  deletedAt: string;
  /** 'deleted' by a person or the CLI, 'expired' by the sweeper. */
  how: 'deleted' | 'expired';
  by: string;
}

/** Shown exactly once, at creation. */
export interface CreatedKey {
  apiKey: string;
  secretKey: string;
  label: string;
  perm: string;
  ip: string;
  env: 'live' | 'demo';
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** API key management for every edge (CLI, console, sub-account API): the rules live in core. */
export class KeyService {
  constructor(
    private readonly store: KeyStore & Pick<AppStore, 'getApp'>,
    private readonly box: SecretBox,
    private readonly policy: ExpiryPolicy,
    private readonly rules: KeyPolicy = DEFAULT_KEY_POLICY,
    /** New keys get this keyed passphrase verifier; null: a scrypt hash (as before). */
    private readonly verifier: PassphraseVerifier | null = null,
  ) {}

  /** Whether keys with Withdraw must bind IP addresses (SIGNET_WITHDRAW_REQUIRES_IP). */
  get withdrawRequiresIp(): boolean {
    return this.rules.withdrawRequiresIp;
  }

  /**
   * Checks a creation request against every rule without creating anything: RuleErrors with
   * every problem, so the console can ask for an authenticator code only for a key that can be made.
   */
  async checkNew(userId: number, input: NewKeyInput): Promise<void> {
    const keys = await this.store.listKeys(userId);
    validateNewKeyAll(input, { count: keys.length, labels: keys.map((k) => k.label) }, this.rules);
  }

  /** Checks a change to the account's key against every rule (RuleErrors), without changing it. */
  async checkChange(userId: number, apiKey: string, input: KeyChangeInput): Promise<void> {
    const keys = await this.store.listKeys(userId);
    const current = keys.find((k) => k.apiKey === apiKey);
    if (current === undefined) throw missingKey(apiKey);
    const others = keys.filter((k) => k.apiKey !== apiKey).map((k) => k.label);
    refuseAppKeyChange(current, input);
    validateKeyChangeAll(input, others, current, this.rules);
  }

  /**
   * The key for its owner; `now` (Unix ms) decides whether a grace period is still running;
   * `appName` names the app of a key made through Connect.
   */
  view(
    key: KeyRecord,
    lastUsedAt: number | null = key.lastUsedAt,
    now?: number,
    appName: string = key.appId ?? '',
  ): KeyView {
    return {
      apiKey: key.apiKey,
      label: key.label,
      perm: formatPermissions(key.perms),
      ip: key.ips.join(','),
      env: key.env,
      createdAt: new Date(key.createdAt).toISOString(),
      lastUsedAt: iso(lastUsedAt),
      expiresAt: iso(expiresAt({ ...key, lastUsedAt }, this.policy)),
      app: key.appId === null ? null : { clientId: key.appId, name: appName },
      disabled: key.disabledAt !== null,
      disabledAt: iso(key.disabledAt),
      graceUntil: iso(now === undefined ? key.prevSecretUntil : graceEnd(key, now)),
    };
  }

  /**
   * Creates a key; with `appId`, a key bound to that registered app (Connect): no IPs of its own
   * (it follows the app's list), and at most one per (account, app) (50116).
   */
  async create(
    userId: number,
    input: NewKeyInput,
    actor: KeyActor,
    now: number,
    appId: string | null = null,
  ): Promise<CreatedKey> {
    const accountOf = (keys: readonly KeyRecord[]) => ({ count: keys.length, labels: keys.map((k) => k.label) });
    // Validate before the slow hash so bad input answers at once; checked again in the transaction.
    const valid = validateNewKeyAll(input, accountOf(await this.store.listKeys(userId)), this.rules);
    const apiKey = randomUUID();
    const secretKey = newSecret();
    const passphraseHash =
      this.verifier === null ? await slowHash(valid.passphrase) : this.verifier.make(apiKey, valid.passphrase);
    const secretSealed = this.box.seal(secretKey, apiKey);
    const record = await this.store.createKey(
      userId,
      (existing) => {
        validateNewKey(input, accountOf(existing));
        if (appId !== null && existing.some((k) => k.appId === appId)) throw oneKeyPerApp();
        return {
          apiKey,
          userId,
          label: valid.label,
          perms: valid.perms,
          ips: appId === null ? valid.ips : [],
          env: valid.env,
          secretSealed,
          passphraseHash,
          createdAt: now,
          updatedAt: now,
          lastUsedAt: null,
          appId,
          disabledAt: null,
          prevSecretSealed: null,
          prevSecretUntil: null,
        };
      },
      actor,
      now,
    );
    return {
      apiKey,
      secretKey,
      label: record.label,
      perm: formatPermissions(record.perms),
      ip: record.ips.join(','),
      env: record.env,
    };
  }

  /** The account's keys; with `now`, a grace period that has ended shows as none. */
  async list(userId: number, now?: number): Promise<KeyView[]> {
    const keys = await this.store.listKeys(userId);
    const names = new Map<string, string>();
    for (const appId of new Set(keys.flatMap((k) => (k.appId === null ? [] : [k.appId])))) {
      names.set(appId, (await this.store.getApp(appId))?.name ?? appId);
    }
    return keys.map((k) => this.view(k, k.lastUsedAt, now, names.get(k.appId ?? '')));
  }

  /** Disables the key (refused with 50100, settings kept); RuleError if it is already disabled. */
  async disable(userId: number, apiKey: string, actor: Actor, now: number): Promise<KeyView> {
    return this.revise(userId, apiKey, disableRevision(now), actor, now);
  }

  /** Enables a disabled key with the settings it had; RuleError if it is not disabled. */
  async enable(userId: number, apiKey: string, actor: Actor, now: number): Promise<KeyView> {
    return this.revise(userId, apiKey, enableRevision(), actor, now);
  }

  /**
   * A new secret for the same key (permissions, IPs, passphrase kept), shown once; the old one
   * keeps working for `graceMs` (0 to 7 days; RuleError beyond).
   */
  async roll(userId: number, apiKey: string, graceMs: number, actor: Actor, now: number): Promise<RolledKey> {
    checkGrace(graceMs);
    const secretKey = newSecret();
    const updated = await this.store.reviseKey(
      userId,
      apiKey,
      rollRevision(this.box.seal(secretKey, apiKey), graceMs, now),
      actor,
      now,
    );
    if (updated === null) throw missingKey(apiKey);
    return { apiKey, secretKey, graceUntil: iso(graceEnd(updated, now)) };
  }

  private async revise(
    userId: number,
    apiKey: string,
    revise: (current: KeyRecord) => KeyRevision,
    actor: Actor,
    now: number,
  ): Promise<KeyView> {
    const updated = await this.store.reviseKey(userId, apiKey, revise, actor, now);
    if (updated === null) throw missingKey(apiKey);
    return this.view(updated, updated.lastUsedAt, now);
  }

  /** The account's key (its rules-relevant fields), or RuleError 59506 if the account has no such key. */
  async owned(
    userId: number,
    apiKey: string,
  ): Promise<Pick<KeyRecord, 'apiKey' | 'perms' | 'ips' | 'label' | 'disabledAt'>> {
    const key = await this.store.getKey(apiKey);
    if (key === null || key.userId !== userId) throw missingKey(apiKey);
    return { apiKey: key.apiKey, perms: key.perms, ips: key.ips, label: key.label, disabledAt: key.disabledAt };
  }

  /**
   * The key's activity for its owner, also after the key was deleted or expired (its audit entries
   * stay); RuleError 59506 for anyone else.
   */
  async activity(userId: number, apiKey: string): Promise<KeyActivity> {
    const [audit, rejections] = await Promise.all([
      this.store.listKeyAudit(userId, apiKey, ACTIVITY_LIMIT),
      this.store.listKeyRejections(userId, apiKey, ACTIVITY_LIMIT),
    ]);
    // Every key has a 'create' entry under its owner, so no entries means not this account's key.
    if (audit.length === 0) throw missingKey(apiKey);
    // Newest first by time: a first use from a new IP is written in a batch after it happened.
    audit.sort((a, b) => b.at - a.at);
    return {
      events: audit.map((e) => ({
        at: new Date(e.at).toISOString(),
        actor: e.actor,
        action: e.action,
        detail: e.detail,
      })),
      rejections: rejections.map((r) => ({
        code: r.code,
        ip: r.ip,
        count: r.count,
        firstAt: new Date(r.firstAt).toISOString(),
        lastAt: new Date(r.lastAt).toISOString(),
      })),
    };
  }

  /** The account's keys deleted or expired in the last DELETED_KEYS_DAYS days, newest first. */
  async deleted(userId: number, now: number): Promise<DeletedKeyView[]> {
    const since = now - DELETED_KEYS_DAYS * 86_400_000;
    const audit = await this.store.listAudit(userId, 1000);
    return audit
      .filter((e) => (e.action === 'delete' || e.action === 'expire') && e.at >= since)
      .map((e) => ({
        apiKey: e.apiKey,
        label: typeof e.detail['label'] === 'string' ? e.detail['label'] : '',
        deletedAt: new Date(e.at).toISOString(),
        how: e.action === 'expire' ? 'expired' : 'deleted',
        by: e.actor,
      }));
  }

  async modify(userId: number, apiKey: string, input: KeyChangeInput, actor: KeyActor, now: number): Promise<KeyView> {
    validateKeyChange(input, []);
    const updated = await this.store.updateKey(
      userId,
      apiKey,
      (current, others) =>
        refuseAppKeyChange(current, input) ??
        validateKeyChangeAll(
          input,
          others.map((k) => k.label),
          current,
          this.rules,
        ),
      actor,
      now,
    );
    if (updated === null) throw missingKey(apiKey);
    return this.view(updated);
  }

  async remove(userId: number, apiKey: string, actor: KeyActor, now: number): Promise<KeyView> {
    const deleted = await this.store.deleteKey(userId, apiKey, actor, now);
    if (deleted === null) throw missingKey(apiKey);
    return this.view(deleted);
  }

  /** The keys `sweep(now)` would delete, deleting nothing. */
  async expired(now: number): Promise<KeyView[]> {
    return (await this.store.listExpiredKeys(this.policy, now)).map((k) => this.view(k));
  }

  /**
   * Deletes keys expired at `now` (see core/expiry.ts). Without `onBatch`, returns what was deleted;
   * with it, hands over each batch's keys as it is deleted (awaited before the next batch) and
   * returns nothing: the server's sweeper never holds more than a batch, however many expire.
   */
  async sweep(now: number, onBatch?: (deleted: KeyView[]) => void | Promise<void>): Promise<KeyView[]> {
    if (onBatch === undefined) return (await this.store.deleteExpiredKeys(this.policy, now)).map((k) => this.view(k));
    await this.store.deleteExpiredKeys(this.policy, now, (keys) => onBatch(keys.map((k) => this.view(k))));
    return [];
  }
}

/** A second key for the same (account, app) through Connect. */
export function oneKeyPerApp(): RuleError {
  return new RuleError('50116', 'key: this account already has a key for the app; delete it first', 'key');
}

/**
 * A key made for an app follows the app's IPs and permissions: only its name may change (restating
 * the current IPs or permissions is no change). Returns undefined so it can precede the rules.
 */
function refuseAppKeyChange(current: KeyRecord, input: KeyChangeInput): undefined {
  if (current.appId === null) return undefined;
  const linked = `is linked to an app: it follows the app's`;
  if (input.ip !== undefined && parseIpList(input.ip).length > 0) {
    throw new RuleError('51000', `ip: this key ${linked} IP list, which only the app can change`, 'ip');
  }
  if (
    input.perm !== undefined &&
    formatPermissions(parsePermissions(input.perm)) !== formatPermissions(current.perms)
  ) {
    throw new RuleError(
      '51000',
      `perm: this key ${linked} grant; revoke the app and connect it again to change it`,
      'perm',
    );
  }
  return undefined;
}

/** A secret key as OKX makes them: 32 hex digits (128 random bits). */
function newSecret(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

function missingKey(apiKey: string): RuleError {
  return new RuleError('59506', `key: API key ${apiKey} doesn't exist in this account`, 'key');
}
