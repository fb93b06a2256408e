import ipaddr from 'ipaddr.js';
import { RuleError } from './errors.js';

/** At most this many IP addresses or segments per key (OKX rule, error 59503). */
export const MAX_IPS_PER_KEY = 20;

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;
type Range = readonly [Parsed, number];

/**
 * Normalises one address: IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes IPv4, IPv6 is written in
 * its canonical short form. Returns null for anything that is not an IP address.
 */
export function normalizeIp(text: string): string | null {
  const parsed = parseAddress(text);
  return parsed === null ? null : parsed.toString();
}

function parseAddress(text: string): Parsed | null {
  // Zone ids (fe80::1%eth0) name an interface of the server, not a client address.
  if (text.includes('%') || !ipaddr.isValid(text)) return null;
  // ipaddr.isValid accepts shorthand like "1" or "0x7f.1"; a whitelist wants dotted quads only,
  // in plain IPv4 and inside IPv6 (::ffff:1.2.3.4) alike.
  if (text.includes(':')) {
    const tail = text.slice(text.lastIndexOf(':') + 1);
    if (tail.includes('.') && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return null;
  } else if (!ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return null;
  }
  const parsed = ipaddr.parse(text);
  if (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()) return parsed.toIPv4Address();
  return parsed;
}

function parseEntry(text: string): Range | null {
  const slash = text.indexOf('/');
  if (slash === -1) {
    const addr = parseAddress(text);
    return addr === null ? null : [addr, addr.kind() === 'ipv4' ? 32 : 128];
  }
  const addrText = text.slice(0, slash);
  const addr = parseAddress(addrText);
  const bitsText = text.slice(slash + 1);
  if (addr === null || !/^\d{1,3}$/.test(bitsText)) return null;
  let bits = Number(bitsText);
  if (addrText.includes(':')) {
    if (bits > 128) return null;
    if (addr.kind() === 'ipv4') {
      // ::ffff:a.b.c.d/N is the IPv4 range /N-96; a shorter prefix reaches outside IPv4.
      if (bits < 96) return null;
      bits -= 96;
    }
  } else if (bits > 32) {
    return null;
  }
  return [addr, bits];
}

function formatEntry([addr, bits]: Range): string {
  const full = addr.kind() === 'ipv4' ? 32 : 128;
  if (bits === full) return addr.toString();
  // Write the network address, so that 10.1.2.3/8 is stored and shown as 10.0.0.0/8.
  const network =
    addr.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
  return `${network.toString()}/${bits}`;
}

/**
 * Parses the user's comma-separated whitelist ("1.2.3.4, 10.0.0.0/8, 2001:db8::/32").
 * Returns the normalised, de-duplicated entries in the user's order. Empty input: no binding.
 * `max`: at most this many entries (a key's 20 by default; an app's list holds more).
 */
export function parseIpList(input: string | readonly string[], max: number = MAX_IPS_PER_KEY): string[] {
  const items = (typeof input === 'string' ? input.split(',') : input).map((s) => s.trim()).filter((s) => s !== '');
  const out: string[] = [];
  for (const item of items) {
    const range = parseEntry(item);
    if (range === null) {
      throw new RuleError('51000', `ip: "${item}" is not an IPv4 or IPv6 address or CIDR segment`, 'ip');
    }
    const normal = formatEntry(range);
    if (!out.includes(normal)) out.push(normal);
  }
  if (out.length > max) {
    throw new RuleError(
      '59503',
      `ip: ${out.length} addresses given; each API key can bind up to ${max} IP addresses`,
      'ip',
    );
  }
  return out;
}

/** Whether `entry` is an IPv4 or IPv6 address or CIDR segment (as a whitelist or proxy list takes it). */
export function isIpEntry(entry: string): boolean {
  return parseEntry(entry.trim()) !== null;
}

/** A compiled whitelist: parse once when a key is loaded, match per request. */
export class IpWhitelist {
  private readonly exact: Set<string>;
  private readonly ranges: Range[];
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    this.exact = new Set();
    this.ranges = [];
    for (const entry of entries) {
      const range = parseEntry(entry);
      if (range === null) continue;
      const full = range[0].kind() === 'ipv4' ? 32 : 128;
      if (range[1] === full) this.exact.add(range[0].toString());
      else this.ranges.push(range);
    }
    // Fails closed: a list whose entries cannot be read admits nobody, never everybody.
    this.empty = entries.length === 0;
  }

  /** True when `ip` (as the socket or a trusted proxy reports it) is admitted. */
  admits(ip: string): boolean {
    if (this.empty) return true;
    const addr = parseAddress(ip);
    if (addr === null) return false;
    if (this.exact.has(addr.toString())) return true;
    for (const [net, bits] of this.ranges) {
      if (net.kind() === addr.kind() && addr.match(net, bits)) return true;
    }
    return false;
  }
}
