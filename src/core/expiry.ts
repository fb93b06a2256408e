import type { KeyEnv } from './key-rules.js';
import type { PermissionSet } from './permissions.js';

/**
 * When unbound keys expire.
 * - 'unbound': the guide's rule, every key with no IP address (default).
 * - 'unbound-trading': OKX's current site, only unbound keys with Trade or Withdraw.
 * Demo keys, keys bound to IPs and keys bound to a registered app (whose IP list they admit) never expire.
 */
export interface ExpiryPolicy {
  readonly scope: 'unbound' | 'unbound-trading';
  /** Idle period after which an unbound key is deleted, in milliseconds. */
  readonly periodMs: number;
}

export const DAY_MS = 86_400_000;
export const DEFAULT_EXPIRY: ExpiryPolicy = Object.freeze({ scope: 'unbound', periodMs: 30 * DAY_MS });

export interface ExpiryFacts {
  env: KeyEnv;
  ips: readonly string[];
  /** The registered app the key is bound to (Connect), if any: such a key is bound and never expires. */
  appId?: string | null;
  perms: PermissionSet;
  /** Unix ms. */
  createdAt: number;
  /** Unix ms of the last authenticated request, or null if never used. */
  lastUsedAt: number | null;
}

export function canExpire(key: Omit<ExpiryFacts, 'createdAt' | 'lastUsedAt'>, policy: ExpiryPolicy): boolean {
  if (key.env === 'demo' || key.ips.length > 0 || (key.appId ?? null) !== null) return false;
  if (policy.scope === 'unbound-trading') return key.perms.trade || key.perms.withdraw;
  return true;
}

/** Unix ms at which the key is deleted if unused until then, or null if it never expires. */
export function expiresAt(key: ExpiryFacts, policy: ExpiryPolicy): number | null {
  if (!canExpire(key, policy)) return null;
  return (key.lastUsedAt ?? key.createdAt) + policy.periodMs;
}

/** A key whose expiry moment is at or before `now` is expired. */
export function isExpired(key: ExpiryFacts, policy: ExpiryPolicy, now: number): boolean {
  const at = expiresAt(key, policy);
  return at !== null && at <= now;
}

/** The keys among `keys` that are expired under `policy` at `now` (what the sweeper deletes). */
export function expiredKeys<K extends ExpiryFacts>(keys: readonly K[], policy: ExpiryPolicy, now: number): K[] {
  return keys.filter((k) => isExpired(k, policy, now));
}

/** The warnings sent before an idle key is deleted: 7 days and 1 day ahead. */
export type ExpiryWarningStage = '7d' | '1d';
/** How long before its expiry moment a key gets its first warning, ms. */
export const EARLIEST_WARNING_MS = 7 * DAY_MS;
const WARNING_LEAD: ReadonlyArray<readonly [ExpiryWarningStage, number]> = [
  ['1d', DAY_MS],
  ['7d', EARLIEST_WARNING_MS],
];

/**
 * The warning stage due at `now` for a key that expires at `expiresAt` (see `expiresAt`): '1d'
 * within a day of it, '7d' within a week, null earlier or once it has expired. The sweeper sends
 * each (key, stage, expiry moment) once; a key used again gets a new moment and new warnings.
 */
export function warningStageDue(expiresAtMs: number | null, now: number): ExpiryWarningStage | null {
  if (expiresAtMs === null || expiresAtMs <= now) return null;
  for (const [stage, lead] of WARNING_LEAD) if (expiresAtMs - now <= lead) return stage;
  return null;
}
