import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DAY_MS, DEFAULT_EXPIRY } from '../core/expiry.js';
import { KeyService } from './key-service.js';
import { addUser, memoryStore, randomBox, ruleError, T0 } from './test-store.test-helpers.js';

const store = memoryStore();
after(() => store.close());
const box = randomBox();
const keys = new KeyService(store, box, DEFAULT_EXPIRY);
const PASSPHRASE = 'Passphrase-1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('create answers the secret once, seals it at rest, and lists the key without it', async () => {
  const user = await addUser(store, 'create@example.com');
  const input = { label: 'bot 1', passphrase: PASSPHRASE, perm: 'trade', env: 'live' as const };
  const created = await keys.create(user.id, input, 'user', T0);
  assert.match(created.apiKey, UUID);
  assert.match(created.secretKey, /^[0-9A-F]{32}$/);
  assert.deepEqual(
    { ...created, apiKey: '', secretKey: '' },
    { apiKey: '', secretKey: '', label: 'bot 1', perm: 'read_only,trade', ip: '', env: 'live' },
  );
  const [view, ...rest] = await keys.list(user.id);
  assert.equal(rest.length, 0);
  assert.deepEqual(view, {
    apiKey: created.apiKey,
    label: 'bot 1',
    perm: 'read_only,trade',
    ip: '',
    env: 'live',
    createdAt: new Date(T0).toISOString(),
    lastUsedAt: null,
    expiresAt: new Date(T0 + 30 * DAY_MS).toISOString(),
    app: null,
  });
  const stored = await store.getKey(created.apiKey);
  assert.ok(stored !== null);
  assert.ok(!stored.secretSealed.includes(created.secretKey), 'the secret is not stored in the clear');
  assert.equal(box.open(stored.secretSealed, created.apiKey), created.secretKey);
  assert.ok(!stored.passphraseHash.includes(PASSPHRASE));
});

test('create refuses a weak passphrase (59505), a duplicate name (59502) and a 51st key (59501)', async () => {
  const user = await addUser(store, 'rules@example.com');
  const input = { label: 'main', passphrase: PASSPHRASE, env: 'live' as const };
  for (const weak of ['Sh0rt-A', 'alllowercase-1', 'NoDigitsHere!', 'NoSpecial123', `${'A'.repeat(30)}a1!`]) {
    const refused = keys.create(user.id, { ...input, passphrase: weak }, 'user', T0);
    await assert.rejects(refused, ruleError('59505', 'passphrase'), weak);
  }
  await keys.create(user.id, input, 'user', T0);
  await assert.rejects(keys.create(user.id, input, 'user', T0), ruleError('59502', 'name'));
  // 49 more keys written straight to the store (49 scrypt hashes would take seconds): 50 in all.
  const template = await store.getKey((await keys.list(user.id))[0]?.apiKey ?? '');
  assert.ok(template !== null);
  for (let i = 0; i < 49; i++) {
    const apiKey = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    await store.createKey(user.id, () => ({ ...template, apiKey, label: `k${i}` }), 'cli', T0);
  }
  assert.equal((await keys.list(user.id)).length, 50);
  await assert.rejects(keys.create(user.id, { ...input, label: 'one too many' }, 'user', T0), ruleError('59501'));
  assert.equal((await keys.list(user.id)).length, 50);
  // The rules are per account: another account still creates keys.
  const other = await addUser(store, 'rules-other@example.com');
  await assert.rejects(keys.create(other.id, { ...input, passphrase: 'weak' }, 'user', T0), ruleError('59505'));
});

test("modify and remove change only the owner's key and leave audit entries in its activity", async () => {
  const owner = await addUser(store, 'owner@example.com');
  const stranger = await addUser(store, 'stranger@example.com');
  const [{ apiKey }] = await Promise.all([
    keys.create(owner.id, { label: 'a', passphrase: PASSPHRASE, env: 'live' }, 'user', T0),
    keys.create(owner.id, { label: 'b', passphrase: PASSPHRASE, env: 'demo' }, 'cli', T0),
  ]);
  await assert.rejects(keys.modify(owner.id, apiKey, { label: 'b' }, 'user', T0 + 1), ruleError('59502', 'name'));
  await assert.rejects(keys.modify(stranger.id, apiKey, { label: 'mine' }, 'user', T0 + 1), ruleError('59506', 'key'));
  await assert.rejects(keys.modify(owner.id, apiKey, {}, 'user', T0 + 1), ruleError('50014'));

  const bound = await keys.modify(owner.id, apiKey, { label: 'a2', ip: '203.0.113.7' }, 'user', T0 + 1000);
  assert.equal(bound.label, 'a2');
  assert.equal(bound.ip, '203.0.113.7');
  assert.equal(bound.expiresAt, null, 'a key bound to an IP never expires');

  await assert.rejects(keys.remove(stranger.id, apiKey, 'user', T0 + 2000), ruleError('59506'));
  assert.equal((await keys.remove(owner.id, apiKey, 'user', T0 + 2000)).label, 'a2');
  await assert.rejects(keys.remove(owner.id, apiKey, 'user', T0 + 3000), ruleError('59506'));
  assert.deepEqual(
    (await keys.list(owner.id)).map((k) => k.label),
    ['b'],
  );

  const activity = await keys.activity(owner.id, apiKey);
  assert.deepEqual(
    activity.events.map((e) => [e.action, e.actor, e.at]),
    [
      ['delete', 'user', new Date(T0 + 2000).toISOString()],
      ['modify', 'user', new Date(T0 + 1000).toISOString()],
      ['create', 'user', new Date(T0).toISOString()],
    ],
  );
  assert.deepEqual(activity.events[1]?.detail, { label: { from: 'a', to: 'a2' }, ip: { from: '', to: '203.0.113.7' } });
  await assert.rejects(keys.activity(stranger.id, apiKey), ruleError('59506'));
  assert.deepEqual(
    (await keys.deleted(owner.id, T0 + 3000)).map((d) => [d.apiKey, d.label, d.how, d.by]),
    [[apiKey, 'a2', 'deleted', 'user']],
  );
  assert.deepEqual(await keys.deleted(owner.id, T0 + 2000 + 31 * DAY_MS), [], 'listed for 30 days');
});

test('sweep deletes unbound live keys idle for the expiry period, and nothing else', async () => {
  const user = await addUser(store, 'sweep@example.com');
  const [idle] = await Promise.all([
    keys.create(user.id, { label: 'idle', passphrase: PASSPHRASE, env: 'live' }, 'user', T0),
    keys.create(user.id, { label: 'bound', passphrase: PASSPHRASE, env: 'live', ip: '198.51.100.1' }, 'user', T0),
    keys.create(user.id, { label: 'demo', passphrase: PASSPHRASE, env: 'demo' }, 'user', T0),
  ]);
  const expiry = T0 + DEFAULT_EXPIRY.periodMs;
  const mine = <V extends { apiKey: string }>(views: V[]) => views.filter((v) => v.apiKey === idle.apiKey);
  assert.deepEqual(mine(await keys.sweep(expiry - 1)), [], 'one millisecond early');
  const swept = mine(await keys.sweep(expiry));
  assert.deepEqual(
    swept.map((v) => v.label),
    ['idle'],
  );
  assert.deepEqual((await keys.list(user.id)).map((k) => k.label).sort(), ['bound', 'demo']);
  assert.deepEqual(
    (await keys.deleted(user.id, expiry)).map((d) => [d.label, d.how, d.by]),
    [['idle', 'expired', 'sweeper']],
  );
});
