import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { ConsoleLimits } from '../config.js';
import { ConsoleGuard } from './console-guard.js';
import { memoryLimiters } from './limiters.js';
import { SessionService } from './session-service.js';
import { accountError, memoryStore, randomBox, ruleError, T0 } from './test-store.test-helpers.js';
import { TotpService } from './totp-service.js';
import { UserService } from './user-service.js';

const store = memoryStore();
after(() => store.close());
const users = new UserService(store);
const totp = new TotpService(store, randomBox());
const sessions = new SessionService(store, 3_600_000);
const LIMITS: ConsoleLimits = {
  loginAttempts: 100,
  loginFailuresPerAccount: 3,
  totpFailures: 3,
  totpFailuresPerIp: 50,
  lockoutS: 60,
  maxLockoutS: 600,
  signupsPerIp: 10,
};
const PASSWORD = 'correct horse battery';

const codeAt = (secret: string, at: number): string =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

/** An account with 2FA on: its secret and recovery codes. */
async function withTwoFactor(email: string) {
  const user = await users.create(email, PASSWORD, T0);
  const { secret } = await totp.setup(user);
  const codes = await totp.enable(user, codeAt(secret, T0), T0);
  return { user, secret, codes };
}

const accountAudit = async (userId: number) =>
  (await store.listAudit(userId, 50)).filter((e) => e.apiKey === '').map((e) => [e.actor, e.action, e.detail]);

test('set a password: the rule first, then the new one works, the old fails, every session ends, audited', async () => {
  const user = await users.create('pw@example.com', PASSWORD, T0);
  const a = await sessions.open(user.id, true, T0);
  const b = await sessions.open(user.id, true, T0);
  await assert.rejects(users.setPassword(user, 'short', 'user', T0, 'newPassword'), ruleError('51000', 'newPassword'));
  assert.notEqual(await sessions.find(a.token, T0 + 1), null, 'a refused change ends nothing');

  await users.setPassword(user, 'a brand new passphrase', 'user', T0 + 1);
  assert.equal(await users.login('pw@example.com', PASSWORD), null);
  assert.notEqual(await users.login('pw@example.com', 'a brand new passphrase'), null);
  assert.equal(await sessions.find(a.token, T0 + 2), null);
  assert.equal(await sessions.find(b.token, T0 + 2), null);

  const fresh = (await users.byId(user.id)) ?? user;
  await users.setPassword(fresh, 'the operator chose this', 'cli', T0 + 2);
  assert.notEqual(await users.login('pw@example.com', 'the operator chose this'), null);
  assert.deepEqual(await accountAudit(user.id), [
    ['cli', 'password_set', {}],
    ['user', 'password_change', {}],
  ]);
  const system = await users.systemAccount('mm@signet.local', T0);
  await assert.rejects(users.setPassword(system, 'a long enough password', 'cli', T0), ruleError('51000', 'user'));
});

test('new recovery codes replace the old ones; a used code is gone and its use audited', async () => {
  const { user, codes } = await withTwoFactor('codes@example.com');
  const [first, second] = codes;
  assert.ok(first !== undefined && second !== undefined);
  await totp.check(user, first, T0 + 1000);
  await assert.rejects(totp.check(user, first, T0 + 1000), accountError('totp_invalid'), 'used once');
  assert.equal(await totp.recoveryCodesLeft(user.id), 9);

  const fresh = await totp.regenerateRecoveryCodes(user, T0 + 2000);
  assert.equal(fresh.length, 10);
  assert.equal(await totp.recoveryCodesLeft(user.id), 10);
  await assert.rejects(totp.check(user, second, T0 + 3000), accountError('totp_invalid'), 'old codes stop working');
  await totp.check(user, fresh[0], T0 + 3000);
  assert.deepEqual(
    await accountAudit(user.id),
    [
      ['user', 'recovery_code_used', { left: 9 }],
      ['user', 'recovery_codes_new', { codes: 10 }],
      ['user', 'recovery_code_used', { left: 9 }],
    ].reverse(),
  );
});

test('2FA off by its owner keeps the session; reset by the operator ends them; either way set-up can start again', async () => {
  const { user, secret } = await withTwoFactor('off@example.com');
  const mine = await sessions.open(user.id, true, T0);
  await totp.disable(user, 'user', T0 + 1);
  assert.equal(await totp.isEnabled(user.id), false);
  assert.equal(await totp.recoveryCodesLeft(user.id), null);
  assert.notEqual(await sessions.find(mine.token, T0 + 2), null);
  // What needs a code is refused until an authenticator is set up again (the existing rule).
  await assert.rejects(totp.check(user, codeAt(secret, T0 + 60_000), T0 + 60_000), accountError('totp_required'));
  await assert.rejects(totp.disable(user, 'user', T0 + 3), accountError('totp_state'));
  await assert.rejects(totp.regenerateRecoveryCodes(user, T0 + 3), accountError('totp_state'));

  const again = await totp.setup(user);
  await totp.enable(user, codeAt(again.secret, T0 + 90_000), T0 + 90_000);
  const pending = await sessions.open(user.id, false, T0 + 90_001);
  await totp.disable(user, 'cli', T0 + 90_002);
  assert.equal(await sessions.find(mine.token, T0 + 90_003), null);
  assert.equal(await sessions.find(pending.token, T0 + 90_003), null);
  assert.deepEqual(await accountAudit(user.id), [
    ['cli', 'totp_reset', {}],
    ['user', 'totp_disable', {}],
  ]);
});

test('the current password check uses the login limits: after 3 wrong ones even the right one waits', async () => {
  const user = await users.create('guess@example.com', PASSWORD, T0);
  const guard = new ConsoleGuard(totp, memoryLimiters(), LIMITS);
  const check = (pw: string) => guard.checkPassword('203.0.113.9', user.email, () => users.passwordMatches(user, pw));
  await check(PASSWORD);
  await assert.rejects(check('wrong one'), accountError('credentials'));
  await assert.rejects(check('wrong two'), accountError('credentials'));
  await assert.rejects(check('wrong three'), accountError('throttled'));
  await assert.rejects(check(PASSWORD), accountError('throttled'), 'locked out: not even evaluated');
  // The same account's logins share the lockout: the change-password form is no side door.
  await assert.rejects(guard.beginLogin('198.51.100.1', user.email), accountError('throttled'));
});

test('the operator list: accounts people log in to, with 2FA, keys and last login in ISO time', async () => {
  const { user } = await withTwoFactor('listed@example.com');
  await users.recordLogin(user, T0 + 5000);
  const row = (await users.list()).find((u) => u.email === 'listed@example.com');
  assert.deepEqual(row, {
    email: 'listed@example.com',
    uid: user.uid,
    createdAt: new Date(T0).toISOString(),
    twoFactor: true,
    keys: 0,
    lastLoginAt: new Date(T0 + 5000).toISOString(),
  });
  assert.ok(!(await users.list()).some((u) => u.email === 'mm@signet.local'), 'no system account');
});
