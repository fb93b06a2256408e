import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { PassphraseVerifier } from './passphrase-verifier.js';
import { slowHash } from './slow-hash.js';

const API_KEY = '3f1c2b7e-0d6a-4b8e-9f7a-1c2d3e4f5a6b';

test('a keyed verifier accepts its passphrase for its key only, and nothing that is not a v1 verifier', async () => {
  const v = new PassphraseVerifier(randomBytes(32));
  const stored = v.make(API_KEY, 'Passphrase-1');
  assert.match(stored, /^v1\$[0-9a-f]{64}$/);
  assert.ok(!stored.includes('Passphrase-1'));
  assert.equal(v.matches(API_KEY, 'Passphrase-1', stored), true);
  assert.equal(v.matches(API_KEY, 'passphrase-1', stored), false, 'case matters');
  assert.equal(v.matches(API_KEY, '', stored), false);
  assert.equal(v.matches('00000000-0000-4000-8000-000000000000', 'Passphrase-1', stored), false, 'bound to the key');
  assert.equal(v.matches(API_KEY, 'Passphrase-1', stored.slice(0, -2)), false, 'a truncated verifier');
  assert.equal(v.matches(API_KEY, 'Passphrase-1', await slowHash('Passphrase-1')), false, 'a scrypt hash is not keyed');
  assert.equal(new PassphraseVerifier(randomBytes(32)).matches(API_KEY, 'Passphrase-1', stored), false, 'another key');
  assert.throws(() => new PassphraseVerifier(randomBytes(16)));
});
