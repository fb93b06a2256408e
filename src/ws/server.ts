import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { clientIp } from '../core/client-ip.js';
import { IpWhitelist } from '../core/ip-whitelist.js';
import { errorEnvelope } from '../okx/envelope.js';
import type { AppDeps } from '../services/container.js';
import { Connection, type Endpoint, errorEvent } from './connection.js';
import { Hub } from './hub.js';
import { handleMessage } from './session.js';

const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map([
  ['/ws/v5/public', 'public'],
  ['/ws/v5/private', 'private'],
  ['/ws/v5/business', 'business'],
]);

/** OKX's demo-trading WebSocket URLs carry brokerId=9999 (ccxt in sandbox mode appends it). */
const DEMO_BROKER_ID = '9999';

/** Refuses an upgrade with an HTTP answer in OKX's envelope. */
function refuse(socket: Duplex, status: 404 | 429 | 503, code: '404' | '50011' | '50013'): void {
  const body = JSON.stringify(errorEnvelope(code).body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The WebSocket API on the HTTP server's port: /ws/v5/public, /private and /business (any query
 * string, e.g. ccxt's ?brokerId=…). Installed by main.ts (buildServer) on the app buildApp made;
 * connections are told 64008 and closed when the app closes. Returns the hub (for tests and benchmarks).
 */
export function installWebSocket(app: FastifyInstance, deps: AppDeps): Hub {
  const { config } = deps;
  const hub = new Hub(deps, app.log);
  const trusted = config.trustProxy.length > 0 ? new IpWhitelist(config.trustProxy) : null;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.ws.maxMessage,
    perMessageDeflate: false,
    clientTracking: false,
  });
  let closing = false;
  let idleTimer: NodeJS.Timeout | null = null;
  /** Open connections (and handshakes under way) per client IP. */
  const perIp = new Map<string, number>();
  const release = (ip: string) => {
    const left = (perIp.get(ip) ?? 1) - 1;
    if (left > 0) perIp.set(ip, left);
    else perIp.delete(ip);
  };

  const checkIdle = () => {
    const now = deps.now();
    const limit = config.ws.idleMs;
    for (const conn of hub.connections) {
      if (now - conn.lastSeen > limit)
        conn.close(1000, 'idle', errorEvent('60015', conn.connId, String(Math.round(limit / 1000))));
    }
  };

  const ipOf = (req: IncomingMessage): string => {
    const forwarded = req.headers['x-forwarded-for'];
    return clientIp(
      req.socket.remoteAddress ?? '',
      Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
      trusted,
    );
  };

  const accept = (ws: WebSocket, req: IncomingMessage, endpoint: Endpoint, query: string, ip: string) => {
    const demo =
      new URLSearchParams(query).get('brokerId') === DEMO_BROKER_ID || req.headers['x-simulated-trading'] === '1';
    const conn = new Connection(ws, endpoint, demo ? 'demo' : 'live', ip, config.ws.sendBuffer, deps.now(), (c) => {
      app.log.warn({ connId: c.connId, ip: c.ip, apiKey: c.key?.apiKey }, 'websocket consumer too slow: disconnected');
    });
    hub.add(conn);
    deps.metrics?.wsOpened();
    idleTimer ??= setInterval(checkIdle, Math.min(1000, Math.max(50, Math.floor(config.ws.idleMs / 4)))).unref();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      conn.lastSeen = deps.now();
      if (conn.closed) return;
      if (isBinary) {
        conn.error('60012', 'binary frame');
        return;
      }
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      handleMessage(deps, hub, app.log, conn, text).catch((err: unknown) => {
        app.log.error({ err, connId: conn.connId }, 'websocket request failed');
        conn.error('63999');
      });
    });
    ws.on('ping', () => {
      conn.lastSeen = deps.now();
    });
    ws.on('close', (code: number) => {
      deps.metrics?.wsClosed(code);
      conn.closed = true;
      hub.remove(conn);
      release(ip);
    });
    ws.on('error', (err) => {
      // A protocol error from the peer (e.g. an oversized message): ws closes the connection.
      app.log.info({ connId: conn.connId, err: err.message }, 'websocket error');
    });
  };

  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const endpoint = ENDPOINTS.get(q === -1 ? url : url.slice(0, q));
    if (endpoint === undefined) return refuse(socket, 404, '404');
    if (closing) return refuse(socket, 503, '50013');
    const ip = ipOf(req);
    const open = perIp.get(ip) ?? 0;
    if (open >= config.ws.connectionsPerIp) {
      app.log.warn({ ip, open }, 'websocket connection refused: too many from this IP');
      return refuse(socket, 429, '50011');
    }
    // Counted from the upgrade on, so a burst of handshakes cannot get past the limit.
    perIp.set(ip, open + 1);
    socket.once('close', () => {
      if (!upgraded) release(ip);
    });
    let upgraded = false;
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      accept(ws, req, endpoint, q === -1 ? '' : url.slice(q + 1), ip);
    });
  });

  app.addHook('preClose', async () => {
    closing = true;
    if (idleTimer !== null) clearInterval(idleTimer);
    hub.close();
    const open = [...hub.connections];
    for (const conn of open) conn.close(1001, 'server shutting down', errorEvent('64008', conn.connId));
    // Give clients a moment to complete the close handshake, then cut whatever is left.
    const deadline = Date.now() + 1000;
    while (hub.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of hub.connections) conn.terminate();
  });
  return hub;
}
