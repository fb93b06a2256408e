import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../src/runtime.js';
import { type Agent, type CallArgs, consoleCall, cookieOf, TotpClock } from './console-agent.js';
import { signedHeaders, testApp } from './helpers.js';

const PASSWORD = 'correct horse battery';

const clock = new TotpClock();
const now = clock.now;
const nextCode = (agent: Agent): string => clock.nextCode(agent.secret);

describe('console API', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let rt: Runtime;

  before(async () => {
    ({ app, close, rt } = await testApp(
      { SIGNET_LOGIN_ATTEMPTS: '3', SIGNET_SESSION_HOURS: '1', SIGNET_SIGNUPS_PER_IP: '100' },
      now,
    ));
  });
  after(async () => close());

  const call = (...args: CallArgs) => consoleCall(app, ...args);

  async function signUp(email: string): Promise<Agent> {
    const res = await call(null, 'POST', '/signup', { email, password: PASSWORD });
    assert.equal(res.statusCode, 201, res.body);
    const cookieHeader = String(res.headers['set-cookie']);
    assert.match(cookieHeader, /HttpOnly/);
    assert.match(cookieHeader, /SameSite=Strict/);
    return { cookie: cookieOf(res), csrf: String(res.json().csrfToken), secret: '' };
  }

  async function enable2fa(agent: Agent): Promise<string[]> {
    const setup = await call(agent, 'POST', '/security/totp/setup');
    assert.equal(setup.statusCode, 200, setup.body);
    agent.secret = String(setup.json().secret);
    assert.match(String(setup.json().qrSvg), /^<svg/);
    const enabled = await call(agent, 'POST', '/security/totp/enable', { code: nextCode(agent) });
    assert.equal(enabled.statusCode, 200, enabled.body);
    return enabled.json().recoveryCodes as string[];
  }

  const newKey = (agent: Agent, over: Record<string, unknown> = {}) =>
    call(agent, 'POST', '/keys', {
      name: 'bot',
      passphrase: 'Passw0rd!',
      perm: ['read', 'trade'],
      ip: '',
      env: 'live',
      ...('code' in over ? {} : { code: nextCode(agent) }),
      ...over,
    });

  test('bad input answers 400 with a readable message naming the field, never 5xx', async () => {
    const short = await call(null, 'POST', '/signup', { email: 'a@example.com', password: 'short' });
    assert.equal(short.statusCode, 400);
    assert.deepEqual(short.json().error, {
      code: '51000',
      field: 'password',
      message: 'password: at least 12 characters',
    });
    const noEmail = await call(null, 'POST', '/signup', { password: PASSWORD });
    assert.equal(noEmail.statusCode, 400);
    assert.equal(noEmail.json().error.field, 'email');
    const notJson = await app.inject({
      method: 'POST',
      url: `/console/api/signup`,
      headers: { 'content-type': 'application/json' },
      payload: '{nope',
    });
    assert.equal(notJson.statusCode, 400);
    assert.match(notJson.json().error.message, /not valid JSON/);
    const unknown = await call(null, 'GET', '/nothing-here');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'not_found');
  });

  test('login: one generic message, throttled after the configured attempts', async () => {
    await signUp('login@example.com');
    const wrong = await call(null, 'POST', '/login', { email: 'login@example.com', password: 'wrong password!' });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error.message, 'wrong email or password');
    const nobody = await call(null, 'POST', '/login', { email: 'nobody@example.com', password: PASSWORD });
    assert.equal(nobody.json().error.message, 'wrong email or password');
    const right = await call(null, 'POST', '/login', { email: 'login@example.com', password: PASSWORD });
    assert.equal(right.statusCode, 200);
    assert.equal(right.json().totpRequired, false);
    for (let i = 0; i < 3; i++)
      await call(null, 'POST', '/login', { email: 'login@example.com', password: 'wrong password!' });
    const throttled = await call(null, 'POST', '/login', { email: 'login@example.com', password: PASSWORD });
    assert.equal(throttled.statusCode, 429);
    assert.match(throttled.json().error.message, /too many attempts/);
  });

  test('state-changing calls need the CSRF token; no session answers 401', async () => {
    const agent = await signUp('csrf@example.com');
    const missing = await call(agent, 'POST', '/security/totp/setup', undefined, { csrf: null });
    assert.equal(missing.statusCode, 403);
    assert.equal(missing.json().error.code, 'csrf');
    const wrong = await call(agent, 'POST', '/security/totp/setup', undefined, { csrf: 'x'.repeat(32) });
    assert.equal(wrong.statusCode, 403);
    const anonymous = await call(null, 'GET', '/keys');
    assert.equal(anonymous.statusCode, 401);
    assert.equal((await call(agent, 'GET', '/keys')).statusCode, 200);
  });

  test('creating a key needs 2FA on, and a right, unused code', async () => {
    const agent = await signUp('twofa@example.com');
    const before2fa = await newKey(agent, { code: '123456' });
    assert.equal(before2fa.statusCode, 403);
    assert.match(before2fa.json().error.message, /turn on two-factor/);
    const recovery = await enable2fa(agent);
    assert.equal(recovery.length, 10);
    const missing = await newKey(agent, { code: undefined });
    assert.equal(missing.json().error.code, 'totp_required');
    const wrongCode = await newKey(agent, { code: '000000' === nextCode(agent) ? '111111' : '000000' });
    assert.equal(wrongCode.statusCode, 403);
    assert.equal(wrongCode.json().error.code, 'totp_invalid');
    const code = nextCode(agent);
    const created = await newKey(agent, { code });
    assert.equal(created.statusCode, 201, created.body);
    assert.match(String(created.json().secretKey), /^[0-9A-F]{32}$/);
    const replay = await newKey(agent, { code, name: 'bot2' });
    assert.equal(replay.statusCode, 403);
    assert.match(replay.json().error.message, /already used/);
    const byRecovery = await newKey(agent, { code: recovery[0], name: 'bot3' });
    assert.equal(byRecovery.statusCode, 201);
    const recoveryAgain = await newKey(agent, { code: recovery[0], name: 'bot4' });
    assert.equal(recoveryAgain.statusCode, 403);
    const rule = await newKey(agent, { name: 'bad name!' });
    assert.equal(rule.statusCode, 400);
    assert.equal(rule.json().error.field, 'name');
    const tooManyIps = await newKey(agent, {
      name: 'ips',
      ip: Array.from({ length: 21 }, (_, i) => `10.0.0.${i + 1}`).join(','),
    });
    assert.equal(tooManyIps.json().error.code, '59503');
  });

  test('2FA on: login asks for the code; the key works over the V5 API; IP change needs a code', async () => {
    const agent = await signUp('flow@example.com');
    await enable2fa(agent);
    const login = await call(null, 'POST', '/login', { email: 'flow@example.com', password: PASSWORD });
    assert.equal(login.json().totpRequired, true);
    const pending: Agent = { cookie: cookieOf(login), csrf: String(login.json().csrfToken), secret: agent.secret };
    assert.equal((await call(pending, 'GET', '/keys')).statusCode, 403);
    const verified = await call(pending, 'POST', '/login/verify', { code: nextCode(agent) });
    assert.equal(verified.statusCode, 200, verified.body);
    // The session is rotated at the 2FA step: a new cookie and CSRF token.
    pending.cookie = cookieOf(verified);
    pending.csrf = String(verified.json().csrfToken);
    const created = (await newKey(pending)).json() as { apiKey: string; secretKey: string };
    const creds = { apiKey: created.apiKey, secretKey: created.secretKey, passphrase: 'Passw0rd!' };
    const balance = await app.inject({
      method: 'GET',
      url: '/api/v5/account/balance',
      headers: signedHeaders(creds, 'GET', '/api/v5/account/balance', '', {
        timestamp: new Date(clock.at).toISOString(),
      }),
    });
    assert.equal(balance.json().code, '0');
    clock.at += 1000;
    const noCode = await call(pending, 'PATCH', `/keys/${created.apiKey}`, { ip: '203.0.113.9' });
    assert.equal(noCode.json().error.code, 'totp_required');
    const rename = await call(pending, 'PATCH', `/keys/${created.apiKey}`, { name: 'renamed' });
    assert.equal(rename.json().label, 'renamed');
    const bound = await call(pending, 'PATCH', `/keys/${created.apiKey}`, { ip: '203.0.113.9', code: nextCode(agent) });
    assert.equal(bound.json().ip, '203.0.113.9');

    await rt.keyring.sync();
    const refused = await app.inject({
      method: 'GET',
      url: '/api/v5/account/balance',
      headers: signedHeaders(creds, 'GET', '/api/v5/account/balance', '', {
        timestamp: new Date(clock.at).toISOString(),
      }),
    });
    assert.equal(refused.json().code, '50110');
    await rt.rejections.flush(clock.at);
    await rt.usage.flush();
    const activity = await call(pending, 'GET', `/keys/${created.apiKey}/activity`);
    assert.equal(activity.statusCode, 200);
    const body = activity.json() as {
      events: Array<{ action: string; detail: Record<string, unknown> }>;
      rejections: Array<{ code: string; ip: string; count: number }>;
    };
    assert.deepEqual(
      body.events.map((e) => e.action),
      ['ip_rejected', 'modify', 'modify', 'new_ip', 'create'],
    );
    // The first refusal from an address in a day is an activity entry (and a key.ip_rejected event).
    assert.deepEqual(body.events[0]?.detail, { ip: '127.0.0.1', label: 'renamed' });
    assert.deepEqual(body.events[1]?.detail, { ip: { from: '', to: '203.0.113.9' } });
    assert.deepEqual(body.events[3]?.detail, { ip: '127.0.0.1' }, 'first use from a new IP');
    assert.deepEqual(
      body.rejections.map((r) => [r.code, r.ip, r.count]),
      [['50110', '127.0.0.1', 1]],
    );
  });

  test("another user's key answers 404, for read, change and delete", async () => {
    const owner = await signUp('owner@example.com');
    await enable2fa(owner);
    const key = (await newKey(owner)).json() as { apiKey: string };
    const other = await signUp('other@example.com');
    const change = await call(other, 'PATCH', `/keys/${key.apiKey}`, { name: 'mine' });
    assert.equal(change.statusCode, 404);
    const del = await call(other, 'DELETE', `/keys/${key.apiKey}`);
    assert.equal(del.statusCode, 404);
    assert.equal((await call(other, 'GET', '/keys')).json().keys.length, 0);
    assert.equal((await call(other, 'GET', `/keys/${key.apiKey}/activity`)).statusCode, 404);
    assert.equal((await call(owner, 'DELETE', `/keys/${key.apiKey}`)).statusCode, 200);
    // A deleted key's activity stays readable by its owner only.
    const deleted = (await call(owner, 'GET', '/deleted-keys')).json() as {
      keys: Array<{ apiKey: string; how: string; by: string }>;
    };
    assert.deepEqual(
      deleted.keys.map((k) => [k.apiKey, k.how, k.by]),
      [[key.apiKey, 'deleted', 'user']],
    );
    const history = await call(owner, 'GET', `/keys/${key.apiKey}/activity`);
    assert.equal(history.statusCode, 200);
    assert.deepEqual(
      (history.json() as { events: Array<{ action: string }> }).events.map((e) => e.action),
      ['delete', 'create'],
    );
    assert.equal((await call(other, 'GET', `/keys/${key.apiKey}/activity`)).statusCode, 404);
    assert.deepEqual((await call(other, 'GET', '/deleted-keys')).json(), { keys: [] });
  });

  test('demo funds: deposit to the demo account with exact decimals; bad amounts refused', async () => {
    const agent = await signUp('demo@example.com');
    assert.equal((await call(agent, 'POST', '/demo/deposit', { ccy: 'usdt', amt: '1000.5' })).statusCode, 200);
    assert.equal((await call(agent, 'POST', '/demo/deposit', { ccy: 'USDT', amt: '0.25' })).statusCode, 200);
    const balances = (await call(agent, 'GET', '/demo/balances')).json();
    assert.deepEqual(balances.trading, [{ ccy: 'USDT', avail: '1000.75', frozen: '0' }]);
    const bad = await call(agent, 'POST', '/demo/deposit', { ccy: 'USDT', amt: '-5' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'amt');
    const unknown = await call(agent, 'POST', '/demo/deposit', { ccy: 'NOPE', amt: '1' });
    assert.equal(unknown.json().error.field, 'ccy');
    const noCsrf = await call(agent, 'POST', '/demo/deposit', { ccy: 'USDT', amt: '1' }, { csrf: null });
    assert.equal(noCsrf.statusCode, 403);
  });

  test('withdrawal addresses: adding needs 2FA and a chain of the currency; removing is per account', async () => {
    const agent = await signUp('book@example.com');
    const entry = { ccy: 'USDT', chain: 'USDT-TRC20', address: 'TXYZabcdefghijklmnop', label: 'cold wallet' };
    assert.equal((await call(agent, 'POST', '/addresses', entry)).json().error.code, 'totp_required');
    await enable2fa(agent);
    const wrongChain = await call(agent, 'POST', '/addresses', {
      ...entry,
      chain: 'BTC-Bitcoin',
      code: nextCode(agent),
    });
    assert.equal(wrongChain.statusCode, 400);
    assert.equal(wrongChain.json().error.field, 'chain');
    const added = await call(agent, 'POST', '/addresses', { ...entry, code: nextCode(agent) });
    assert.equal(added.statusCode, 201, added.body);
    const dup = await call(agent, 'POST', '/addresses', { ...entry, code: nextCode(agent) });
    assert.match(dup.json().error.message, /already in the address book/);
    const list = (await call(agent, 'GET', '/addresses')).json();
    assert.deepEqual(
      list.addresses.map((a: { chain: string; label: string }) => [a.chain, a.label]),
      [['USDT-TRC20', 'cold wallet']],
    );
    const other = await signUp('book2@example.com');
    assert.equal((await call(other, 'DELETE', `/addresses/${added.json().id}`)).statusCode, 404);
    assert.equal((await call(other, 'GET', '/addresses')).json().addresses.length, 0);
    assert.equal((await call(agent, 'DELETE', `/addresses/${added.json().id}`)).statusCode, 200);
    assert.equal((await call(agent, 'DELETE', '/addresses/abc')).statusCode, 400);
  });

  test('the console API is described in OpenAPI at /console/api/openapi.json (console calls only)', async () => {
    const res = await call(null, 'GET', '/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.match(doc.openapi, /^3\./);
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/console/api/signup',
      '/console/api/login',
      '/console/api/keys',
      '/console/api/keys/{apiKey}',
      '/console/api/keys/{apiKey}/activity',
      '/console/api/addresses',
    ]) {
      assert.ok(paths.includes(p), p);
    }
    assert.ok(doc.paths['/console/api/keys']?.post !== undefined);
    assert.ok(
      !paths.some((p) => p.startsWith('/api/v5') || p === '/signup' || p.startsWith('/assets')),
      paths.join(' '),
    );
  });

  test('a session expires after SIGNET_SESSION_HOURS', async () => {
    const agent = await signUp('expiry@example.com');
    assert.equal((await call(agent, 'GET', '/me')).statusCode, 200);
    clock.at += 3_600_000;
    const expired = await call(agent, 'GET', '/me');
    assert.equal(expired.statusCode, 401);
    assert.match(expired.json().error.message, /expired/);
    const logout = await call(agent, 'POST', '/logout');
    assert.equal(logout.statusCode, 401);
  });
});

test('demo deposits can be turned off with SIGNET_CONSOLE_DEMO_DEPOSITS=false', async () => {
  const { app, close } = await testApp({ SIGNET_CONSOLE_DEMO_DEPOSITS: 'false' });
  try {
    const signup = await app.inject({
      method: 'POST',
      url: `/console/api/signup`,
      payload: { email: 'off@example.com', password: PASSWORD },
    });
    const headers = { cookie: cookieOf(signup), 'x-csrf-token': String(signup.json().csrfToken) };
    const res = await app.inject({
      method: 'POST',
      url: `/console/api/demo/deposit`,
      headers,
      payload: { ccy: 'USDT', amt: '1' },
    });
    assert.equal(res.statusCode, 404);
    assert.match(res.json().error.message, /turned off/);
    assert.equal(
      (await app.inject({ method: 'GET', url: `/console/api/demo/balances`, headers })).json().depositsEnabled,
      false,
    );
  } finally {
    await close();
  }
});
