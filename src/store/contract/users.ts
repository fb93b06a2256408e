import assert from 'node:assert/strict';
import { RuleError } from '../../core/errors.js';
import { type ContractCase, keyRow, T0 } from './fixtures.js';

/** The contract of accounts, console sessions and authenticators. */
export function usersContract({ withStore, user }: ContractCase): void {
  withStore('users: create, find by email and id, duplicate email refused', async (store) => {
    const u = await user(store, 'dup@example.com');
    assert.deepEqual(await store.findUserByEmail('dup@example.com'), u);
    assert.deepEqual(await store.findUserById(u.id), u);
    assert.equal(await store.findUserByEmail('nobody@example.com'), null);
    await assert.rejects(user(store, 'dup@example.com'), RuleError);
  });

  withStore('users: several found by id in one read, missing ids left out', async (store) => {
    const a = await user(store);
    const b = await user(store);
    const found = await store.findUsersByIds([b.id, a.id, b.id, 999_999]);
    assert.deepEqual(
      found.sort((x, y) => x.id - y.id),
      [a, b].sort((x, y) => x.id - y.id),
    );
    assert.deepEqual(await store.findUsersByIds([]), []);
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

  withStore(
    'accounts: a change and its audit entry in one go; sessions end; 2FA removed or codes replaced',
    async (store) => {
      const u = await store.createUser({
        uid: '77',
        email: 'acct@example.com',
        passwordHash: 'old',
        createdAt: T0,
        masterId: null,
      });
      const other = await user(store);
      const session = (idHash: string, userId: number) => ({
        idHash,
        userId,
        csrfToken: 'c',
        verified: true,
        createdAt: T0,
        expiresAt: T0 + 1e9,
      });
      await store.createSession(session('d'.repeat(64), u.id));
      await store.createSession(session('e'.repeat(64), u.id));
      await store.createSession(session('f'.repeat(64), other.id));
      const totp = { userId: u.id, secretSealed: Buffer.from([1]), enabled: true, recoveryHashes: ['h1'], lastStep: 3 };
      await store.saveTotp(totp);

      const entry = { actor: 'user' as const, at: T0 + 1, detail: {} };
      assert.equal(
        await store.changeAccount(
          u.id,
          { totp: { recoveryHashes: ['n1', 'n2'] } },
          { ...entry, action: 'recovery_codes_new' },
        ),
        true,
      );
      assert.deepEqual(await store.getTotp(u.id), { ...totp, recoveryHashes: ['n1', 'n2'] });
      assert.equal(
        await store.changeAccount(
          u.id,
          { passwordHash: 'new', endSessions: true },
          { ...entry, action: 'password_change', detail: { sessionsEnded: 2 } },
        ),
        true,
      );
      assert.equal((await store.findUserById(u.id))?.passwordHash, 'new');
      assert.equal(await store.findSession('d'.repeat(64), T0), null);
      assert.equal(await store.findSession('e'.repeat(64), T0), null);
      assert.notEqual(await store.findSession('f'.repeat(64), T0), null, "another account's session stays");
      assert.equal(
        await store.changeAccount(u.id, { totp: 'remove' }, { ...entry, actor: 'cli', action: 'totp_reset' }),
        true,
      );
      assert.equal(await store.getTotp(u.id), null);
      assert.equal(
        await store.changeAccount(u.id + 1000, { passwordHash: 'x' }, { ...entry, action: 'password_set' }),
        false,
      );

      const audit = await store.listAudit(u.id, 10);
      assert.deepEqual(
        audit.map((e) => [e.actor, e.action, e.apiKey, e.at, e.detail]),
        [
          ['cli', 'totp_reset', '', T0 + 1, {}],
          ['user', 'password_change', '', T0 + 1, { sessionsEnded: 2 }],
          ['user', 'recovery_codes_new', '', T0 + 1, {}],
        ],
      );
      // Account entries are about no key: the key change feed does not carry them.
      assert.deepEqual((await store.keyChangesSince(0)).apiKeys, []);
    },
  );

  withStore('accounts: the operator list has 2FA, key count and last login; no system accounts', async (store) => {
    await user(store); // no password: signet's own (the market maker)
    const a = await store.createUser({
      uid: '81',
      email: 'a@example.com',
      passwordHash: 'h',
      createdAt: T0,
      masterId: null,
    });
    const b = await store.createUser({
      uid: '82',
      email: 'b@example.com',
      passwordHash: 'h',
      createdAt: T0 + 5,
      masterId: null,
    });
    await store.createKey(a.id, () => keyRow(a.id), 'cli', T0);
    await store.createKey(a.id, () => keyRow(a.id, { label: 'second' }), 'cli', T0);
    await store.saveTotp({
      userId: b.id,
      secretSealed: Buffer.from([1]),
      enabled: true,
      recoveryHashes: [],
      lastStep: 0,
    });
    await store.recordLogin(b.id, T0 + 99);
    assert.deepEqual(await store.listUsers(), [
      { user: a, totpEnabled: false, keyCount: 2, lastLoginAt: null },
      { user: b, totpEnabled: true, keyCount: 0, lastLoginAt: T0 + 99 },
    ]);
  });
}
