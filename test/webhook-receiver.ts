import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the receiver got, with whether its signature verified by the README's recipe. */
export interface Received {
  event: string;
  body: {
    id: string;
    type: string;
    createdAt: string;
    data: { apiKey: string; label: string; uid: string; detail: Record<string, unknown> };
  };
  verified: boolean;
  status: number;
}

/**
 * The README's verification recipe, written out as a platform would (not signet's own function):
 * parse t and v1, HMAC-SHA256 over `${t}.${raw body}`, constant-time compare, at most 5 minutes old.
 */
export function verifyAsDocumented(secret: string, header: string, rawBody: string, nowS = Date.now() / 1000): boolean {
  const fields = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(fields['t']);
  const v1 = Buffer.from(fields['v1'] ?? '', 'hex');
  const mac = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return Math.abs(nowS - t) <= 300 && v1.length === mac.length && timingSafeEqual(v1, mac);
}

/**
 * A real HTTP receiver on 127.0.0.1: answers each POST with the next queued status (200 when the
 * queue is empty), records it, and lets a test wait for a condition on what arrived.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Statuses to answer next, in order. */
  statuses: number[] = [];
  /** When set, every request is answered with it (a receiver that is down). */
  always: number | null = null;
  secret = '';
  private server: Server | null = null;
  private waiters: Array<() => void> = [];
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/signet`;
  }

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => {
        raw += d.toString();
      });
      req.on('end', () => {
        const status = this.always ?? this.statuses.shift() ?? 200;
        this.received.push({
          event: String(req.headers['signet-event']),
          body: JSON.parse(raw) as Received['body'],
          verified: verifyAsDocumented(this.secret, String(req.headers['signet-signature']), raw),
          status,
        });
        res.writeHead(status).end();
        for (const w of this.waiters.splice(0)) w();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Resolves once `check` holds for what was received (checked after every request). */
  async until<T>(check: (r: readonly Received[]) => T | undefined | false): Promise<T> {
    for (;;) {
      const v = check(this.received);
      if (v !== undefined && v !== false) return v;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The delivered (2xx) events for one key, in order of arrival. */
  delivered(apiKey: string): string[] {
    return this.received.filter((r) => r.body.data.apiKey === apiKey && r.status < 300).map((r) => r.body.type);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
