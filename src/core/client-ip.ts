import ipaddr from 'ipaddr.js';
import type { IpWhitelist } from './ip-whitelist.js';

/**
 * The client address of a connection: the socket's peer, unless that peer is a trusted proxy,
 * in which case X-Forwarded-For is read from the right, skipping trusted proxies, and the first
 * untrusted address is the client (the rule of Fastify's `trustProxy` list, so REST and
 * WebSocket agree). With no trusted proxies, X-Forwarded-For is ignored.
 */
export function clientIp(socketIp: string, forwardedFor: string | undefined, trusted: IpWhitelist | null): string {
  if (trusted === null || forwardedFor === undefined || !trusted.admits(socketIp)) return socketIp;
  const hops = forwardedFor
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  let ip = socketIp;
  for (let i = hops.length - 1; i >= 0; i--) {
    ip = hops[i] as string;
    if (!trusted.admits(ip)) return ip;
  }
  return ip;
}

/**
 * The subject a per-IP limit counts a client under: an IPv4 address as it is (IPv4-mapped IPv6
 * too), an IPv6 address by its /64, the smallest block one subscriber is routinely given, so
 * that walking through the addresses of one /64 does not multiply a per-IP allowance.
 * Text that is not an address is its own subject.
 *
 * @example limitSubject('2001:db8:1:2:aaaa::1') === '2001:db8:1:2::/64'
 */
export function limitSubject(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}
