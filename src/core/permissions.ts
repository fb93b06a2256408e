import { RuleError } from './errors.js';

/** What a key may do. Read is always granted (signet rule, as on OKX's console). */
export type Permission = 'read' | 'trade' | 'withdraw';
/** What a route needs: a permission, or nothing at all for public market data. */
export type RouteAccess = Permission | 'public';

export interface PermissionSet {
  readonly read: true;
  readonly trade: boolean;
  readonly withdraw: boolean;
}

const OKX_NAMES: Record<Permission, string> = { read: 'read_only', trade: 'trade', withdraw: 'withdraw' };
const ALIASES: Record<string, Permission> = {
  read: 'read',
  read_only: 'read',
  trade: 'trade',
  withdraw: 'withdraw',
};

/**
 * Parses a comma-separated permission list as users type it ("read,trade", "read_only,withdraw").
 * Read is added when missing. Unknown words are refused with a message naming them.
 */
export function parsePermissions(input: string | readonly string[]): PermissionSet {
  const words = (typeof input === 'string' ? input.split(',') : input)
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== '');
  let trade = false;
  let withdraw = false;
  for (const word of words) {
    const perm = ALIASES[word];
    if (perm === undefined) {
      throw new RuleError('51000', `perm: unknown permission "${word}"; use read, trade and/or withdraw`, 'perm');
    }
    if (perm === 'trade') trade = true;
    if (perm === 'withdraw') withdraw = true;
  }
  return { read: true, trade, withdraw };
}

/** OKX's spelling in responses: "read_only", "read_only,trade", "read_only,trade,withdraw". */
export function formatPermissions(perms: PermissionSet): string {
  const out = [OKX_NAMES.read];
  if (perms.trade) out.push(OKX_NAMES.trade);
  if (perms.withdraw) out.push(OKX_NAMES.withdraw);
  return out.join(',');
}

export function hasPermission(perms: PermissionSet, needed: RouteAccess): boolean {
  if (needed === 'public' || needed === 'read') return true;
  return perms[needed];
}
