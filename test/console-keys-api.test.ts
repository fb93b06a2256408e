import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { cli, cliOk, tempDir, testApp } from './helpers.js';

const BASE = '/console/api';
const PASSWORD = 'correct horse battery';
const GOOD = 'Passw0rd!';

interface Agent {
  cookie: string;
  csrf: string;
  secret: string;
}

/** The console's key pages on the server: every rule checked before an authenticator code is consumed. */
function keysApi(env: Record<string, string>) {
  let clock = Date.UTC(2026, 5, 1, 12);
  let app: FastifyInstance;
  let close: () => Promise<void>;
  const setUp = async () => {
    ({ app, close } = await testApp({ SIGNET_SIGNUPS_PER_IP: '100', ...env }, () => clock));
  };
  const call = (agent: Agent | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    app.inject({
      method,
      url: `${BASE}${url}`,
      headers: agent === null ? {} : { cookie: agent.cookie, 'x-csrf-token': agent.csrf },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  /** The code of the next 30-second step (the clock moves there): fresh, never used. */
  const nextCode = (agent: Agent) => {
    clock += 30_000;
    return new TOTP({ secret: Secret.fromBase32(agent.secret), period: 30, digits: 6, algorithm: 'SHA1' }).generate({
      timestamp: clock,
    });
  };
  const agent = async (email: string): Promise<Agent> => {
    const res = await call(null, 'POST', '/signup', { email, password: PASSWORD });
    assert.equal(res.statusCode, 201, res.body);
    const raw = res.headers['set-cookie'];
    const cookie = (Array.isArray(raw) ? String(raw[0]) : String(raw)).split(';', 1)[0] ?? '';
    const a: Agent = { cookie, csrf: String(res.json().csrfToken), secret: '' };
    const setup = await call(a, 'POST', '/security/totp/setup');
    a.secret = String(setup.json().secret);
    const on = await call(a, 'POST', '/security/totp/enable', { code: nextCode(a) });
    assert.equal(on.statusCode, 200, on.body);
    return a;
  };
  return { setUp, close: () => close(), call, nextCode, agent };
}

const fieldsOf = (body: { error: { fields?: Array<{ field: string; code: string }> } }) =>
  (body.error.fields ?? []).map((f) => `${f.field}:${f.code}`).sort();

describe('console keys: validate before the code is consumed', () => {
  const s = keysApi({});
  before(s.setUp);
  after(s.close);

  test('every field error at once, from /keys/validate and from /keys, with no code spent', async () => {
    const a = await s.agent('all@example.com');
    const base = { name: 'bot', passphrase: GOOD, perm: ['read'], ip: '', env: 'live' };
    assert.equal((await s.call(a, 'POST', '/keys', { ...base, code: s.nextCode(a) })).statusCode, 201);
    const bad = { name: 'bot', passphrase: 'weak', perm: ['read', 'fly'], ip: '1.2.3.999, 10.0.0.1', env: 'live' };
    const checked = await s.call(a, 'POST', '/keys/validate', bad);
    assert.equal(checked.statusCode, 400, checked.body);
    assert.deepEqual(fieldsOf(checked.json()), ['ip:51000', 'name:59502', 'passphrase:59505', 'perm:51000']);
    // The API keeps OKX's codes; the first problem is also the body's own.
    assert.equal(checked.json().error.code, '59502');
    const code = s.nextCode(a);
    const refused = await s.call(a, 'POST', '/keys', { ...bad, code });
    assert.deepEqual(fieldsOf(refused.json()), ['ip:51000', 'name:59502', 'passphrase:59505', 'perm:51000']);
    // The same code still authorizes the corrected form.
    const made = await s.call(a, 'POST', '/keys', { ...base, name: 'bot 2', code });
    assert.equal(made.statusCode, 201, made.body);
    assert.equal((await s.call(a, 'POST', '/keys/validate', { ...base, name: 'bot 3' })).json().ok, true);
  });

  test('a weak passphrase, then the fixed one with the SAME code succeeds; that code then is spent', async () => {
    const a = await s.agent('same@example.com');
    const code = s.nextCode(a);
    const form = { name: 'tool', perm: ['read', 'trade'], ip: '203.0.113.7', env: 'live' };
    const weak = await s.call(a, 'POST', '/keys', { ...form, passphrase: 'password', code });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().error.field, 'passphrase');
    const made = await s.call(a, 'POST', '/keys', { ...form, passphrase: GOOD, code });
    assert.equal(made.statusCode, 201, made.body);
    const again = await s.call(a, 'POST', '/keys', { ...form, name: 'tool 2', passphrase: GOOD, code });
    assert.equal(again.statusCode, 403);
    assert.match(again.json().error.message, /already used/);
  });

  test('modify: a refused IP list leaves the code usable for the corrected one', async () => {
    const a = await s.agent('modify@example.com');
    const made = await s.call(a, 'POST', '/keys', {
      name: 'k',
      passphrase: GOOD,
      perm: ['read'],
      ip: '',
      env: 'live',
      code: s.nextCode(a),
    });
    const apiKey = String(made.json().apiKey);
    const code = s.nextCode(a);
    const bad = await s.call(a, 'PATCH', `/keys/${apiKey}`, { name: ' x', ip: '300.1.1.1', code });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(fieldsOf(bad.json()), ['ip:51000', 'name:51000']);
    const good = await s.call(a, 'PATCH', `/keys/${apiKey}`, { name: 'x', ip: '198.51.100.1', code });
    assert.equal(good.statusCode, 200, good.body);
    assert.equal(good.json().ip, '198.51.100.1');
  });

  test('withdraw without IPs is allowed by default, and the list says whether it is a rule', async () => {
    const a = await s.agent('wd@example.com');
    const list = await s.call(a, 'GET', '/keys');
    assert.equal(list.json().withdrawRequiresIp, false);
    const ok = await s.call(a, 'POST', '/keys/validate', {
      name: 'w',
      passphrase: GOOD,
      perm: ['read', 'withdraw'],
      ip: '',
      env: 'live',
    });
    assert.equal(ok.statusCode, 200, ok.body);
  });
});

describe('SIGNET_WITHDRAW_REQUIRES_IP=true', () => {
  const s = keysApi({ SIGNET_WITHDRAW_REQUIRES_IP: 'true' });
  before(s.setUp);
  after(s.close);

  test('console: Withdraw with no IP is refused on ip (create and modify), with IPs it is fine', async () => {
    const a = await s.agent('rule@example.com');
    assert.equal((await s.call(a, 'GET', '/keys')).json().withdrawRequiresIp, true);
    const form = { name: 'w', passphrase: GOOD, perm: ['read', 'withdraw'], ip: '', env: 'live' };
    const code = s.nextCode(a);
    const refused = await s.call(a, 'POST', '/keys', { ...form, code });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().error.field, 'ip');
    assert.match(refused.json().error.message, /Withdraw permission must bind/);
    const made = await s.call(a, 'POST', '/keys', { ...form, ip: '203.0.113.9', code });
    assert.equal(made.statusCode, 201, made.body);
    const unbind = await s.call(a, 'PATCH', `/keys/${String(made.json().apiKey)}`, { ip: '', code: s.nextCode(a) });
    assert.equal(unbind.statusCode, 400);
    assert.equal(unbind.json().error.field, 'ip');
  });
});

describe('CLI: withdraw without IP binding', () => {
  test('keys create and modify warn on stderr; with SIGNET_WITHDRAW_REQUIRES_IP=true they refuse', async () => {
    const data = tempDir();
    const user = 'cli@example.com';
    await cliOk(['user', 'create', '--email', user, '--password', PASSWORD], data);
    const create = (name: string, extra: string[], env: Record<string, string> = {}) =>
      cli(['keys', 'create', '--user', user, '--name', name, '--passphrase', GOOD, ...extra], { data, env });
    const warned = await create('w', ['--perm', 'read,withdraw']);
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /warning: this key can withdraw and is not bound to any IP address/);
    const bound = await create('b', ['--perm', 'read,withdraw', '--ip', '203.0.113.1', '--json']);
    assert.equal(bound.code, 0, bound.stderr);
    assert.equal(bound.stderr, '');
    const apiKey = String(JSON.parse(bound.stdout).apiKey);
    const unbound = await cli(['keys', 'modify', '--user', user, '--key', apiKey, '--ip', ''], { data });
    assert.equal(unbound.code, 0, unbound.stderr);
    assert.match(unbound.stderr, /warning: this key can withdraw/);
    const rule = { SIGNET_WITHDRAW_REQUIRES_IP: 'true' };
    const refused = await create('r', ['--perm', 'read,withdraw'], rule);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Withdraw permission must bind at least one IP address/);
    const trade = await create('t', ['--perm', 'read,trade'], rule);
    assert.equal(trade.code, 0, trade.stderr);
    assert.equal(trade.stderr, '');
  });
});
