import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { memoryStore, ruleError, T0 } from './test-store.test-helpers.js';
import { UserService } from './user-service.js';

const store = memoryStore();
after(() => store.close());
const users = new UserService(store);
const PASSWORD = 'correct horse battery';

test('create normalises the email, hashes the password, and refuses a duplicate in any case', async () => {
  const user = await users.create('  Alice@Example.COM ', PASSWORD, T0);
  assert.equal(user.email, 'alice@example.com');
  assert.match(user.uid, /^[1-9]\d{15}$/, 'an OKX-style 16-digit uid');
  assert.equal(user.createdAt, T0);
  assert.match(user.passwordHash ?? '', /^scrypt\$/);
  assert.ok(!(user.passwordHash ?? '').includes(PASSWORD));
  assert.deepEqual(await users.byId(user.id), user);
  assert.deepEqual(await users.byEmail('ALICE@example.com'), user);
  await assert.rejects(users.create('alice@EXAMPLE.com', 'another long password', T0), ruleError('51000', 'email'));
  await assert.rejects(users.create('bob@example.com', 'short', T0), ruleError('51000', 'password'));
  await assert.rejects(users.create('not an email', PASSWORD, T0), ruleError('51000', 'email'));
  await assert.rejects(users.byEmail('bob@example.com'), ruleError('51000', 'user'));
});

test('login answers the account for the right password and null for anything else', async () => {
  const user = await users.create('carol@example.com', PASSWORD, T0);
  const [right, wrong, unknown, malformed] = await Promise.all([
    users.login('Carol@Example.com', PASSWORD),
    users.login('carol@example.com', `${PASSWORD}!`),
    users.login('dave@example.com', PASSWORD),
    users.login('not an email', PASSWORD),
  ]);
  assert.deepEqual(right, user);
  assert.equal(wrong, null);
  assert.equal(unknown, null);
  assert.equal(malformed, null);
});

test('a system account is created once, without a password', async () => {
  const first = await users.systemAccount('Maker@Signet.invalid', T0);
  const again = await users.systemAccount('maker@signet.invalid', T0 + 1);
  assert.equal(again.id, first.id);
  assert.equal(first.passwordHash, null);
  assert.equal(await users.login('maker@signet.invalid', ''), null, 'nobody logs in to it');
});
