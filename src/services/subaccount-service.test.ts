import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DEFAULT_EXPIRY } from '../core/expiry.js';
import { KeyService } from './key-service.js';
import { Keyring } from './keyring.js';
import { SubAccountService } from './subaccount-service.js';
import { addUser, memoryStore, randomBox, ruleError, T0 } from './test-store.test-helpers.js';

const store = memoryStore();
after(() => store.close());
const box = randomBox();
const subs = new SubAccountService(store, 3);
const keys = new KeyService(store, box, DEFAULT_EXPIRY);

test('create: an account of its own with a new uid; names unique across masters (59601); bad input refused', async () => {
  const master = await addUser(store, 'create@example.com');
  const sub = await subs.create(master.id, { name: 'desk001', label: 'first*desk', type: '1' }, T0);
  assert.equal(sub.name, 'desk001');
  assert.equal(sub.label, 'first*desk');
  assert.match(sub.uid, /^[1-9][0-9]{15}$/);
  assert.notEqual(sub.uid, master.uid);
  const account = await store.findUserById(sub.userId);
  assert.equal(account?.masterId, master.id);
  assert.equal(account?.passwordHash, null, 'no console login');
  const other = await addUser(store, 'create2@example.com');
  await assert.rejects(subs.create(other.id, { name: 'desk001', type: '1' }, T0), ruleError('59601', 'subAcct'));
  await assert.rejects(subs.create(master.id, { name: '123456', type: '1' }, T0), ruleError('51000', 'subAcct'));
  await assert.rejects(subs.create(master.id, { name: 'desk002', type: '5' }, T0), ruleError('51000', 'type'));
  await assert.rejects(subs.create(master.id, { name: 'desk002', type: undefined }, T0), ruleError('50014', 'type'));
  await assert.rejects(subs.create(sub.userId, { name: 'nested01', type: '1' }, T0), ruleError('59500'));
});

test('a master may have only so many sub-accounts (59603)', async () => {
  const master = await addUser(store, 'limit@example.com');
  for (const name of ['limit001', 'limit002', 'limit003']) await subs.create(master.id, { name, type: '1' }, T0);
  await assert.rejects(subs.create(master.id, { name: 'limit004', type: '1' }, T0), ruleError('59603'));
});

test("list and get: the master's own, newest first, with uids; an unknown or another master's name is 59510", async () => {
  const master = await addUser(store, 'list@example.com');
  await subs.create(master.id, { name: 'older001', type: '1' }, T0);
  await subs.create(master.id, { name: 'newer001', type: '1' }, T0 + 1);
  const list = await subs.list(master.id, { limit: 100 });
  assert.deepEqual(
    list.map((s) => s.name),
    ['newer001', 'older001'],
  );
  assert.equal((await subs.get(master.id, 'older001')).uid, list[1]?.uid);
  await assert.rejects(subs.get(master.id, 'desk001'), ruleError('59510', 'subAcct'));
  await assert.rejects(subs.get(master.id, 'nosuch01'), ruleError('59510', 'subAcct'));
});

test("freeze: the sub-account's keys reload frozen (after the key cache's sync) with the master's uid; unfreeze restores", async () => {
  const master = await addUser(store, 'freeze@example.com');
  const sub = await subs.create(master.id, { name: 'frozen01', type: '1' }, T0);
  const { apiKey } = await keys.create(
    sub.userId,
    { label: 'bot', passphrase: 'Passphrase-1', env: 'live' },
    'cli',
    T0,
  );
  const keyring = new Keyring(store, box);
  await keyring.start();
  const before = await keyring.get(apiKey);
  assert.equal(before?.frozen, false);
  assert.equal(before?.mainUid, master.uid, "a sub-account's key knows its master's uid");
  assert.equal(before?.uid, sub.uid);
  assert.equal(await subs.isFrozen(sub.userId), false);

  const frozen = await subs.freeze(master.id, 'frozen01', 'cli', T0 + 1);
  assert.equal(frozen.enabled, false);
  assert.equal(await subs.isFrozen(sub.userId), true);
  assert.equal(await subs.isFrozen(master.id), false);
  await assert.rejects(subs.freeze(master.id, 'frozen01', 'cli', T0 + 2), ruleError('51000'));
  assert.equal(await keyring.sync(), 1, 'the freeze is a change to the key');
  assert.equal((await keyring.get(apiKey))?.frozen, true);
  assert.deepEqual(
    (await subs.list(master.id, { enabled: false, limit: 100 })).map((s) => s.name),
    ['frozen01'],
  );

  await subs.unfreeze(master.id, 'frozen01', 'cli', T0 + 3);
  assert.equal(await keyring.sync(), 1);
  assert.equal((await keyring.get(apiKey))?.frozen, false);
  const masterKey = await keys.create(master.id, { label: 'm', passphrase: 'Passphrase-1', env: 'live' }, 'cli', T0);
  const m = await keyring.get(masterKey.apiKey);
  assert.deepEqual([m?.mainUid, m?.frozen, m?.masterId], [master.uid, false, null]);
});

test('set-transfer-out: each named sub-account, or none when one is unknown (59510)', async () => {
  const master = await addUser(store, 'transout@example.com');
  await subs.create(master.id, { name: 'trans001', type: '1' }, T0);
  await subs.create(master.id, { name: 'trans002', type: '1' }, T0);
  assert.deepEqual(await subs.setTransferOut(master.id, ['trans001', 'trans002'], false, T0 + 1), [
    { subAcct: 'trans001', canTransOut: false },
    { subAcct: 'trans002', canTransOut: false },
  ]);
  await assert.rejects(subs.setTransferOut(master.id, ['trans001', 'nosuch01'], true, T0 + 2), ruleError('59510'));
  assert.equal((await subs.get(master.id, 'trans001')).canTransOut, false, 'nothing changed');
  await assert.rejects(subs.setTransferOut(master.id, [], true, T0), ruleError('50014'));
});
