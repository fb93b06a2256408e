import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DEFAULT_EXPIRY } from '../core/expiry.js';
import { AppService, CODE_TTL_MS, sha256, TOKEN_TTL_S } from './app-service.js';
import { KeyService } from './key-service.js';
import { Keyring } from './keyring.js';
import { addUser, memoryStore, randomBox, ruleError, T0 } from './test-store.test-helpers.js';

const store = memoryStore();
after(() => store.close());
const box = randomBox();
const keys = new KeyService(store, box, DEFAULT_EXPIRY);
const apps = new AppService(store, keys);
const PASSPHRASE = 'Passphrase-1';
const CB = 'https://platform.example/callback';

async function registered(perm = 'read,trade', ip = '203.0.113.0/24') {
  return apps.register({ name: 'Platform', redirectUris: [CB], ip, perm }, T0);
}

/** The whole flow up to an access token for (user, app). */
async function tokenFor(userId: number, clientId: string, clientSecret: string): Promise<string> {
  const req = { responseType: 'code', scope: 'fast_api', clientId, redirectUri: CB };
  const code = await apps.approve(userId, req, T0);
  const { accessToken } = await apps.exchange(
    { grantType: 'authorization_code', code, clientId, clientSecret },
    T0 + 1000,
  );
  return accessToken;
}

test('register answers the secret once and stores only its SHA-256; rules are checked per field', async () => {
  const made = await registered();
  assert.match(made.clientId, /^[0-9a-f]{32}$/);
  assert.match(made.clientSecret, /^[0-9A-F]{64}$/);
  const stored = await store.getApp(made.clientId);
  assert.equal(stored?.secretHash, sha256(made.clientSecret));
  assert.deepEqual(made.app.ips, ['203.0.113.0/24']);
  assert.equal(made.app.perm, 'read_only,trade');
  await assert.rejects(
    apps.register({ name: ' ', redirectUris: ['http://evil.example/cb'], ip: '', perm: 'withdraw' }, T0),
    (err: unknown) => {
      assert.ok(err instanceof Error && 'problems' in err);
      const fields = (err as { problems: Array<{ field: string }> }).problems.map((p) => p.field);
      assert.deepEqual(fields, ['name', 'redirectUri', 'ip', 'perm']);
      return true;
    },
  );
  const many = Array.from({ length: 201 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(',');
  await assert.rejects(apps.register({ name: 'x', redirectUris: [CB], ip: many }, T0), ruleError('51000', 'ip'));
  const max = Array.from({ length: 200 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(',');
  assert.equal((await apps.register({ name: 'x', redirectUris: [CB], ip: max }, T0)).app.ips.length, 200);
});

test('authorization needs code, fast_api, a known client and a registered redirect URI exactly', async () => {
  const { clientId } = await registered();
  const ok = { responseType: 'code', scope: 'fast_api', clientId, redirectUri: CB };
  assert.equal((await apps.authorization(ok)).redirectUri, CB);
  await assert.rejects(apps.authorization({ ...ok, responseType: 'token' }), ruleError('51000', 'response_type'));
  await assert.rejects(apps.authorization({ ...ok, scope: 'read' }), ruleError('51000', 'scope'));
  await assert.rejects(apps.authorization({ ...ok, clientId: 'f'.repeat(32) }), ruleError('51000', 'client_id'));
  await assert.rejects(apps.authorization({ ...ok, redirectUri: `${CB}/` }), ruleError('51000', 'redirect_uri'));
});

test('a code is exchanged once, by its own app with its secret, before it expires', async () => {
  const user = await addUser(store, 'exchange@example.com');
  const a = await registered();
  const b = await registered();
  const req = { responseType: 'code', scope: 'fast_api', clientId: a.clientId, redirectUri: CB };
  const code = await apps.approve(user.id, req, T0);
  const good = { grantType: 'authorization_code', code, clientId: a.clientId, clientSecret: a.clientSecret };
  await assert.rejects(apps.exchange({ ...good, grantType: 'password' }, T0), ruleError('51000', 'grant_type'));
  await assert.rejects(apps.exchange({ ...good, clientSecret: b.clientSecret }, T0), ruleError('50114'));
  await assert.rejects(
    apps.exchange({ ...good, clientId: b.clientId, clientSecret: b.clientSecret }, T0),
    ruleError('50114'),
    'another app cannot use the code (and it is spent)',
  );
  await assert.rejects(apps.exchange(good, T0), ruleError('50114'), 'single use');
  const late = await apps.approve(user.id, req, T0);
  await assert.rejects(apps.exchange({ ...good, code: late }, T0 + CODE_TTL_MS + 1), ruleError('50114'));
  const fresh = await apps.approve(user.id, req, T0);
  const token = await apps.exchange({ ...good, code: fresh }, T0 + 1);
  assert.equal(token.expiresIn, TOKEN_TTL_S);
  assert.equal((await apps.tokenOwner(token.accessToken, T0 + 2)).userId, user.id);
  await assert.rejects(apps.tokenOwner(token.accessToken, T0 + 1 + TOKEN_TTL_S * 1000 + 1), ruleError('50114'));
  await assert.rejects(apps.tokenOwner('nope', T0), ruleError('50114'));
});

test('the app key: bound, no IPs of its own, one per account and app, within the app grant', async () => {
  const user = await addUser(store, 'appkey@example.com');
  const readOnly = await registered('read');
  const token = await tokenFor(user.id, readOnly.clientId, readOnly.clientSecret);
  const input = { label: 'platform', passphrase: PASSPHRASE, perm: 'read_only', bindApp: true, env: 'live' as const };
  await assert.rejects(apps.createKey(token, { ...input, bindApp: false }, T0), ruleError('50118'));
  await assert.rejects(apps.createKey(token, { ...input, perm: 'trade' }, T0), ruleError('51000', 'perm'));
  await assert.rejects(apps.createKey(token, { ...input, passphrase: 'short' }, T0), ruleError('59505'));
  const created = await apps.createKey(token, input, T0);
  assert.deepEqual(
    [created.label, created.perm, created.ip, created.passphrase],
    ['platform', 'read_only', '', PASSPHRASE],
  );
  const stored = await store.getKey(created.apiKey);
  assert.deepEqual([stored?.appId, stored?.ips], [readOnly.clientId, []]);
  await assert.rejects(apps.createKey(token, { ...input, label: 'again' }, T0), ruleError('50116'));
  const [view] = await keys.list(user.id);
  assert.deepEqual(view?.app, { clientId: readOnly.clientId, name: 'Platform' });
  assert.equal(view?.expiresAt, null, 'a bound key never expires');
  // The owner may rename it, not change its IPs or permissions.
  await assert.rejects(keys.modify(user.id, created.apiKey, { ip: '1.2.3.4' }, 'user', T0), ruleError('51000', 'ip'));
  await assert.rejects(
    keys.modify(user.id, created.apiKey, { perm: 'read,trade' }, 'user', T0),
    ruleError('51000', 'perm'),
  );
  assert.equal((await keys.modify(user.id, created.apiKey, { label: 'renamed' }, 'user', T0)).label, 'renamed');

  assert.deepEqual(
    (await apps.connected(user.id)).map((c) => [c.clientId, c.apiKey, c.label]),
    [[readOnly.clientId, created.apiKey, 'renamed']],
  );
  await apps.deleteKey(token, T0);
  await assert.rejects(apps.deleteKey(token, T0), ruleError('59506'));
  assert.equal(await store.getKey(created.apiKey), null);
});

test('revoke and app deletion delete the keys, audited by user and cli', async () => {
  const user = await addUser(store, 'revoke@example.com');
  const app = await registered();
  const input = { label: 'p', passphrase: PASSPHRASE, perm: 'trade', bindApp: true, env: 'demo' as const };
  const first = await apps.createKey(await tokenFor(user.id, app.clientId, app.clientSecret), input, T0);
  await apps.revoke(user.id, app.clientId, T0 + 1);
  await assert.rejects(apps.revoke(user.id, app.clientId, T0 + 2), ruleError('59506'));
  assert.equal((await store.listKeyAudit(user.id, first.apiKey, 10))[0]?.actor, 'user');

  const second = await apps.createKey(await tokenFor(user.id, app.clientId, app.clientSecret), input, T0 + 3);
  const token = await tokenFor(user.id, app.clientId, app.clientSecret);
  assert.deepEqual((await apps.remove(app.clientId, T0 + 4)).keysDeleted, 1);
  assert.equal(await store.getKey(second.apiKey), null);
  const [last] = await store.listKeyAudit(user.id, second.apiKey, 10);
  assert.deepEqual([last?.action, last?.actor], ['delete', 'cli']);
  await assert.rejects(apps.tokenOwner(token, T0 + 5), ruleError('50114'), "a deleted app's tokens are gone");
});

test("a bound key admits the app's list by reference: an app change reaches a cached key without reloading it", async () => {
  const user = await addUser(store, 'byref@example.com');
  const app = await registered('read,trade', '198.51.100.1');
  const input = { label: 'p', passphrase: PASSPHRASE, perm: 'trade', bindApp: true, env: 'live' as const };
  const { apiKey } = await apps.createKey(await tokenFor(user.id, app.clientId, app.clientSecret), input, T0);
  const other = await apps.createKey(
    await tokenFor((await addUser(store, 'byref2@example.com')).id, app.clientId, app.clientSecret),
    input,
    T0,
  );
  const keyring = new Keyring(store, box);
  await keyring.start();
  const key = await keyring.get(apiKey);
  const key2 = await keyring.get(other.apiKey);
  assert.ok(key !== null && key2 !== null);
  assert.ok(key.whitelist.admits('198.51.100.1') && !key.whitelist.admits('198.51.100.2'));
  assert.equal(key.whitelist, key2.whitelist, 'one compiled list shared by the app keys');
  const auditBefore = await store.listKeyAudit(user.id, apiKey, 10);

  await apps.modify(app.clientId, { ip: '198.51.100.2' }, T0 + 1);
  assert.equal(await keyring.sync(), 0, 'no key was evicted');
  assert.equal(keyring.cached(apiKey), key, 'the same cached key');
  assert.ok(!key.whitelist.admits('198.51.100.1') && key.whitelist.admits('198.51.100.2'));
  assert.deepEqual(key.ips, ['198.51.100.2']);
  assert.deepEqual(await store.listKeyAudit(user.id, apiKey, 10), auditBefore, 'the key row was not touched');

  await apps.remove(app.clientId, T0 + 2);
  await keyring.sync();
  assert.ok(!key.whitelist.admits('198.51.100.2'), 'a deleted app admits nobody');
});
