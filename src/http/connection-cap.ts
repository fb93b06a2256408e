import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { limitSubject } from '../core/client-ip.js';
import type { IpWhitelist } from '../core/ip-whitelist.js';

/** What `capConnectionsPerIp` returns: how the WebSocket edge hands a socket over to its own count. */
export interface ConnectionCap {
  /** Stops counting a socket (an upgraded one is counted by the WebSocket API's own cap). */
  release(socket: Socket): void;
  /** Open counted connections per limit subject (for tests). */
  readonly open: ReadonlyMap<string, number>;
}

/**
 * Caps the TCP connections one client holds open on the server: `perIp` per limit subject of the
 * socket's peer (an IPv4 address, an IPv6 /64). One more is destroyed as it connects, before a
 * byte is read, which costs the server least. A trusted proxy's connections are not counted: they
 * carry many clients, whose addresses only the requests' X-Forwarded-For tells.
 *
 * @example capConnectionsPerIp(app.server, { perIp: 100, trusted: null, log: app.log })
 */
export function capConnectionsPerIp(
  server: Server,
  opts: { perIp: number; trusted: IpWhitelist | null; log: FastifyBaseLogger },
): ConnectionCap {
  const open = new Map<string, number>();
  const counted = new WeakMap<Socket, string>();
  /** Subjects at the cap already logged: one line per episode, not one per refused connection. */
  const warned = new Set<string>();

  const release = (socket: Socket) => {
    const subject = counted.get(socket);
    if (subject === undefined) return;
    counted.delete(socket);
    const left = (open.get(subject) ?? 1) - 1;
    if (left > 0) open.set(subject, left);
    else open.delete(subject);
    if (left < opts.perIp) warned.delete(subject);
  };

  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress;
    if (peer === undefined || opts.trusted?.admits(peer) === true) return;
    const subject = limitSubject(peer);
    const now = open.get(subject) ?? 0;
    if (now >= opts.perIp) {
      if (!warned.has(subject)) {
        warned.add(subject);
        opts.log.warn({ ip: subject, open: now }, 'http connection refused: too many from this IP');
      }
      socket.destroy();
      return;
    }
    open.set(subject, now + 1);
    counted.set(socket, subject);
    socket.once('close', () => release(socket));
  });
  return { release, open };
}
