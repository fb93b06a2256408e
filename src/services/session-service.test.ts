import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SessionService } from './session-service.js';
import { addUser, memoryStore, T0 } from './test-store.test-helpers.js';

const store = memoryStore();
after(() => store.close());
const TTL = 3_600_000;
const sessions = new SessionService(store, TTL);

test("a session is found by its token until it expires; the store keeps only the token's hash", async () => {
  const user = await addUser(store, 'session@example.com');
  const { token, session } = await sessions.open(user.id, false, T0);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256 random bits');
  assert.notEqual(session.idHash, token);
  assert.deepEqual(
    [session.userId, session.verified, session.createdAt, session.expiresAt],
    [user.id, false, T0, T0 + TTL],
  );
  assert.deepEqual(await sessions.find(token, T0 + TTL - 1), session);
  assert.equal(await sessions.find(token, T0 + TTL), null, 'expired at expiresAt');
  assert.equal(await sessions.find(token.slice(1), T0), null);
  assert.equal(await sessions.find('', T0), null);
  assert.equal(await sessions.find('x'.repeat(101), T0), null);

  await sessions.verify(session);
  assert.equal((await sessions.find(token, T0 + 1))?.verified, true, 'second factor checked');

  const other = await sessions.open(user.id, true, T0);
  assert.notEqual(other.token, token);
  assert.notEqual(other.session.csrfToken, session.csrfToken);
  await sessions.close(other.session);
  assert.equal(await sessions.find(other.token, T0 + 1), null, 'closed');
  assert.notEqual(await sessions.find(token, T0 + 1), null, 'closing one leaves the other');
});

test('sweep removes only the sessions expired at the moment given', async (t) => {
  const own = memoryStore();
  t.after(() => own.close());
  const sessions = new SessionService(own, TTL);
  const user = await addUser(own, 'sweep@example.com');
  const early = await sessions.open(user.id, true, T0 + 10 * TTL);
  const late = await sessions.open(user.id, true, T0 + 10 * TTL + 1000);
  assert.equal(await sessions.sweep(T0 + 11 * TTL - 1), 0);
  assert.equal(await sessions.sweep(T0 + 11 * TTL), 1);
  assert.equal(await sessions.find(early.token, T0 + 10 * TTL), null, 'swept');
  assert.notEqual(await sessions.find(late.token, T0 + 10 * TTL), null);
  assert.equal(await sessions.sweep(T0 + 11 * TTL + 1000), 1);
  assert.equal(await sessions.sweep(T0 + 100 * TTL), 0);
});
