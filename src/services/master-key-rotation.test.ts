import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { DEFAULT_EXPIRY } from '../core/expiry.js';
import { PassphraseVerifier } from '../security/passphrase-verifier.js';
import { KeyService } from './key-service.js';
import { Keyring } from './keyring.js';
import { rotateMasterKey } from './master-key-rotation.js';
import { addUser, memoryStore, randomBox, T0 } from './test-store.test-helpers.js';
import { TotpService } from './totp-service.js';

const store = memoryStore();
after(() => store.close());

test("rotation re-seals every API secret (a rolled key's previous one too) and TOTP secret under the new key, all or nothing", async () => {
  const oldBox = randomBox();
  const newBox = randomBox();
  const user = await addUser(store, 'rotate@example.com');
  const created = await new KeyService(store, oldBox, DEFAULT_EXPIRY).create(
    user.id,
    { label: 'k', passphrase: 'Passphrase-1', env: 'live' },
    'user',
    T0,
  );
  const setup = await new TotpService(store, oldBox).setup(user);
  const rolledKey = await new KeyService(store, oldBox, DEFAULT_EXPIRY).create(
    user.id,
    { label: 'rolled', passphrase: 'Passphrase-1', env: 'live' },
    'user',
    T0,
  );
  const rolled = await new KeyService(store, oldBox, DEFAULT_EXPIRY).roll(
    user.id,
    rolledKey.apiKey,
    3_600_000,
    'user',
    T0,
  );

  await assert.rejects(rotateMasterKey(store, randomBox(), newBox), 'a wrong old key aborts the rotation');
  assert.ok((await new Keyring(store, oldBox).get(created.apiKey)) !== null, 'nothing changed');

  assert.deepEqual(await rotateMasterKey(store, oldBox, newBox), { apiKeys: 2, totp: 1, webhooks: 0 });
  const key = await new Keyring(store, newBox).get(created.apiKey);
  assert.ok(key !== null);
  const ts = new Date(T0).toISOString();
  const sign = createHmac('sha256', created.secretKey).update(`${ts}GET/api/v5/account/balance`).digest('base64');
  assert.ok(key.hmacKey.matches(ts, 'GET', '/api/v5/account/balance', undefined, sign), 'the same secret, new key');
  const both = await new Keyring(store, newBox).get(rolledKey.apiKey);
  assert.ok(both !== null && both.prevHmacKey !== null);
  const signWith = (secret: string) =>
    createHmac('sha256', secret).update(`${ts}GET/api/v5/account/balance`).digest('base64');
  assert.ok(both.hmacKey.matches(ts, 'GET', '/api/v5/account/balance', undefined, signWith(rolled.secretKey)));
  assert.ok(
    both.prevHmacKey.matches(ts, 'GET', '/api/v5/account/balance', undefined, signWith(rolledKey.secretKey)),
    "a rolled key's previous secret opens under the new key too",
  );
  const withOldKey = Promise.resolve().then(() => new Keyring(store, oldBox).get(created.apiKey));
  await assert.rejects(withOldKey, 'the old key no longer opens it');

  const code = new TOTP({ secret: Secret.fromBase32(setup.secret) }).generate({ timestamp: T0 });
  const recovery = await new TotpService(store, newBox).enable(user, code, T0);
  assert.equal(recovery.length, 10, 'the TOTP secret opens under the new key');
});

test('rotation re-seals the passphrase verifier key: keyed verifiers stay valid under the new master key', async () => {
  const oldBox = randomBox();
  const newBox = randomBox();
  const own = memoryStore();
  try {
    const user = await addUser(own, 'rotate-verifier@example.com');
    const before = await PassphraseVerifier.open(own, oldBox);
    const created = await new KeyService(own, oldBox, DEFAULT_EXPIRY, undefined, before).create(
      user.id,
      { label: 'k', passphrase: 'Passphrase-1', env: 'live' },
      'user',
      T0,
    );
    await rotateMasterKey(own, oldBox, newBox);
    await assert.rejects(PassphraseVerifier.open(own, oldBox), 'the old master key no longer opens it');
    const after = await PassphraseVerifier.open(own, newBox);
    const keyring = new Keyring(own, newBox, after);
    const key = await keyring.get(created.apiKey);
    assert.ok(key !== null);
    assert.equal(
      keyring.passphraseMatches(key, 'Passphrase-1'),
      true,
      'the same verifier key, so the stored verifier holds',
    );
    assert.equal(keyring.passphraseMatches(key, 'Passphrase-2'), false);
  } finally {
    await own.close();
  }
});
