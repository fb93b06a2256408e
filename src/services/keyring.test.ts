import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { DEFAULT_EXPIRY } from '../core/expiry.js';
import { DEFAULT_KEY_POLICY } from '../core/key-rules.js';
import { PassphraseVerifier } from '../security/passphrase-verifier.js';
import { slowHashRuns } from '../security/slow-hash.js';
import { KeyService } from './key-service.js';
import { type ActiveKey, Keyring } from './keyring.js';
import { addUser, memoryStore, randomBox, T0 } from './test-store.test-helpers.js';

const store = memoryStore();
after(() => store.close());
const box = randomBox();
const keys = new KeyService(store, box, DEFAULT_EXPIRY);
const PASSPHRASE = 'Passphrase-1';

async function loaded(keyring: Keyring, apiKey: string): Promise<ActiveKey> {
  const key = await keyring.get(apiKey);
  assert.ok(key !== null, `key ${apiKey} loads`);
  return key;
}

test('a key loads on first use with its owner, open secret and whitelist, then answers from the cache', async () => {
  const user = await addUser(store, 'load@example.com');
  const input = { label: 'k', passphrase: PASSPHRASE, perm: 'trade', ip: '203.0.113.7', env: 'demo' as const };
  const created = await keys.create(user.id, input, 'user', T0);
  const keyring = new Keyring(store, box);
  await keyring.start();
  assert.equal(keyring.cached(created.apiKey), undefined);
  const key = await loaded(keyring, created.apiKey);
  assert.deepEqual(
    [key.userId, key.uid, key.label, key.env, key.ips],
    [user.id, user.uid, 'k', 'demo', ['203.0.113.7']],
  );
  assert.deepEqual(key.perms, { read: true, trade: true, withdraw: false });
  assert.ok(key.whitelist.admits('203.0.113.7'));
  assert.ok(!key.whitelist.admits('203.0.113.8'));
  const ts = '2025-01-02T03:04:05.000Z';
  const sign = createHmac('sha256', created.secretKey).update(`${ts}GET/api/v5/account/balance`).digest('base64');
  assert.ok(key.hmacKey.matches(ts, 'GET', '/api/v5/account/balance', undefined, sign), 'HMAC key is the secret');
  assert.ok(!key.hmacKey.matches(ts, 'GET', '/api/v5/account/positions', undefined, sign));
  assert.equal(keyring.cached(created.apiKey), key);
  assert.equal(keyring.get(created.apiKey), key, 'a cached key is answered synchronously');
  assert.equal(await keyring.get('00000000-0000-4000-8000-000000000000'), null, 'an unknown key is null');
});

test('the passphrase is checked with scrypt once (shared by concurrent checks), then in memory', async () => {
  const user = await addUser(store, 'passphrase@example.com');
  const { apiKey } = await keys.create(user.id, { label: 'k', passphrase: PASSPHRASE, env: 'live' }, 'user', T0);
  const keyring = new Keyring(store, box);
  const key = await loaded(keyring, apiKey);
  const first = keyring.passphraseMatches(key, PASSPHRASE);
  assert.ok(first instanceof Promise, 'the first check runs scrypt');
  assert.equal(keyring.passphraseMatches(key, PASSPHRASE), first, 'a concurrent check shares it');
  assert.equal(await first, true);
  assert.equal(keyring.passphraseMatches(key, PASSPHRASE), true, 'then synchronously');
  assert.equal(keyring.passphraseMatches(key, 'Passphrase-2'), false);
  assert.equal(keyring.passphraseMatches(key, ''), false);
});

test('a wrong passphrase is refused by scrypt and not remembered', async () => {
  const user = await addUser(store, 'wrong@example.com');
  const { apiKey } = await keys.create(user.id, { label: 'k', passphrase: PASSPHRASE, env: 'live' }, 'user', T0);
  const keyring = new Keyring(store, box);
  const key = await loaded(keyring, apiKey);
  assert.equal(await keyring.passphraseMatches(key, 'passphrase-1'), false, 'case matters');
  assert.equal(key.passphraseMemo, null);
});

test('sync() evicts keys changed or deleted by any process, and tells the listeners', async () => {
  const user = await addUser(store, 'evict@example.com');
  const [a, b] = await Promise.all([
    keys.create(user.id, { label: 'a', passphrase: PASSPHRASE, env: 'live' }, 'user', T0),
    keys.create(user.id, { label: 'b', passphrase: PASSPHRASE, env: 'live' }, 'user', T0),
  ]);
  const keyring = new Keyring(store, box);
  await keyring.start();
  const evicted: string[] = [];
  keyring.onEvict((apiKey) => evicted.push(apiKey));
  await loaded(keyring, a.apiKey);
  await loaded(keyring, b.apiKey);
  assert.equal(await keyring.sync(), 0, 'nothing changed since start');

  // Another process (its own KeyService) renames one key and deletes the other.
  const elsewhere = new KeyService(store, box, DEFAULT_EXPIRY);
  await elsewhere.modify(user.id, a.apiKey, { label: 'a2' }, 'user', T0 + 1);
  await elsewhere.remove(user.id, b.apiKey, 'user', T0 + 2);
  assert.equal(keyring.cached(a.apiKey)?.label, 'a', 'stale until sync');
  assert.equal(await keyring.sync(), 2);
  assert.deepEqual(evicted.sort(), [a.apiKey, b.apiKey].sort());
  assert.equal(keyring.cached(a.apiKey), undefined);
  assert.equal((await loaded(keyring, a.apiKey)).label, 'a2');
  assert.equal(await keyring.get(b.apiKey), null);
  assert.equal(await keyring.sync(), 0);
});

test('with a verifier: a scrypt hash is upgraded to the keyed verifier on its first success (not on a failure), then checked without scrypt', async () => {
  const verifier = await PassphraseVerifier.open(store, box);
  const user = await addUser(store, 'upgrade@example.com');
  // An older key: made before the verifier existed (scrypt hash).
  const { apiKey } = await keys.create(user.id, { label: 'k', passphrase: PASSPHRASE, env: 'live' }, 'user', T0);
  const scryptHash = (await store.getKey(apiKey))?.passphraseHash ?? '';
  assert.match(scryptHash, /^scrypt\$/);
  const keyring = new Keyring(store, box, verifier);
  const key = await loaded(keyring, apiKey);
  assert.equal(await keyring.passphraseMatches(key, 'Passphrase-2'), false);
  assert.equal((await store.getKey(apiKey))?.passphraseHash, scryptHash, 'a failure upgrades nothing');
  assert.equal(await keyring.passphraseMatches(key, PASSPHRASE), true);
  const upgraded = (await store.getKey(apiKey))?.passphraseHash ?? '';
  assert.equal(upgraded, verifier.make(apiKey, PASSPHRASE), 'the stored hash is now the keyed verifier');
  assert.equal(key.passphraseHash, upgraded);

  // After a restart (a new keyring): no scrypt for this key.
  const restarted = new Keyring(store, box, verifier);
  const again = await loaded(restarted, apiKey);
  const runs = slowHashRuns.count;
  assert.equal(restarted.passphraseMatches(again, PASSPHRASE), true, 'synchronously');
  assert.equal(restarted.passphraseMatches(again, 'Passphrase-2'), false);
  assert.equal(slowHashRuns.count, runs, 'no scrypt');
});

test('with a verifier: new keys get a keyed verifier, and the upgrade only replaces the hash it checked', async () => {
  const verifier = await PassphraseVerifier.open(store, box);
  const user = await addUser(store, 'keyed@example.com');
  const keyed = new KeyService(store, box, DEFAULT_EXPIRY, undefined, verifier);
  const runs = slowHashRuns.count;
  const { apiKey } = await keyed.create(user.id, { label: 'k', passphrase: PASSPHRASE, env: 'live' }, 'user', T0);
  const stored = (await store.getKey(apiKey))?.passphraseHash ?? '';
  assert.equal(stored, verifier.make(apiKey, PASSPHRASE));
  const keyring = new Keyring(store, box, verifier);
  assert.equal(keyring.passphraseMatches(await loaded(keyring, apiKey), PASSPHRASE), true);
  assert.equal(slowHashRuns.count, runs, 'neither creating nor checking ran scrypt');
  assert.equal(await store.upgradePassphraseHash(apiKey, 'scrypt$stale', 'v1$00'), false, 'not the current hash');
  assert.equal((await store.getKey(apiKey))?.passphraseHash, stored);
});

test('the verifier key is made once, sealed under the master key, and the same for every opener', async () => {
  // A store of its own: the verifier key of this file's store is sealed under another master key.
  const own = memoryStore();
  after(() => own.close());
  const box = randomBox();
  const first = await PassphraseVerifier.open(own, box);
  const second = await PassphraseVerifier.open(own, box);
  assert.equal(
    second.make('3f1c2b7e-0d6a-4b8e-9f7a-1c2d3e4f5a6b', 'p'),
    first.make('3f1c2b7e-0d6a-4b8e-9f7a-1c2d3e4f5a6b', 'p'),
  );
  await assert.rejects(PassphraseVerifier.open(own, randomBox()), 'another master key cannot open it');
});

test('the cache never holds more keys than its capacity, and a key in steady use stays', async () => {
  const user = await addUser(store, 'capacity@example.com');
  const verifier = new PassphraseVerifier(randomBytes(32));
  const fast = new KeyService(store, box, DEFAULT_EXPIRY, DEFAULT_KEY_POLICY, verifier);
  const made: string[] = [];
  for (let i = 0; i < 12; i++)
    made.push((await fast.create(user.id, { label: `c${i}`, passphrase: PASSPHRASE, env: 'live' }, 'user', T0)).apiKey);
  const [hot, ...cold] = made;
  assert.ok(hot !== undefined);
  const capacity = 4;
  const keyring = new Keyring(store, box, verifier, capacity);
  const evicted: string[] = [];
  keyring.onEvict((apiKey) => evicted.push(apiKey));
  const hotKey = await loaded(keyring, hot);
  for (const apiKey of cold) {
    await loaded(keyring, apiKey);
    assert.ok(keyring.size <= capacity, `size ${keyring.size} within ${capacity}`);
    assert.equal(keyring.cached(hot), hotKey, 'the key used between every other load stays cached');
  }
  assert.equal(keyring.size, capacity);
  const last = cold.slice(-(capacity - 1));
  for (const apiKey of last) assert.ok(keyring.cached(apiKey) !== undefined, 'the most recent loads are cached');
  assert.equal(keyring.cached(cold[0] ?? ''), undefined, 'the least recently used went');
  assert.deepEqual(evicted, [], 'making room is no key change: nobody is told');
  const again = await loaded(keyring, cold[0] ?? '');
  assert.equal(again.apiKey, cold[0], 'a key dropped for room loads again on its next use');
  assert.equal(keyring.size, capacity);
});

test('repeated use of the most recent key keeps the LRU order right, across an eviction of that key', async () => {
  const user = await addUser(store, 'lru-order@example.com');
  const verifier = new PassphraseVerifier(randomBytes(32));
  const fast = new KeyService(store, box, DEFAULT_EXPIRY, DEFAULT_KEY_POLICY, verifier);
  const make = async (label: string) =>
    (await fast.create(user.id, { label, passphrase: PASSPHRASE, env: 'live' }, 'user', T0)).apiKey;
  const [a, b, c, d] = [await make('a'), await make('b'), await make('c'), await make('d')];
  const keyring = new Keyring(store, box, verifier, 2);
  await loaded(keyring, a);
  await loaded(keyring, b);
  // b is the newest: using it again changes nothing; using a makes a the newest, so c's load drops b.
  assert.ok(keyring.cached(b) !== undefined && keyring.cached(b) !== undefined);
  assert.ok(keyring.cached(a) !== undefined);
  await loaded(keyring, c);
  assert.equal(keyring.cached(b), undefined, 'b, the least recently used, went');
  assert.ok(keyring.cached(a) !== undefined && keyring.cached(c) !== undefined);
  // c is the newest now; evicted (a change), reloaded, then a is used: d's load drops c, not a.
  keyring.evict(c);
  await loaded(keyring, c);
  assert.ok(keyring.cached(a) !== undefined);
  await loaded(keyring, d);
  assert.equal(keyring.cached(c), undefined, 'c went');
  assert.ok(keyring.cached(a) !== undefined && keyring.cached(d) !== undefined);
});

test('a start warms the cache with the most recently used keys, up to its capacity, never those unused', async () => {
  const user = await addUser(store, 'warm@example.com');
  const verifier = new PassphraseVerifier(randomBytes(32));
  const fast = new KeyService(store, box, DEFAULT_EXPIRY, DEFAULT_KEY_POLICY, verifier);
  const made: string[] = [];
  for (let i = 0; i < 6; i++)
    made.push((await fast.create(user.id, { label: `w${i}`, passphrase: PASSPHRASE, env: 'live' }, 'user', T0)).apiKey);
  const [unused, ...used] = made;
  assert.ok(unused !== undefined);
  // Used one after another, two hours apart (the warm-up walks each key's hour of use): the last is
  // the most recent. Far in the future, so no other test's keys count.
  const at = T0 + 1000 * 86_400_000;
  const hour = 3_600_000;
  await store.touchKeys(used.map((apiKey, i) => ({ apiKey, at: at + i * 2 * hour })));
  const now = at + 9 * hour;
  const within = 10 * hour;
  const keyring = new Keyring(store, box, verifier, 3);
  assert.equal(await keyring.warm(now, within, () => false, 2), 3, 'pages of two up to the capacity of three');
  const newest = used.slice(-3);
  for (const apiKey of newest) assert.ok(keyring.cached(apiKey) !== undefined, 'the most recently used are cached');
  assert.equal(keyring.size, 3);
  assert.equal(keyring.cached(unused), undefined, 'a key never used is not loaded');
  assert.equal(await new Keyring(store, box, verifier).warm(now, within, () => true), 0, 'a closing process stops');
  const roomy = new Keyring(store, box, verifier, 100);
  assert.equal(await roomy.warm(now, within), used.length, 'only keys used within the window');
  assert.equal(await new Keyring(store, box, verifier, 100).warm(now, 3 * hour), 2, 'the two used in the last 3 hours');
});
