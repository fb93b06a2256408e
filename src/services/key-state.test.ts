import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { DAY_MS, DEFAULT_EXPIRY } from '../core/expiry.js';
import { MAX_GRACE_MS } from '../core/grace.js';
import { Authenticator, type AuthOutcome, type AuthRequest } from './authenticator.js';
import { KeyService } from './key-service.js';
import { Keyring } from './keyring.js';
import { memoryLimiters } from './limiters.js';
import { RejectionRecorder } from './rejection-recorder.js';
import { addUser, memoryStore, randomBox, ruleError, T0 } from './test-store.test-helpers.js';
import { UsageTracker } from './usage-tracker.js';

const store = memoryStore();
after(() => store.close());
const box = randomBox();
const keys = new KeyService(store, box, DEFAULT_EXPIRY);
const rejections = new RejectionRecorder(store);
const PASSPHRASE = 'Passphrase-1';
const IP = '203.0.113.7';
const TARGET = '/api/v5/account/balance';
const HOUR = 3_600_000;

let userId: number;
before(async () => {
  userId = (await addUser(store, 'state@example.com')).id;
});

/** A fresh keyring and authenticator (a fresh process: nothing cached). */
function instance(): { keyring: Keyring; auth: Authenticator } {
  const keyring = new Keyring(store, box);
  const limits = { timestampWindowMs: 30_000, failsPerIp: 3, failsPerKey: 3 };
  const auth = new Authenticator(keyring, new UsageTracker(store), limits, rejections, memoryLimiters());
  return { keyring, auth };
}

/** A GET signed with `secret` at `at`, as OKX clients sign it. */
function signed(apiKey: string, secret: string, at: number): AuthRequest {
  const timestamp = new Date(at).toISOString();
  const sign = createHmac('sha256', secret).update(`${timestamp}GET${TARGET}`).digest('base64');
  return {
    apiKey,
    sign,
    timestamp,
    passphrase: PASSPHRASE,
    demo: false,
    method: 'GET',
    target: TARGET,
    body: undefined,
    ip: IP,
    needs: 'read',
  };
}

const code = (outcome: AuthOutcome): string => (outcome.ok ? 'ok' : outcome.code);

async function newKey(label: string) {
  return keys.create(userId, { label, passphrase: PASSPHRASE, perm: 'trade', ip: IP, env: 'live' }, 'user', T0);
}

test('disable keeps the settings, is refused with 50100 only to signed requests, and enable restores the key', async () => {
  const key = await newKey('disable');
  const { keyring, auth } = instance();
  await keyring.start();
  assert.equal(code(await auth.authenticate(signed(key.apiKey, key.secretKey, T0), T0)), 'ok');

  const view = await keys.disable(userId, key.apiKey, 'user', T0 + 1000);
  assert.deepEqual(
    [view.disabled, view.disabledAt, view.perm, view.ip],
    [true, new Date(T0 + 1000).toISOString(), 'read_only,trade', IP],
  );
  await assert.rejects(keys.disable(userId, key.apiKey, 'user', T0 + 2000), ruleError('51000', 'state'));
  assert.equal(await keyring.sync(), 1, 'a disable is a key change: every process evicts the key');

  // Many signed requests: each 50100, none counted towards a block (limits are 3 here).
  for (let i = 0; i < 5; i++) {
    assert.equal(code(await auth.authenticate(signed(key.apiKey, key.secretKey, T0 + 2000), T0 + 2000)), '50100');
  }
  const unsigned = signed(key.apiKey, 'F'.repeat(32), T0 + 2000);
  assert.equal(code(await auth.authenticate(unsigned, T0 + 2000)), '50113', 'without the secret, nothing is learnt');
  const wsLogin = await auth.login(
    {
      apiKey: key.apiKey,
      passphrase: PASSPHRASE,
      timestamp: String((T0 + 2000) / 1000),
      demo: false,
      ip: IP,
      sign: createHmac('sha256', key.secretKey)
        .update(`${(T0 + 2000) / 1000}GET/users/self/verify`)
        .digest('base64'),
    },
    T0 + 2000,
  );
  assert.equal(code(wsLogin), '50100', 'a WebSocket login is refused the same way');

  await assert.rejects(
    keys.enable(userId, 'ffffffff-0000-4000-8000-000000000000', 'user', T0),
    ruleError('59506', 'key'),
  );
  const enabled = await keys.enable(userId, key.apiKey, 'cli', T0 + 3000);
  assert.deepEqual(
    [enabled.disabled, enabled.disabledAt, enabled.perm, enabled.ip],
    [false, null, 'read_only,trade', IP],
  );
  await assert.rejects(keys.enable(userId, key.apiKey, 'user', T0 + 3000), ruleError('51000', 'state'));
  await keyring.sync();
  assert.equal(code(await auth.authenticate(signed(key.apiKey, key.secretKey, T0 + 4000), T0 + 4000)), 'ok');

  await rejections.flush(T0 + 5000);
  const activity = await keys.activity(userId, key.apiKey);
  assert.deepEqual(
    activity.events.slice(0, 2).map((e) => [e.action, e.actor]),
    [
      ['enable', 'cli'],
      ['disable', 'user'],
    ],
  );
  assert.deepEqual(
    activity.rejections.find((r) => r.code === '50100')?.count,
    6,
    'REST and WebSocket refusals counted',
  );
});

test('roll: a new secret once, the old one accepted until the grace ends (by the request clock), then 50113', async () => {
  const key = await newKey('roll');
  const rolled = await keys.roll(userId, key.apiKey, 24 * HOUR, 'user', T0);
  assert.equal(rolled.apiKey, key.apiKey);
  assert.match(rolled.secretKey, /^[0-9A-F]{32}$/);
  assert.notEqual(rolled.secretKey, key.secretKey);
  const until = T0 + 24 * HOUR;
  assert.equal(rolled.graceUntil, new Date(until).toISOString());

  const stored = await store.getKey(key.apiKey);
  assert.ok(stored !== null && stored.prevSecretSealed !== null);
  assert.ok(!stored.prevSecretSealed.includes(key.secretKey), 'the old secret is sealed at rest');
  assert.equal(box.open(stored.prevSecretSealed, key.apiKey), key.secretKey);

  const { auth } = instance();
  const at = (t: number, secret: string) => auth.authenticate(signed(key.apiKey, secret, t), t);
  assert.equal(code(await at(T0 + 1000, rolled.secretKey)), 'ok', 'the new secret works at once');
  assert.equal(code(await at(T0 + 1000, key.secretKey)), 'ok', 'the old one too, during the grace');
  assert.equal(code(await at(until - 1, key.secretKey)), 'ok');
  // No sync, no reload: the same cached key refuses the old secret from the grace's end.
  assert.equal(code(await at(until, key.secretKey)), '50113');
  assert.equal(code(await at(until, rolled.secretKey)), 'ok');

  const [listed] = (await keys.list(userId, T0)).filter((k) => k.apiKey === key.apiKey);
  assert.equal(listed?.graceUntil, new Date(until).toISOString());
  const [ended] = (await keys.list(userId, until)).filter((k) => k.apiKey === key.apiKey);
  assert.equal(ended?.graceUntil, null, 'null once the grace has ended');
  assert.equal(ended?.perm, 'read_only,trade');
  assert.equal(ended?.ip, IP);

  const [event] = (await keys.activity(userId, key.apiKey)).events;
  assert.equal(event?.action, 'roll');
  assert.deepEqual(event?.detail, { label: 'roll', graceUntil: new Date(until).toISOString() });
  assert.ok(!JSON.stringify(event).includes(rolled.secretKey) && !JSON.stringify(event).includes(key.secretKey));
});

test('rolling during a grace replaces the old secret by the current one; grace 0 stops the old at once', async () => {
  const key = await newKey('roll twice');
  const first = await keys.roll(userId, key.apiKey, HOUR, 'user', T0);
  const second = await keys.roll(userId, key.apiKey, HOUR, 'user', T0 + 1000);
  const { auth } = instance();
  const at = (t: number, secret: string) => auth.authenticate(signed(key.apiKey, secret, t), t);
  assert.equal(code(await at(T0 + 2000, key.secretKey)), '50113', 'the original secret stopped');
  assert.equal(code(await at(T0 + 2000, first.secretKey)), 'ok', 'the one just replaced works in the grace');
  assert.equal(code(await at(T0 + 2000, second.secretKey)), 'ok');

  const third = await keys.roll(userId, key.apiKey, 0, 'cli', T0 + 3000);
  assert.equal(third.graceUntil, null);
  const fresh = instance().auth;
  assert.equal(code(await fresh.authenticate(signed(key.apiKey, second.secretKey, T0 + 4000), T0 + 4000)), '50113');
  assert.equal(code(await fresh.authenticate(signed(key.apiKey, third.secretKey, T0 + 4000), T0 + 4000)), 'ok');
  const stored = await store.getKey(key.apiKey);
  assert.deepEqual([stored?.prevSecretSealed, stored?.prevSecretUntil], [null, null]);
});

test('roll refuses a grace beyond 7 days or below 0 and an unknown key, changing nothing', async () => {
  const key = await newKey('roll limits');
  await assert.rejects(keys.roll(userId, key.apiKey, MAX_GRACE_MS + 1, 'user', T0), ruleError('51000', 'grace'));
  await assert.rejects(keys.roll(userId, key.apiKey, -1, 'user', T0), ruleError('51000', 'grace'));
  await assert.rejects(keys.roll(userId, 'ffffffff-0000-4000-8000-000000000000', HOUR, 'user', T0), ruleError('59506'));
  const other = await addUser(store, 'state-other@example.com');
  await assert.rejects(keys.roll(other.id, key.apiKey, HOUR, 'user', T0), ruleError('59506'), "another account's key");
  const rolled = await keys.roll(userId, key.apiKey, MAX_GRACE_MS, 'user', T0);
  assert.equal(rolled.graceUntil, new Date(T0 + 7 * DAY_MS).toISOString());
  assert.equal((await keys.activity(userId, key.apiKey)).events.filter((e) => e.action === 'roll').length, 1);
});

test('a disabled unbound key keeps its idle clock: the sweeper deletes it like any idle key', async () => {
  const key = await keys.create(userId, { label: 'idle', passphrase: PASSPHRASE, env: 'live' }, 'user', T0);
  const view = await keys.disable(userId, key.apiKey, 'user', T0 + DAY_MS);
  assert.equal(view.expiresAt, new Date(T0 + 30 * DAY_MS).toISOString(), 'disabling is not use');
  const swept = await keys.sweep(T0 + 30 * DAY_MS);
  assert.ok(swept.some((k) => k.apiKey === key.apiKey && k.disabled));
});
