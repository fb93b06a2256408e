import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../src/runtime.js';
import { type Agent, type CallArgs, consoleCall, cookieOf, TotpClock } from './console-agent.js';
import { testApp } from './helpers.js';

const PASSWORD = 'correct horse battery';

const clock = new TotpClock();
const now = clock.now;
const nextCode = (agent: Agent): string => clock.nextCode(agent.secret);

describe('console API: a way back in (password change, recovery codes, 2FA off)', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let rt: Runtime;

  before(async () => {
    ({ app, close, rt } = await testApp(
      { SIGNET_SIGNUPS_PER_IP: '100', SIGNET_LOGIN_FAILURES_PER_ACCOUNT: '3', SIGNET_TOTP_FAILURES: '3' },
      now,
    ));
  });
  after(async () => close());

  const call = (...args: CallArgs) => consoleCall(app, ...args);

  async function signUp(email: string): Promise<Agent> {
    const res = await call(null, 'POST', '/signup', { email, password: PASSWORD });
    assert.equal(res.statusCode, 201, res.body);
    return { cookie: cookieOf(res), csrf: String(res.json().csrfToken), secret: '' };
  }

  async function enable2fa(agent: Agent): Promise<string[]> {
    const setup = await call(agent, 'POST', '/security/totp/setup');
    agent.secret = String(setup.json().secret);
    assert.ok(String(setup.json().uri).startsWith('otpauth://totp/'));
    const enabled = await call(agent, 'POST', '/security/totp/enable', { code: nextCode(agent) });
    assert.equal(enabled.statusCode, 200, enabled.body);
    return enabled.json().recoveryCodes as string[];
  }

  /** Logs in with the password (and `code` for the second step when asked): the agent, or the refusal. */
  async function logIn(email: string, password: string, code?: string) {
    const res = await call(null, 'POST', '/login', { email, password });
    if (res.statusCode !== 200) return { res, agent: null };
    const agent: Agent = { cookie: cookieOf(res), csrf: String(res.json().csrfToken), secret: '' };
    if (res.json().totpRequired !== true || code === undefined) return { res, agent };
    const verified = await call(agent, 'POST', '/login/verify', { code });
    if (verified.statusCode !== 200) return { res: verified, agent: null };
    return { res: verified, agent: { ...agent, cookie: cookieOf(verified), csrf: String(verified.json().csrfToken) } };
  }

  test('change password: rule, current password, code; other sessions end, this one rotates; audited', async () => {
    const me = await signUp('change@example.com');
    await enable2fa(me);
    const other = await logIn('change@example.com', PASSWORD, nextCode(me));
    assert.ok(other.agent !== null, other.res.body);

    const weak = await call(me, 'POST', '/security/password', { currentPassword: PASSWORD, newPassword: 'short' });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().error.field, 'newPassword');
    const wrong = await call(me, 'POST', '/security/password', {
      currentPassword: 'not my password',
      newPassword: 'my new long password',
      code: nextCode(me),
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error.field, 'currentPassword');
    const noCode = await call(me, 'POST', '/security/password', {
      currentPassword: PASSWORD,
      newPassword: 'my new long password',
    });
    assert.equal(noCode.statusCode, 403);
    assert.equal(noCode.json().error.field, 'code');

    const done = await call(me, 'POST', '/security/password', {
      currentPassword: PASSWORD,
      newPassword: 'my new long password',
      code: nextCode(me),
    });
    assert.equal(done.statusCode, 200, done.body);
    const rotated: Agent = { ...me, cookie: cookieOf(done), csrf: String(done.json().csrfToken) };
    assert.notEqual(rotated.cookie, me.cookie, 'a new session id');
    assert.notEqual(rotated.csrf, me.csrf);
    assert.equal((await call(rotated, 'GET', '/me')).statusCode, 200, 'this browser goes on');
    assert.equal((await call(me, 'GET', '/me')).statusCode, 401, 'the old session id is gone');
    assert.equal((await call(other.agent, 'GET', '/me')).statusCode, 401, 'the other session ended');

    assert.equal((await logIn('change@example.com', PASSWORD)).res.statusCode, 401, 'old password fails');
    assert.equal((await logIn('change@example.com', 'my new long password')).res.statusCode, 200);
    const user = await rt.users.byEmail('change@example.com');
    const audit = await rt.store.listAudit(user.id, 10);
    assert.deepEqual(
      audit.filter((e) => e.apiKey === '').map((e) => [e.actor, e.action]),
      [['user', 'password_change']],
    );
  });

  test('without 2FA the password change needs no code; wrong current passwords hit the login lockout', async () => {
    const me = await signUp('plain@example.com');
    for (const attempt of [1, 2]) {
      const r = await call(me, 'POST', '/security/password', {
        currentPassword: `wrong ${attempt}`,
        newPassword: 'another long password',
      });
      assert.equal(r.statusCode, 401, r.body);
    }
    const third = await call(me, 'POST', '/security/password', {
      currentPassword: 'wrong 3',
      newPassword: 'another long password',
    });
    assert.equal(third.statusCode, 429);
    assert.ok(Number(third.headers['retry-after']) > 0);
    const right = await call(me, 'POST', '/security/password', {
      currentPassword: PASSWORD,
      newPassword: 'another long password',
    });
    assert.equal(right.statusCode, 429, 'locked out: the right password waits too');
    assert.equal((await logIn('plain@example.com', PASSWORD)).res.statusCode, 429, 'and so do logins');
  });

  test('log in with a recovery code (once); new codes replace the old ones; the count is shown', async () => {
    const me = await signUp('codes@example.com');
    const codes = await enable2fa(me);
    const [first, second] = codes;
    const viaCode = await logIn('codes@example.com', PASSWORD, first);
    assert.ok(viaCode.agent !== null, viaCode.res.body);
    assert.equal(viaCode.res.json().totpRequired, false);
    assert.equal((await logIn('codes@example.com', PASSWORD, first)).res.statusCode, 403, 'a used code is gone');
    const status = await call(viaCode.agent, 'GET', '/security');
    assert.deepEqual(status.json(), { totpEnabled: true, recoveryCodesLeft: 9 });

    const noCode = await call(me, 'POST', '/security/recovery-codes', { code: '' });
    assert.equal(noCode.statusCode, 403);
    const fresh = await call(me, 'POST', '/security/recovery-codes', { code: nextCode(me) });
    assert.equal(fresh.statusCode, 200, fresh.body);
    const newCodes = fresh.json().recoveryCodes as string[];
    assert.equal(newCodes.length, 10);
    assert.equal((await logIn('codes@example.com', PASSWORD, second)).res.statusCode, 403, 'old codes stop working');
    assert.ok((await logIn('codes@example.com', PASSWORD, newCodes[0])).agent !== null);
  });

  test('2FA off needs a code; then login asks for none and key creation asks to set 2FA up again', async () => {
    const me = await signUp('off@example.com');
    await enable2fa(me);
    const wrong = await call(me, 'POST', '/security/totp/disable', { code: '000000' });
    assert.equal(wrong.statusCode, 403);
    const off = await call(me, 'POST', '/security/totp/disable', { code: nextCode(me) });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal((await call(me, 'GET', '/me')).json().user.totpEnabled, false, 'this session goes on');
    const again = await logIn('off@example.com', PASSWORD);
    assert.equal(again.res.json().totpRequired, false);
    const key = await call(me, 'POST', '/keys', {
      name: 'bot',
      passphrase: 'Passw0rd!',
      perm: ['read'],
      ip: '',
      env: 'live',
      code: '123456',
    });
    assert.equal(key.statusCode, 403);
    assert.equal(key.json().error.code, 'totp_required');
    const twice = await call(me, 'POST', '/security/totp/disable', { code: '123456' });
    assert.equal(twice.statusCode, 403, 'nothing to turn off');
    assert.deepEqual((await call(me, 'GET', '/security')).json(), { totpEnabled: false, recoveryCodesLeft: null });
  });
});
