import assert from 'node:assert/strict';
import { RuleError } from '../../core/errors.js';
import { type ContractCase, T0 } from './fixtures.js';

/** The contract of accounts, console sessions and authenticators. */
export function usersContract({ withStore, user }: ContractCase): void {
  withStore('users: create, find by email and id, duplicate email refused', async (store) => {
    const u = await user(store, 'dup@example.com');
    assert.deepEqual(await store.findUserByEmail('dup@example.com'), u);
    assert.deepEqual(await store.findUserById(u.id), u);
    assert.equal(await store.findUserByEmail('nobody@example.com'), null);
    await assert.rejects(user(store, 'dup@example.com'), RuleError);
  });

  withStore('sessions: create, find until expiry, verify, delete, sweep expired', async (store) => {
    const u = await user(store);
    const s = {
      idHash: 'a'.repeat(64),
      userId: u.id,
      csrfToken: 'csrf1',
      verified: false,
      createdAt: T0,
      expiresAt: T0 + 1000,
    };
    await store.createSession(s);
    assert.deepEqual(await store.findSession(s.idHash, T0 + 999), s);
    assert.equal(await store.findSession(s.idHash, T0 + 1000), null);
    assert.equal(await store.findSession('b'.repeat(64), T0), null);
    await store.verifySession(s.idHash);
    assert.equal((await store.findSession(s.idHash, T0))?.verified, true);
    await store.createSession({ ...s, idHash: 'c'.repeat(64), expiresAt: T0 + 5000 });
    assert.equal(await store.deleteExpiredSessions(T0 + 1000), 1);
    assert.notEqual(await store.findSession('c'.repeat(64), T0), null);
    await store.deleteSession('c'.repeat(64));
    assert.equal(await store.findSession('c'.repeat(64), T0), null);
  });

  withStore('totp: save replaces, steps only move forward, recovery codes are used once', async (store) => {
    const u = await user(store);
    assert.equal(await store.getTotp(u.id), null);
    assert.equal(await store.acceptTotpStep(u.id, 5), false);
    const t = { userId: u.id, secretSealed: Buffer.from([9, 8, 7]), enabled: false, recoveryHashes: [], lastStep: 0 };
    await store.saveTotp(t);
    assert.deepEqual(await store.getTotp(u.id), t);
    await store.saveTotp({ ...t, enabled: true, recoveryHashes: ['h1', 'h2'] });
    assert.equal(await store.acceptTotpStep(u.id, 10), true);
    assert.equal(await store.acceptTotpStep(u.id, 10), false);
    assert.equal(await store.acceptTotpStep(u.id, 9), false);
    assert.equal(await store.acceptTotpStep(u.id, 11), true);
    assert.equal(await store.useRecoveryCode(u.id, 'h1'), true);
    assert.equal(await store.useRecoveryCode(u.id, 'h1'), false);
    assert.deepEqual((await store.getTotp(u.id))?.recoveryHashes, ['h2']);
    assert.equal((await store.getTotp(u.id))?.lastStep, 11);
  });
}
