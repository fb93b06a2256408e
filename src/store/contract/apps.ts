import assert from 'node:assert/strict';
import type { AppRecord } from '../store.js';
import { type ContractCase, keyRow, T0 } from './fixtures.js';

let seq = 0;
function appRow(over: Partial<AppRecord> = {}): AppRecord {
  seq++;
  return {
    clientId: `${String(seq).padStart(32, 'a')}`,
    name: `App ${seq}`,
    secretHash: 'f'.repeat(64),
    redirectUris: ['https://app.example/cb?x=1,2', 'http://127.0.0.1:9000/cb'],
    ips: ['10.0.0.0/8', '2001:db8::1'],
    perms: { read: true, trade: true, withdraw: false },
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

/** The contract of registered apps, OAuth codes and tokens, and the app change feed. */
export function appsContract({ withStore, user }: ContractCase): void {
  withStore('apps: created, read back, listed, changed and deleted, each change in the feed', async (store) => {
    const start = await store.latestAppChangeId();
    const a = appRow();
    const b = appRow({ perms: { read: true, trade: false, withdraw: false }, createdAt: T0 + 1, updatedAt: T0 + 1 });
    await store.createApp(a);
    await store.createApp(b);
    assert.deepEqual(await store.getApp(a.clientId), a);
    assert.deepEqual(await store.listApps(), [a, b]);
    assert.equal(await store.getApp('0'.repeat(32)), null);

    const changed = await store.updateApp(a.clientId, { ips: ['1.2.3.4'], name: 'Renamed' }, T0 + 5);
    assert.deepEqual(changed, { ...a, ips: ['1.2.3.4'], name: 'Renamed', updatedAt: T0 + 5 });
    assert.deepEqual(await store.getApp(a.clientId), changed);
    assert.equal(await store.updateApp('0'.repeat(32), { name: 'x' }, T0), null);

    const feed = await store.appChangesSince(start);
    assert.deepEqual(feed.clientIds, [a.clientId, b.clientId, a.clientId]);
    assert.equal(feed.cursor, await store.latestAppChangeId());
    assert.deepEqual(await store.appChangesSince(feed.cursor), { cursor: feed.cursor, clientIds: [] });

    assert.deepEqual(await store.deleteApp(b.clientId, T0 + 6), b);
    assert.equal(await store.deleteApp(b.clientId, T0 + 7), null);
    assert.deepEqual((await store.appChangesSince(feed.cursor)).clientIds, [b.clientId]);
    assert.deepEqual(await store.listApps(), [changed]);
  });

  withStore('apps: the keys bound to an app are listed with their accounts', async (store) => {
    const app = appRow();
    await store.createApp(app);
    const u = await user(store);
    const bound = keyRow(u.id, { appId: app.clientId });
    await store.createKey(u.id, () => bound, 'api', T0);
    await store.createKey(u.id, () => keyRow(u.id), 'user', T0);
    assert.deepEqual(await store.listAppKeys(app.clientId), [{ userId: u.id, apiKey: bound.apiKey }]);
    assert.deepEqual(await store.listAppKeys('0'.repeat(32)), []);
  });

  withStore('oauth: a code is taken once; tokens are found by hash; deleting the app drops both', async (store) => {
    const app = appRow();
    await store.createApp(app);
    const u = await user(store);
    const code = {
      codeHash: 'c1',
      clientId: app.clientId,
      userId: u.id,
      redirectUri: 'https://a/cb',
      expiresAt: T0 + 600_000,
    };
    await store.saveOAuthCode(code, T0);
    assert.deepEqual(await store.takeOAuthCode('c1'), code);
    assert.equal(await store.takeOAuthCode('c1'), null, 'single use');
    // Saving a code prunes expired codes.
    await store.saveOAuthCode({ ...code, codeHash: 'old', expiresAt: T0 + 1 }, T0);
    await store.saveOAuthCode({ ...code, codeHash: 'new' }, T0 + 2);
    assert.equal(await store.takeOAuthCode('old'), null);

    const token = { tokenHash: 't1', clientId: app.clientId, userId: u.id, expiresAt: T0 + 3_600_000 };
    await store.saveAccessToken(token);
    assert.deepEqual(await store.findAccessToken('t1'), token);
    assert.equal(await store.findAccessToken('t2'), null);
    await store.deleteApp(app.clientId, T0 + 3);
    assert.equal(await store.findAccessToken('t1'), null);
    assert.equal(await store.takeOAuthCode('new'), null);
  });
}
