import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The key a platform holds after Connect, as `POST /api/v5/users/oauth/apikey` answered it. */
export interface PlatformKey {
  apiKey: string;
  secretKey: string;
  passphrase: string;
  perm: string;
  label: string;
}

/** What the platform's redirect URI was called with, and what came of it. */
export type CallbackOutcome =
  | { kind: 'connected'; key: PlatformKey; domain: string; state: string }
  | { kind: 'denied'; error: string; state: string }
  | { kind: 'failed'; reason: string };

/** The app as `signet app create --json` printed it. */
export interface AppCredentials {
  client_id: string;
  client_secret: string;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:system-ui;max-width:40rem;margin:2rem auto"><h1>${title}</h1>${body}</body></html>`;

/** OKX answers in its envelope `{code, msg, data: [x]}`; the first datum, or the body itself. */
function datum(body: unknown): Record<string, unknown> {
  const b = body as { code?: string; msg?: string; data?: unknown[] } | null;
  if (b !== null && typeof b === 'object' && Array.isArray(b.data)) {
    if (b.code !== undefined && b.code !== '0') throw new Error(`OKX code ${b.code}: ${b.msg ?? ''}`);
    return (b.data[0] ?? {}) as Record<string, unknown>;
  }
  return (b ?? {}) as Record<string, unknown>;
}

/**
 * A third-party trading platform, as small as it gets: a home page with a "Connect" link to
 * signet's consent page, and a redirect URI (/callback) that exchanges the code for a token and
 * creates its key with it (OKX Fast API), the way a real platform's server would.
 */
export class Platform {
  readonly outcomes: CallbackOutcome[] = [];
  private readonly states = new Set<string>();
  private server: Server | undefined;
  private waiters: Array<() => void> = [];
  app: AppCredentials | undefined;
  url = '';

  constructor(private readonly signet: string) {}

  get redirectUri(): string {
    return `${this.url}/callback`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.record({ kind: 'failed', reason: String(err) });
        res.writeHead(500, { 'content-type': 'text/html' }).end(page('Connection failed', `<p>${String(err)}</p>`));
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once the callback has been answered `count` times in all. */
  async outcome(count: number): Promise<CallbackOutcome> {
    while (this.outcomes.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    const last = this.outcomes[count - 1];
    if (last === undefined) throw new Error('no outcome');
    return last;
  }

  private record(outcome: CallbackOutcome): void {
    this.outcomes.push(outcome);
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const app = this.app;
    if (app === undefined) throw new Error('the platform has no registered app yet');
    if (url.pathname === '/') {
      const state = randomBytes(12).toString('hex');
      this.states.add(state);
      const q = new URLSearchParams({
        response_type: 'code',
        access_type: 'offline',
        scope: 'fast_api',
        client_id: app.client_id,
        redirect_uri: this.redirectUri,
        state,
      });
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(page('Acme Bots', `<p><a href="${this.signet}/account/oauth/authorize?${q}">Connect signet</a></p>`));
      return;
    }
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    const state = url.searchParams.get('state') ?? '';
    // A state this platform never issued (or issued and used) is someone else's redirect.
    if (!this.states.delete(state)) throw new Error(`unknown state ${state}`);
    const error = url.searchParams.get('error');
    if (error !== null) {
      this.record({ kind: 'denied', error, state });
      res.writeHead(200, { 'content-type': 'text/html' }).end(page('Connection denied', `<p>${error}</p>`));
      return;
    }
    const key = await this.connect(app, url.searchParams.get('code') ?? '');
    this.record({ kind: 'connected', key, domain: url.searchParams.get('domain') ?? '', state });
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(page('Connected to signet', `<p>Key <code id="api-key">${key.apiKey}</code> is ready.</p>`));
  }

  /** The code for a token, then the token for a key bound to the app. */
  private async connect(app: AppCredentials, code: string): Promise<PlatformKey> {
    const token = datum(
      await post(`${this.signet}/v5/users/oauth/token`, {
        grant_type: 'authorization_code',
        code,
        client_id: app.client_id,
        client_secret: app.client_secret,
      }),
    );
    const accessToken = String(token.access_token ?? '');
    if (accessToken === '') throw new Error(`no access_token in ${JSON.stringify(token)}`);
    const passphrase = 'Platform-pass1!';
    const created = datum(
      await post(
        `${this.signet}/api/v5/users/oauth/apikey`,
        { label: 'acme bot', passphrase, perm: 'trade', bindApp: true },
        accessToken,
      ),
    );
    return {
      apiKey: String(created.apiKey),
      secretKey: String(created.secretKey),
      passphrase,
      perm: String(created.perm),
      label: String(created.label),
    };
  }
}

async function post(url: string, body: unknown, bearer?: string): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}
