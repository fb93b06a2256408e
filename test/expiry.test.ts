import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PASSPHRASE, signedHeaders, testApp } from './helpers.js';

const DAY = 86_400_000;

test('a key used within the period survives the sweep; last use is batched, not written per request', async () => {
  let clock = Date.UTC(2026, 0, 1);
  const { rt, app, close } = await testApp({}, () => clock);
  try {
    const user = await rt.users.create('idle@example.com', 'long enough password', clock);
    const mk = async (label: string) => {
      const k = await rt.keys.create(user.id, { label, passphrase: PASSPHRASE, env: 'live' }, 'cli', clock);
      return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
    };
    const used = await mk('used');
    const idle = await mk('idle');
    const call = (c: typeof used) =>
      app.inject({
        method: 'GET',
        url: '/api/v5/account/config',
        headers: signedHeaders(c, 'GET', '/api/v5/account/config', '', { timestamp: new Date(clock).toISOString() }),
      });

    clock += 20 * DAY;
    for (let i = 0; i < 50; i++) assert.equal((await call(used)).json<{ code: string }>().code, '0');
    // Fifty requests, one pending write, nothing written yet.
    assert.equal(rt.usage.pending, 1);
    assert.equal((await rt.store.getKey(used.apiKey))?.lastUsedAt, null);
    await rt.usage.flush();
    assert.equal((await rt.store.getKey(used.apiKey))?.lastUsedAt, clock);

    clock += 11 * DAY;
    const deleted = await rt.keys.sweep(clock);
    assert.deepEqual(
      deleted.map((k) => k.apiKey),
      [idle.apiKey],
    );
    assert.ok(await rt.store.getKey(used.apiKey));
    const listed = await rt.keys.list(user.id);
    assert.equal(listed[0]?.expiresAt, new Date(clock - 11 * DAY + 30 * DAY).toISOString());

    // The expired key is refused at once by this process (its own sweep evicts it on sync).
    await rt.keyring.sync();
    assert.equal((await call(idle)).json<{ code: string }>().code, '50111');
    const audit = await rt.store.listAudit(user.id, 10);
    assert.equal(audit[0]?.action, 'expire');
  } finally {
    await close();
  }
});

test("the 'unbound-trading' policy (OKX's current site) keeps unbound read-only keys", async () => {
  let clock = Date.UTC(2026, 0, 1);
  const { rt, close } = await testApp(
    { SIGNET_KEY_EXPIRY_SCOPE: 'unbound-trading', SIGNET_KEY_EXPIRY_DAYS: '14' },
    () => clock,
  );
  try {
    const user = await rt.users.create('policy@example.com', 'long enough password', clock);
    const reader = await rt.keys.create(
      user.id,
      { label: 'reader', passphrase: PASSPHRASE, env: 'live' },
      'cli',
      clock,
    );
    const trader = await rt.keys.create(
      user.id,
      { label: 'trader', passphrase: PASSPHRASE, perm: 'trade', env: 'live' },
      'cli',
      clock,
    );
    clock += 13 * DAY;
    assert.deepEqual(await rt.keys.sweep(clock), []);
    clock += 2 * DAY;
    assert.deepEqual(
      (await rt.keys.sweep(clock)).map((k) => k.apiKey),
      [trader.apiKey],
    );
    assert.ok(await rt.store.getKey(reader.apiKey));
  } finally {
    await close();
  }
});
