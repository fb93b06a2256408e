import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { cli, cliJson, cliOk, type RunningServer, startServer, tempDir } from './helpers.js';
import { type ClientKey, ccxtOkx } from './real-clients.js';

const PASSWORD = 'correct horse battery';
const KEY_PASSPHRASE = 'Platform-Pass1';
const CB = 'http://127.0.0.1:9/callback?from=test';

type Json = Record<string, unknown>;

/** A fetch over node:http honouring a node-style `agent` (which binds the client address). */
function httpFetch(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; agent: http.Agent },
) {
  return new Promise<Response>((resolve, reject) => {
    const req = http.request(url, { method: init.method, headers: init.headers, agent: init.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers }));
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A console session over real HTTP: cookie, CSRF token, authenticator secret. */
interface Session {
  cookie: string;
  csrf: string;
  secret: string;
  step: number;
}

/** OKX's Fast API as a platform's backend drives it, and the console as the user's browser does, against `signet serve`. */
describe('Connect (OKX Fast API) on a real server, with ccxt trading through the app key', () => {
  const data = tempDir();
  let server: RunningServer;
  let url = '';
  let app = { client_id: '', client_secret: '' };
  let user: Session;

  const consoleCall = async (s: Session | null, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (s !== null) Object.assign(headers, { cookie: s.cookie, 'x-csrf-token': s.csrf });
    const res = await fetch(`${url}/console/api${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
  };
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  /** A fresh authenticator code: each call moves one 30-second step ahead (the server accepts the next step). */
  const nextCode = (s: Session) => {
    s.step++;
    return new TOTP({ secret: Secret.fromBase32(s.secret), period: 30, digits: 6, algorithm: 'SHA1' }).generate({
      timestamp: Date.now() + (s.step % 2) * 30_000,
    });
  };
  const signup = async (email: string): Promise<Session> => {
    const res = await consoleCall(null, 'POST', '/signup', { email, password: PASSWORD });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const cookie = (res.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';
    const s: Session = { cookie, csrf: String(res.body.csrfToken), secret: '', step: -1 };
    s.secret = String((await consoleCall(s, 'POST', '/security/totp/setup')).body.secret);
    const on = await consoleCall(s, 'POST', '/security/totp/enable', { code: nextCode(s) });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    return s;
  };
  const authorizeQuery = (over: Record<string, string> = {}) =>
    new URLSearchParams({
      response_type: 'code',
      access_type: 'offline',
      scope: 'fast_api',
      client_id: app.client_id,
      redirect_uri: CB,
      state: 'st-1',
      ...over,
    }).toString();
  /** Approve in the console, exchange the code: the platform's access token. */
  const connect = async (s: Session): Promise<string> => {
    const approved = await consoleCall(s, 'POST', '/oauth/approve', {
      client_id: app.client_id,
      redirect_uri: CB,
      state: 'st-1',
      scope: 'fast_api',
      code: nextCode(s),
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const redirect = new URL(String(approved.body.redirect));
    assert.equal(`${redirect.origin}${redirect.pathname}`, 'http://127.0.0.1:9/callback');
    assert.equal(redirect.searchParams.get('from'), 'test', "the URI's own query is kept");
    assert.equal(redirect.searchParams.get('state'), 'st-1');
    assert.equal(redirect.searchParams.get('domain'), url);
    const tok = await post('/v5/users/oauth/token', {
      grant_type: 'authorization_code',
      code: redirect.searchParams.get('code'),
      client_id: app.client_id,
      client_secret: app.client_secret,
    });
    assert.equal(tok.status, 200, JSON.stringify(tok.body));
    assert.deepEqual(Object.keys(tok.body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.deepEqual([tok.body.token_type, tok.body.expires_in], ['bearer', 3600]);
    return String(tok.body.access_token);
  };
  const from = (localAddress: string, key: ClientKey) => {
    const ex = ccxtOkx(url, key);
    // The client socket is bound to `localAddress`: ccxt hands its legacy `agent` to a
    // user-supplied fetch, here node:http's own request.
    Object.assign(ex, { agent: new http.Agent({ localAddress }), fetchImplementation: httpFetch });
    return ex;
  };
  /** The OKX code of a refused ccxt balance call from `localAddress` ('0' when it succeeded). */
  const codeOf = async (localAddress: string, key: ClientKey): Promise<string> => {
    // A fresh client each time: ccxt keeps a failed market load and would answer it again.
    const ex = from(localAddress, key);
    try {
      await ex.fetchBalance();
      return '0';
    } catch (err) {
      const m = /"code":"(\d+)"/.exec(err instanceof Error ? err.message : String(err));
      return m?.[1] ?? `unexpected: ${String(err)}`;
    }
  };
  /** Waits (polling the real server) until `probe` answers `want`; how long it took, ms. */
  const until = async (probe: () => Promise<string>, want: string, limitMs: number): Promise<number> => {
    const start = Date.now();
    let got = await probe();
    while (got !== want && Date.now() - start < limitMs) got = await probe();
    assert.equal(got, want);
    return Date.now() - start;
  };

  before(async () => {
    app = await cliJson<typeof app>(
      ['app', 'create', '--name', 'Test Platform', '--redirect-uri', CB, '--ip', '127.0.0.1', '--perm', 'read,trade'],
      data,
    );
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0' });
    url = server.url;
    user = await signup('connect@example.com');
  });
  after(async () => {
    await server?.stop();
  });

  test('app create --json prints exactly client_id and client_secret; app list never shows the secret', async () => {
    assert.deepEqual(Object.keys(app).sort(), ['client_id', 'client_secret']);
    assert.match(app.client_id, /^[0-9a-f]{32}$/);
    const list = await cliOk(['app', 'list', '--json'], data);
    assert.ok(list.includes(app.client_id) && !list.includes(app.client_secret));
    const bad = await cli(
      ['app', 'create', '--name', 'x', '--redirect-uri', 'http://evil.example/', '--ip', '1.2.3.4'],
      {
        data,
      },
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /redirectUri/);
  });

  test('the consent data names the app; bad requests are readable 400s and never redirect', async () => {
    const ok = await consoleCall(user, 'GET', `/oauth/authorize?${authorizeQuery()}`);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, {
      app: { clientId: app.client_id, name: 'Test Platform', ips: ['127.0.0.1'], perm: 'read_only,trade' },
      redirectUri: CB,
      state: 'st-1',
      connected: null,
    });
    for (const [over, field] of [
      [{ client_id: 'f'.repeat(32) }, 'client_id'],
      [{ redirect_uri: 'http://127.0.0.1:9/callback' }, 'redirect_uri'],
      [{ response_type: 'token' }, 'response_type'],
      [{ scope: 'openid' }, 'scope'],
    ] as const) {
      const res = await consoleCall(user, 'GET', `/oauth/authorize?${authorizeQuery(over)}`);
      assert.equal(res.status, 400);
      assert.equal((res.body.error as Json).field, field);
    }
    const denied = await consoleCall(user, 'POST', '/oauth/deny', {
      client_id: app.client_id,
      redirect_uri: CB,
      state: 's 2',
    });
    assert.equal(denied.body.redirect, `${CB}&error=access_denied&state=s+2`);
    const unregistered = await consoleCall(user, 'POST', '/oauth/deny', {
      client_id: app.client_id,
      redirect_uri: 'https://evil.example/',
      state: 'x',
    });
    assert.equal(unregistered.status, 400);
    assert.equal(unregistered.body.redirect, undefined);
  });

  test('token errors answer OKX envelopes', async () => {
    const good = {
      grant_type: 'authorization_code',
      code: 'nope',
      client_id: app.client_id,
      client_secret: app.client_secret,
    };
    const cases: Array<[unknown, number, string]> = [
      [{ ...good, client_secret: 'wrong' }, 401, '50114'],
      [good, 401, '50114'],
      [{ ...good, grant_type: 'password' }, 200, '51000'],
      [{ grant_type: 'authorization_code', client_id: app.client_id, client_secret: 'x' }, 400, '50014'],
    ];
    for (const [body, status, code] of cases) {
      const res = await post('/api/v5/users/oauth/token', body);
      assert.deepEqual([res.status, res.body.code, res.body.data], [status, code, []], JSON.stringify(res.body));
    }
  });

  test('Connect end to end: key by Bearer token, ccxt from an allowed IP only, app modify moves it, revoke stops it', async () => {
    const token = await connect(user);
    const bearer = { authorization: `Bearer ${token}` };
    const apikey = { label: 'platform', passphrase: KEY_PASSPHRASE, perm: 'trade', bindApp: true };
    const bad = await post('/api/v5/users/oauth/apikey', apikey, { authorization: 'Bearer nope' });
    assert.deepEqual([bad.status, bad.body.code], [401, '50114']);
    const unbound = await post('/api/v5/users/oauth/apikey', { ...apikey, bindApp: false }, bearer);
    assert.equal(unbound.body.code, '50118');
    const none = await post('/api/v5/users/oauth/delete-apikey', {}, bearer);
    assert.equal(none.body.code, '59506');
    const created = await post('/api/v5/users/oauth/apikey', apikey, bearer);
    assert.equal(created.body.code, '0', JSON.stringify(created.body));
    const [row] = created.body.data as Json[];
    assert.ok(row !== undefined);
    assert.deepEqual(
      [row.label, row.passphrase, row.perm, row.bindApp],
      ['platform', KEY_PASSPHRASE, 'read_only,trade', true],
    );
    const second = await post('/api/v5/users/oauth/apikey', { ...apikey, label: 'again' }, bearer);
    assert.equal(second.body.code, '50116');
    const key = { apiKey: String(row.apiKey), secretKey: String(row.secretKey), passphrase: KEY_PASSPHRASE };

    const keys = await consoleCall(user, 'GET', '/keys');
    const view = (keys.body.keys as Json[]).find((k) => k.apiKey === key.apiKey);
    assert.deepEqual(view?.app, { clientId: app.client_id, name: 'Test Platform' });
    const patch = await consoleCall(user, 'PATCH', `/keys/${key.apiKey}`, { ip: '10.0.0.1', code: nextCode(user) });
    assert.deepEqual([patch.status, (patch.body.error as Json).field], [400, 'ip']);

    const local1 = from('127.0.0.1', key);
    await cliOk(['deposit', '--user', 'connect@example.com', '--ccy', 'USDT', '--amt', '1000'], data);
    const order = await local1.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 1000);
    assert.ok(order.id !== undefined);
    assert.equal(await codeOf('127.0.0.1', key), '0');
    assert.equal(await codeOf('127.0.0.2', key), '50110');

    await cliOk(['app', 'modify', '--client-id', app.client_id, '--ip', '127.0.0.2'], data);
    // Every instance polls the app feed every 250 ms (SIGNET_KEY_SYNC_MS): well within a second;
    // the bound here leaves room for a busy machine.
    await until(() => codeOf('127.0.0.2', key), '0', 3000);
    assert.equal(await codeOf('127.0.0.1', key), '50110');
    const activity = await consoleCall(user, 'GET', `/keys/${key.apiKey}/activity`);
    const actions = (activity.body.events as Json[]).map((e) => e.action);
    assert.ok(!actions.includes('modify'), `the key row was not changed: ${actions.join(',')}`);

    const connected = await consoleCall(user, 'GET', '/apps/connected');
    assert.deepEqual(
      (connected.body.apps as Json[]).map((a) => [a.clientId, a.apiKey, a.label, a.perm]),
      [[app.client_id, key.apiKey, 'platform', 'read_only,trade']],
    );
    const consent = await consoleCall(user, 'GET', `/oauth/authorize?${authorizeQuery()}`);
    assert.deepEqual(consent.body.connected, { apiKey: key.apiKey, label: 'platform' });

    const revoked = await consoleCall(user, 'POST', `/apps/${app.client_id}/revoke`);
    assert.deepEqual(revoked.body, { ok: true });
    await until(() => codeOf('127.0.0.2', key), '50111', 3000);
    const again = await consoleCall(user, 'POST', `/apps/${app.client_id}/revoke`);
    assert.equal(again.status, 404);
  });

  test('the platform deletes its key with the token; app delete removes keys made for it', async () => {
    const other = await signup('connect2@example.com');
    const token = await connect(other);
    const bearer = { authorization: `Bearer ${token}` };
    const apikey = { label: 'p2', passphrase: KEY_PASSPHRASE, perm: 'read_only', bindApp: true };
    assert.equal((await post('/api/v5/users/oauth/apikey', apikey, bearer)).body.code, '0');
    const del = await post('/api/v5/users/oauth/delete-apikey', {}, bearer);
    assert.deepEqual(del.body, { code: '0', msg: '', data: [{ result: true }] });
    const made = await post('/api/v5/users/oauth/apikey', apikey, { ...bearer, 'x-simulated-trading': '1' });
    const [row] = made.body.data as Json[];
    const keys = await consoleCall(other, 'GET', '/keys');
    assert.deepEqual(
      (keys.body.keys as Json[]).map((k) => [k.apiKey, k.env]),
      [[row?.apiKey, 'demo']],
    );
    const gone = await cli(['app', 'delete', '--client-id', app.client_id, '--yes'], { data });
    assert.equal(gone.code, 0, gone.stderr);
    assert.match(gone.stdout, /and 1 key/);
    assert.deepEqual((await consoleCall(other, 'GET', '/keys')).body.keys, []);
    assert.equal((await post('/api/v5/users/oauth/delete-apikey', {}, bearer)).body.code, '50114');
  });
});
