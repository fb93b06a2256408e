import type { OkxCode } from './errors.js';

/** What OKX's master-account endpoints ask of the calling key. */
export interface MasterRule {
  /**
   * The key must be bound to IP addresses: OKX's changes to sub-accounts and their keys
   * (create-subaccount, create/modify/delete apikey) say "master accounts API Key must be linked
   * to IP addresses". OKX names no code for it; 50035 ("This endpoint requires that APIKey must be
   * bound to IP") is its only code with that meaning.
   */
  boundToIp: boolean;
}

/** The calling key as the check needs it: whose account, and its IP list. */
export interface CallingKey {
  /** The key's account's master, or null when the key belongs to a master account. */
  readonly masterId: number | null;
  readonly ips: readonly string[];
}

/**
 * OKX's master-only rule, checked after the permission (a Read-only key gets 50120 first, as live
 * OKX answers): a sub-account's key gets 59500 ("Only the API key of the main account has
 * permission."), a master key without IPs where they are required 50035. Null when the key may call.
 */
export function masterAccessCode(key: CallingKey, rule: MasterRule): OkxCode | null {
  if (key.masterId !== null) return '59500';
  if (rule.boundToIp && key.ips.length === 0) return '50035';
  return null;
}
