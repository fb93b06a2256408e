import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { accountError, addUser, memoryStore, randomBox, T0 } from './test-store.test-helpers.js';
import { TotpService } from './totp-service.js';

const store = memoryStore();
after(() => store.close());
const totp = new TotpService(store, randomBox());

/** The code an authenticator app shows at `at` for the set-up secret. */
const codeAt = (secret: string, at: number): string =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

test('set-up, enabling with a first code, then each code and recovery code works once', async () => {
  const user = await addUser(store, 'totp@example.com');
  assert.equal(await totp.isEnabled(user.id), false);
  await assert.rejects(totp.check(user, '123456', T0), accountError('totp_required'));
  await assert.rejects(totp.enable(user, '123456', T0), accountError('totp_state'), 'not set up yet');

  const setup = await totp.setup(user);
  assert.match(setup.secret, /^[A-Z2-7]{32}$/);
  assert.ok(setup.uri.startsWith('otpauth://totp/signet:totp%40example.com?'), setup.uri);
  assert.ok(setup.uri.includes(`secret=${setup.secret}`));
  assert.match(setup.qrSvg, /^<svg/);
  assert.equal(await totp.isEnabled(user.id), false, 'off until confirmed with a code');

  const wrong = codeAt(setup.secret, T0) === '000000' ? '111111' : '000000';
  await assert.rejects(totp.enable(user, wrong, T0), accountError('totp_invalid'));
  await assert.rejects(totp.enable(user, '12345', T0), accountError('totp_invalid'));
  const recovery = await totp.enable(user, codeAt(setup.secret, T0), T0);
  assert.equal(recovery.length, 10);
  assert.equal(new Set(recovery).size, 10);
  for (const c of recovery) assert.match(c, /^[0-9a-f]{8}-[0-9a-f]{8}$/);
  assert.equal(await totp.isEnabled(user.id), true);
  await assert.rejects(totp.setup(user), accountError('totp_state'), 'no new secret while on');

  await assert.rejects(
    totp.check(user, codeAt(setup.secret, T0), T0 + 1000),
    accountError('totp_invalid'),
    'the code that turned 2FA on is used',
  );
  const next = codeAt(setup.secret, T0 + 30_000);
  await totp.check(user, `${next.slice(0, 3)} ${next.slice(3)}`, T0 + 30_000);
  await assert.rejects(totp.check(user, next, T0 + 35_000), accountError('totp_invalid'), 'a replay is refused');
  const ahead = codeAt(setup.secret, T0 + 120_000);
  await assert.rejects(totp.check(user, ahead, T0), accountError('totp_invalid'), 'too far ahead');
  await assert.rejects(totp.check(user, undefined, T0 + 60_000), accountError('totp_required'));

  const [first] = recovery;
  assert.ok(first !== undefined);
  await totp.check(user, first.toUpperCase(), T0 + 60_000);
  await assert.rejects(totp.check(user, first, T0 + 60_000), accountError('totp_invalid'), 'recovery codes work once');
  await totp.check(user, codeAt(setup.secret, T0 + 60_000), T0 + 60_000);
});

test('the secret is sealed at rest', async () => {
  const user = await addUser(store, 'sealed@example.com');
  const setup = await totp.setup(user);
  const record = await store.getTotp(user.id);
  assert.ok(record !== null);
  assert.ok(!record.secretSealed.includes(setup.secret));
  const otherKey = new TotpService(store, randomBox());
  await assert.rejects(otherKey.enable(user, codeAt(setup.secret, T0), T0), 'another master key cannot open it');
});
