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
