import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { DEFAULT_EXPIRY } from '../core/expiry.js';
import type { RouteAccess } from '../core/permissions.js';
import { Authenticator, type AuthOutcome, type AuthRequest } from './authenticator.js';
import { type CreatedKey, KeyService } from './key-service.js';
import { Keyring } from './keyring.js';
import { memoryLimiters } from './limiters.js';
import { RejectionRecorder } from './rejection-recorder.js';
import { addUser, memoryStore, randomBox, T0 } from './test-store.test-helpers.js';
import { UsageTracker } from './usage-tracker.js';

const store = memoryStore();
after(() => store.close());
const box = randomBox();
const keyring = new Keyring(store, box);
const usage = new UsageTracker(store);
const rejections = new RejectionRecorder(store);
const keys = new KeyService(store, box, DEFAULT_EXPIRY);
const PASSPHRASE = 'Passphrase-1';
const IP = '203.0.113.7';
const TARGET = '/api/v5/trade/order';
const BODY = '{"instId":"BTC-USDT","side":"buy"}';

function authenticator(limits = { failsPerIp: 1000, failsPerKey: 1000 }): Authenticator {
  return new Authenticator(keyring, usage, { timestampWindowMs: 30_000, ...limits }, rejections, memoryLimiters());
}

/** A POST signed as OKX clients sign it, with `over` replacing any field. */
function request(key: CreatedKey, over: Partial<AuthRequest> & { secret?: string; at?: number } = {}): AuthRequest {
  const timestamp = new Date(over.at ?? T0).toISOString();
  const sign = createHmac('sha256', over.secret ?? key.secretKey)
    .update(`${timestamp}POST${TARGET}${BODY}`)
    .digest('base64');
  const needs: RouteAccess = 'read';
  const req: AuthRequest = {
    apiKey: key.apiKey,
    sign,
    timestamp,
    passphrase: PASSPHRASE,
    demo: false,
    method: 'POST',
    target: TARGET,
    body: Buffer.from(BODY),
    ip: IP,
    needs,
  };
  return { ...req, ...over };
}

const code = (outcome: AuthOutcome): string => (outcome.ok ? 'ok' : outcome.code);

let user: { id: number };
let live: CreatedKey;
let demo: CreatedKey;
before(async () => {
  user = await addUser(store, 'auth@example.com');
  [live, demo] = await Promise.all([
    keys.create(user.id, { label: 'live', passphrase: PASSPHRASE, perm: 'read', ip: IP, env: 'live' }, 'user', T0),
    keys.create(user.id, { label: 'demo', passphrase: PASSPHRASE, perm: 'trade', env: 'demo' }, 'user', T0),
  ]);
  await keyring.start();
});

test('a correctly signed request is accepted, counted as use, and then answered synchronously', async () => {
  const auth = authenticator();
  const outcome = await auth.authenticate(request(live), T0 + 1000);
  assert.ok(outcome.ok, code(outcome));
  assert.equal(outcome.key.apiKey, live.apiKey);
  assert.equal(outcome.key.userId, user.id);
  assert.equal(usage.pending, 1, 'its last-used time waits for the flush');
  const again = auth.authenticate(request(live), T0 + 2000);
  assert.ok(!(again instanceof Promise), 'a cached key with a remembered passphrase needs no promise');
  assert.equal(code(again), 'ok');
  const seconds = String(T0 / 1000);
  const wsSign = createHmac('sha256', demo.secretKey).update(`${seconds}GET/users/self/verify`).digest('base64');
  const ws = await auth.login({ ...request(demo), demo: true, timestamp: seconds, sign: wsSign }, T0);
  assert.equal(code(ws), 'ok', 'the WebSocket login signs timestamp + GET + /users/self/verify');
});

test('each failure answers its OKX code', async () => {
  const auth = authenticator();
  const cases: Array<[string, AuthRequest]> = [
    ['50103', request(live, { apiKey: '' })],
    ['50106', request(live, { sign: undefined })],
    ['50107', request(live, { timestamp: '' })],
    ['50104', request(live, { passphrase: '' })],
    ['50112', request(live, { timestamp: '2025-01-02 03:04:05' })],
    ['50102', request(live, { at: T0 - 31_000 })],
    ['50102', request(live, { at: T0 + 31_000 })],
    ['50111', request(live, { apiKey: '00000000-0000-4000-8000-000000000000' })],
    ['50111', request(live, { apiKey: 'not-a-key' })],
    ['50101', request(live, { demo: true })],
    ['50101', request(demo, { demo: false })],
    ['50113', request(live, { secret: demo.secretKey })],
    ['50113', request(live, { target: `${TARGET}?x=1` })],
    ['50105', request(live, { passphrase: 'Passphrase-2' })],
    ['50110', request(live, { ip: '203.0.113.8' })],
    ['50120', request(live, { needs: 'trade' })],
    ['ok', request(demo, { demo: true, ip: '198.51.100.1', needs: 'trade' })],
    ['50120', request(demo, { demo: true, needs: 'withdraw' })],
  ];
  for (const [expected, req] of cases) {
    const outcome = await auth.authenticate(req, T0);
    assert.equal(code(outcome), expected, JSON.stringify({ ...req, body: undefined }));
  }
  const refused = await auth.authenticate(request(live, { ip: '203.0.113.8' }), T0);
  assert.deepEqual(refused, { ok: false, code: '50110', arg: '203.0.113.8', apiKey: live.apiKey });
});

test('after the failures allowed per IP, that IP is refused with 50011 even when correct', async () => {
  const auth = authenticator({ failsPerIp: 3, failsPerKey: 1000 });
  const other = '192.0.2.44';
  const wrong = request(live, { ip: other, passphrase: 'Passphrase-2' });
  assert.equal(code(await auth.authenticate(wrong, T0)), '50105');
  assert.equal(code(await auth.authenticate(wrong, T0)), '50105');
  assert.equal(code(await auth.authenticate(wrong, T0)), '50105', 'the third failure is still answered');
  assert.equal(code(await auth.authenticate(request(live, { ip: other }), T0)), '50011');
  assert.equal(code(await auth.authenticate(request(live), T0)), 'ok', 'other IPs are not blocked');
});

/** A Keyring that counts passphrase evaluations (each one a guess checked, by scrypt or against the memo). */
class CountingKeyring extends Keyring {
  evaluated = 0;
  override passphraseMatches(key: Parameters<Keyring['passphraseMatches']>[0], given: string) {
    this.evaluated++;
    return super.passphraseMatches(key, given);
  }
}

async function unboundKey(label: string): Promise<CreatedKey> {
  return keys.create(user.id, { label, passphrase: PASSPHRASE, perm: 'read', env: 'live' }, 'user', T0);
}

const wsLogin = (key: CreatedKey, passphrase: string, ip = IP) => {
  const seconds = String(T0 / 1000);
  const sign = createHmac('sha256', key.secretKey).update(`${seconds}GET/users/self/verify`).digest('base64');
  return { apiKey: key.apiKey, passphrase, timestamp: seconds, sign, demo: false, ip };
};

/** The per-key failure limit of the burst tests (a small one: each evaluated guess is a real scrypt). */
const BURST_LIMIT = 10;

for (const warm of [false, true]) {
  test(`a burst of wrong passphrases gets at most the limit evaluated, and the right one in it is refused (${warm ? 'remembered passphrase' : 'scrypt'})`, async () => {
    const counting = new CountingKeyring(store, box);
    await counting.start();
    const auth = new Authenticator(
      counting,
      usage,
      { timestampWindowMs: 30_000, failsPerIp: 100_000, failsPerKey: BURST_LIMIT },
      null,
      memoryLimiters(),
    );
    const k = await unboundKey(`burst-${warm}`);
    if (warm) {
      assert.equal(code(await auth.authenticate(request(k), T0)), 'ok');
      counting.evaluated = 0;
    }
    const guesses = Array.from({ length: 600 }, (_, i) => (i === 300 ? PASSPHRASE : `Wrong-${i}-pass`));
    const outcomes = await Promise.all(guesses.map((p) => auth.authenticate(request(k, { passphrase: p }), T0)));
    assert.notEqual(code(outcomes[300] as AuthOutcome), 'ok', 'the right passphrase after the limit is refused');
    assert.ok(
      counting.evaluated <= BURST_LIMIT + 1,
      `${counting.evaluated} passphrases evaluated in a burst of 600; limit ${BURST_LIMIT}`,
    );
    assert.ok(outcomes.filter((o) => code(o) === '50105').length <= BURST_LIMIT);
    assert.equal(code(await auth.authenticate(request(k), T0 + 1000)), '50011', 'refused until the block ends');
    assert.equal(
      code(await auth.authenticate(request(k, { at: T0 + 61_000 }), T0 + 61_000)),
      'ok',
      'accepted once it has ended',
    );
  });
}

test('a burst of WebSocket logins with wrong passphrases gets at most the limit evaluated', async () => {
  const counting = new CountingKeyring(store, box);
  await counting.start();
  const auth = new Authenticator(
    counting,
    usage,
    { timestampWindowMs: 30_000, failsPerIp: 100_000, failsPerKey: BURST_LIMIT },
    null,
    memoryLimiters(),
  );
  const k = await unboundKey('ws-burst');
  const guesses = Array.from({ length: 300 }, (_, i) => (i === 200 ? PASSPHRASE : `Wrong-${i}-pass`));
  const outcomes = await Promise.all(guesses.map((p) => auth.login(wsLogin(k, p), T0)));
  assert.notEqual(code(outcomes[200] as AuthOutcome), 'ok');
  assert.ok(counting.evaluated <= BURST_LIMIT + 1, `${counting.evaluated} evaluated`);
  assert.equal(code(await auth.login(wsLogin(k, PASSPHRASE), T0 + 1000)), '60014', 'OKX login code for 50011');
});

test('requests without a valid signature never lock the key out for its owner', async () => {
  const auth = authenticator({ failsPerIp: 1000, failsPerKey: 30 });
  const k = await unboundKey('victim');
  const garbage: Array<Partial<AuthRequest> & { secret?: string; at?: number }> = [
    { secret: 'B'.repeat(32) },
    { sign: 'A'.repeat(44) },
    { at: T0 - 120_000 },
    { timestamp: 'yesterday' },
    { passphrase: '' },
    { demo: true },
  ];
  for (let i = 0; i < 120; i++) {
    const over = garbage[i % garbage.length] as Partial<AuthRequest>;
    const outcome = await auth.authenticate(request(k, { ...over, ip: `198.51.100.${i}` }), T0);
    assert.notEqual(code(outcome), 'ok');
  }
  assert.equal(code(await auth.authenticate(request(k), T0)), 'ok', 'the owner is not locked out');
  assert.equal(code(await auth.login(wsLogin(k, PASSPHRASE), T0)), 'ok', 'nor over WebSocket');
});

test('failures with a valid signature still count per key, from any IP (wrong passphrase, wrong IP)', async () => {
  const auth = authenticator({ failsPerIp: 1000, failsPerKey: 4 });
  const k = await keys.create(
    user.id,
    { label: 'bound-lock', passphrase: PASSPHRASE, ip: IP, env: 'live' },
    'user',
    T0,
  );
  assert.equal(code(await auth.authenticate(request(k, { passphrase: 'Wrong-1-pass', ip: '192.0.2.1' }), T0)), '50105');
  assert.equal(code(await auth.authenticate(request(k, { passphrase: 'Wrong-2-pass', ip: '192.0.2.2' }), T0)), '50105');
  assert.equal(code(await auth.authenticate(request(k, { ip: '192.0.2.3' }), T0)), '50110');
  assert.equal(code(await auth.authenticate(request(k, { ip: '192.0.2.4' }), T0)), '50110');
  assert.equal(code(await auth.authenticate(request(k), T0)), '50011');
});

test('IPv6 clients count by /64 for REST and WebSocket login failures', async () => {
  const auth = authenticator({ failsPerIp: 3, failsPerKey: 1000 });
  const k = await unboundKey('v6');
  for (let i = 1; i <= 3; i++) {
    const ip = `2001:db8:1:2::${i}`;
    assert.equal(code(await auth.authenticate(request(k, { secret: 'B'.repeat(32), ip }), T0)), '50113');
  }
  assert.equal(code(await auth.authenticate(request(k, { ip: '2001:db8:1:2:ffff::9' }), T0)), '50011');
  assert.equal(code(await auth.login(wsLogin(k, PASSPHRASE, '2001:db8:1:2::77'), T0)), '60014');
  assert.equal(code(await auth.authenticate(request(k, { ip: '2001:db8:1:3::1' }), T0)), 'ok', 'another /64 is not');

  const ws = authenticator({ failsPerIp: 3, failsPerKey: 1000 });
  for (let i = 1; i <= 3; i++) await ws.login(wsLogin(k, `Wrong-${i}-pass`, `2001:db8:9:9::${i}`), T0);
  assert.equal(code(await ws.login(wsLogin(k, PASSPHRASE, '2001:db8:9:9::abcd'), T0)), '60014');
});
