/**
 * What the WebSocket benchmarks (ws-fanout.ts, ws-latency.ts) share: the server process's IPC,
 * a logged-in subscriber connection, percentiles and number formatting.
 */
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { type RawData, WebSocket } from 'ws';

export interface Key {
  apiKey: string;
  secretKey: string;
}

/** What bench/trading-server.ts sends once it listens: two funded accounts' trade keys. */
export interface Ready {
  url: string;
  keys: Key[];
  passphrase: string;
}

/** Sends a request to the server process and resolves with its next message. */
export function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

export const text = (data: RawData): string =>
  (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a connection on /ws/v5/private, logs in, and subscribes to `orders` (instType ANY) if asked. */
export async function connect(wsUrl: string, key: Key, passphrase: string, subscribe: boolean): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const expect = (event: string) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (data: RawData) => {
        const m = JSON.parse(text(data)) as { event?: string; code?: string; msg?: string };
        if (m.event === event) {
          ws.off('message', onMessage);
          resolve();
        } else if (m.event === 'error') {
          ws.off('message', onMessage);
          reject(new Error(`${event}: ${m.code} ${m.msg}`));
        }
      };
      ws.on('message', onMessage);
    });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const sign = createHmac('sha256', key.secretKey).update(`${timestamp}GET/users/self/verify`).digest('base64');
  const loggedIn = expect('login');
  ws.send(JSON.stringify({ op: 'login', args: [{ apiKey: key.apiKey, passphrase, timestamp, sign }] }));
  await loggedIn;
  if (subscribe) {
    const subscribed = expect('subscribe');
    ws.send(JSON.stringify({ op: 'subscribe', args: [{ channel: 'orders', instType: 'ANY' }] }));
    await subscribed;
  }
  return ws;
}

/**
 * Sends `ping` on each connection every 10 s, as OKX asks of a client (the server closes a
 * connection silent for SIGNET_WS_IDLE_MS, 30 s); returns the function that stops it.
 */
export function keepAlive(conns: readonly WebSocket[]): () => void {
  const timer = setInterval(() => {
    for (const ws of conns) if (ws.readyState === WebSocket.OPEN) ws.send('ping');
  }, 10_000);
  return () => clearInterval(timer);
}

/** Closes the connections and resolves when every one is closed. */
export function closeAll(conns: readonly WebSocket[]): Promise<void> {
  return Promise.all(
    conns.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close();
        }),
    ),
  ).then(() => undefined);
}

/** The value of a `"name":"value"` field of a JSON text, read with indexOf (cheaper than JSON.parse). */
export function field(s: string, prefix: string): string {
  const i = s.indexOf(prefix);
  if (i === -1) return '';
  const from = i + prefix.length;
  return s.slice(from, s.indexOf('"', from));
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';

export const pct = (x: number) => (Number.isFinite(x) ? `${fmt(x * 100)}%` : '-');
