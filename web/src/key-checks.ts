/**
 * The key rules as far as the page knows them (the server checks them again, all at once, before
 * an authenticator code is asked for): sentences by field, empty when nothing is wrong.
 */
import { MAX_IPS, MAX_KEYS, splitIps } from './api.js';

const LABEL = /^[A-Za-z0-9_-](?:[A-Za-z0-9 _-]*[A-Za-z0-9_-])?$/;
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/** An IPv4 or IPv6 address or CIDR range, as the server's whitelist takes it. */
export function isIpEntry(entry: string): boolean {
  const parts = entry.split('/');
  if (parts.length > 2) return false;
  const [addr = '', bits] = parts;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return false;
  if (addr.includes(':')) {
    if (addr.includes('%') || addr.includes('[') || addr.includes(']')) return false;
    try {
      // The URL parser checks IPv6 syntax (with an embedded IPv4 tail) exactly.
      new URL(`http://[${addr}]/`);
    } catch {
      return false;
    }
    return bits === undefined || Number(bits) <= 128;
  }
  return IPV4.test(addr) && (bits === undefined || Number(bits) <= 32);
}

/** "needs an uppercase letter and a digit", or null for a good passphrase. */
export function passphraseProblem(passphrase: string): string | null {
  if (passphrase === '') return 'Enter a passphrase.';
  if (/^\s|\s$/.test(passphrase)) return 'The passphrase cannot start or end with a space.';
  const needs: string[] = [];
  if (passphrase.length < 8 || passphrase.length > 32) needs.push('8 to 32 characters');
  if (!/[a-z]/.test(passphrase)) needs.push('a lowercase letter');
  if (!/[A-Z]/.test(passphrase)) needs.push('an uppercase letter');
  if (!/[0-9]/.test(passphrase)) needs.push('a digit');
  if (!/[^A-Za-z0-9]/.test(passphrase)) needs.push('a special character such as ! or #');
  if (needs.length === 0) return null;
  const last = needs.pop();
  return `The passphrase needs ${needs.length > 0 ? `${needs.join(', ')} and ${last}` : last}.`;
}

export function nameProblem(name: string, otherNames: readonly string[]): string | null {
  if (name.trim() === '') return 'Enter an API name.';
  if (name.length > 50) return 'The API name can have at most 50 characters.';
  if (!LABEL.test(name)) {
    return 'Use only letters, digits, spaces, - and _ in the API name, not starting or ending with a space.';
  }
  if (otherNames.includes(name)) return `You already have a key named “${name}”; API names must be unique.`;
  return null;
}

export function ipProblem(ips: string, withdraw: boolean, withdrawRequiresIp: boolean): string | null {
  const list = splitIps(ips);
  const bad = list.filter((ip) => !isIpEntry(ip));
  if (bad.length === 1) {
    return `“${bad[0]}” is not an IP address or range (examples: 203.0.113.5, 10.0.0.0/8, 2001:db8::/32).`;
  }
  if (bad.length > 1) {
    return `${bad.map((b) => `“${b}”`).join(', ')} are not IP addresses or ranges (examples: 203.0.113.5, 10.0.0.0/8, 2001:db8::/32).`;
  }
  const distinct = new Set(list).size;
  if (distinct > MAX_IPS) return `Each API key can bind up to ${MAX_IPS} IP addresses; this list has ${distinct}.`;
  if (withdraw && withdrawRequiresIp && list.length === 0) {
    return 'This server requires IP addresses on keys that can withdraw: bind at least one, or untick Withdraw.';
  }
  return null;
}

export interface KeyDraft {
  name: string;
  passphrase?: string;
  confirm?: string;
  ips: string;
  withdraw: boolean;
}

/** Every problem of a draft at once, by field: name, passphrase, confirm, ip, form. */
export function draftProblems(
  d: KeyDraft,
  ctx: { otherNames: readonly string[]; keyCount?: number; withdrawRequiresIp: boolean },
): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (field: string, problem: string | null) => {
    if (problem !== null) out[field] = problem;
  };
  if (ctx.keyCount !== undefined && ctx.keyCount >= MAX_KEYS) {
    out.form = `Each account can create up to ${MAX_KEYS} API keys; delete one first.`;
  }
  put('name', nameProblem(d.name, ctx.otherNames));
  if (d.passphrase !== undefined) {
    put('passphrase', passphraseProblem(d.passphrase));
    if (d.confirm !== d.passphrase) out.confirm = 'The passphrases do not match.';
  }
  put('ip', ipProblem(d.ips, d.withdraw, ctx.withdrawRequiresIp));
  return out;
}
