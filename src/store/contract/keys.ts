import assert from 'node:assert/strict';
import { RuleError } from '../../core/errors.js';
import { DAY_MS, DEFAULT_EXPIRY } from '../../core/expiry.js';
import { SWEEP_BATCH } from '../codecs/keys.js';
import { USE_BUCKET_MS as HOUR_MS } from '../codecs/use-bucket.js';
import { type ContractCase, keyRow, T0 } from './fixtures.js';

/** The contract of API keys, their IPs, the audit log and its change feed, rejections. */
export function keysContract({ withStore, user }: ContractCase): void {
  withStore('keys: create sees existing keys inside the transaction and round-trips every field', async (store) => {
    const u = await user(store);
    const seen: number[] = [];
    const a = await store.createKey(
      u.id,
      (existing) => {
        seen.push(existing.length);
        return keyRow(u.id, { ips: ['1.2.3.4', '10.0.0.0/8'], perms: { read: true, trade: true, withdraw: true } });
      },
      'cli',
      T0,
    );
    await store.createKey(
      u.id,
      (existing) => {
        seen.push(existing.length);
        return keyRow(u.id, { env: 'demo' });
      },
      'user',
      T0,
    );
    assert.deepEqual(seen, [0, 1]);
    assert.deepEqual(await store.getKey(a.apiKey), a);
    assert.equal((await store.listKeys(u.id)).length, 2);
    assert.equal(await store.getKey('missing'), null);
  });

  withStore('keys: the passphrase hash is upgraded only from the hash given, without a key change', async (store) => {
    const u = await user(store);
    const a = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
    const cursor = await store.latestAuditId();
    assert.equal(await store.upgradePassphraseHash(a.apiKey, 'scrypt$other', 'v1$aa'), false);
    assert.equal((await store.getKey(a.apiKey))?.passphraseHash, a.passphraseHash);
    assert.equal(await store.upgradePassphraseHash(a.apiKey, a.passphraseHash, 'v1$aa'), true);
    assert.deepEqual(await store.getKey(a.apiKey), { ...a, passphraseHash: 'v1$aa' }, 'nothing else changes');
    assert.equal(await store.upgradePassphraseHash(a.apiKey, a.passphraseHash, 'v1$bb'), false, 'once');
    assert.equal(await store.upgradePassphraseHash('00000000-0000-4000-8000-000000000000', 'x', 'y'), false);
    assert.deepEqual((await store.keyChangesSince(cursor)).apiKeys, [], 'not a key change: no cache evicted');
  });

  withStore('keys: a rule error thrown by build inserts nothing', async (store) => {
    const u = await user(store);
    await assert.rejects(
      store.createKey(
        u.id,
        () => {
          throw new RuleError('59501', 'full');
        },
        'cli',
        T0,
      ),
      RuleError,
    );
    assert.equal((await store.listKeys(u.id)).length, 0);
    assert.equal(await store.latestAuditId(), 0);
  });

  withStore('keys: update applies the change, sees the other keys, audits what changed', async (store) => {
    const u = await user(store);
    const a = await store.createKey(u.id, () => keyRow(u.id, { label: 'a' }), 'cli', T0);
    await store.createKey(u.id, () => keyRow(u.id, { label: 'b' }), 'cli', T0);
    const updated = await store.updateKey(
      u.id,
      a.apiKey,
      (current, others) => {
        assert.equal(current.label, 'a');
        assert.deepEqual(
          others.map((k) => k.label),
          ['b'],
        );
        return { ips: ['5.6.7.8'], label: 'a2' };
      },
      'user',
      T0 + 1,
    );
    assert.equal(updated?.label, 'a2');
    assert.deepEqual((await store.getKey(a.apiKey))?.ips, ['5.6.7.8']);
    const [latest] = await store.listAudit(u.id, 1);
    assert.equal(latest?.action, 'modify');
    assert.deepEqual(latest?.detail, { label: { from: 'a', to: 'a2' }, ip: { from: '', to: '5.6.7.8' } });
    assert.equal(await store.updateKey(u.id, 'missing', () => ({}), 'user', T0), null);
  });

  withStore("keys: delete only the owner's key", async (store) => {
    const u = await user(store);
    const other = await user(store);
    const a = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
    assert.equal(await store.deleteKey(other.id, a.apiKey, 'cli', T0), null);
    assert.equal((await store.deleteKey(u.id, a.apiKey, 'cli', T0))?.apiKey, a.apiKey);
    assert.equal(await store.getKey(a.apiKey), null);
    assert.equal(await store.deleteKey(u.id, a.apiKey, 'cli', T0), null);
  });

  withStore('keys: the known IPs of many keys in one read, oldest first, at most the limit each', async (store) => {
    const u = await user(store);
    const a = await store.createKey(u.id, () => keyRow(u.id, { label: 'a' }), 'user', T0);
    const b = await store.createKey(u.id, () => keyRow(u.id, { label: 'b' }), 'user', T0);
    await store.recordKeyIps([
      { apiKey: a.apiKey, ip: '2001:db8::1', at: T0 + 2 },
      { apiKey: b.apiKey, ip: '198.51.100.1', at: T0 + 3 },
      { apiKey: a.apiKey, ip: '203.0.113.5', at: T0 + 1 },
    ]);
    const none = '00000000-0000-4000-8000-000000000000';
    const ips = await store.listKeysIps([a.apiKey, none, b.apiKey], 10);
    assert.deepEqual(ips.get(a.apiKey), ['203.0.113.5', '2001:db8::1']);
    assert.deepEqual(ips.get(b.apiKey), ['198.51.100.1']);
    assert.equal(ips.has(none), false, 'a key with none is absent');
    assert.deepEqual([...(await store.listKeysIps([a.apiKey], 1))], [[a.apiKey, ['203.0.113.5']]]);
    assert.equal((await store.listKeysIps([], 10)).size, 0);
  });

  withStore('keys: recently used keys page by page, most recent first, those used since', async (store) => {
    const u = await user(store);
    const keys = [];
    for (let i = 0; i < 5; i++) keys.push(await store.createKey(u.id, () => keyRow(u.id), 'cli', T0));
    const [a, b, c, d] = keys;
    assert.ok(a !== undefined && b !== undefined && c !== undefined && d !== undefined);
    // The walk follows each key's hour of last use (use-bucket.ts): uses hours apart keep their order.
    await store.touchKeys([
      { apiKey: a.apiKey, at: T0 + 2 * HOUR_MS + 1 },
      { apiKey: b.apiKey, at: T0 + 6 * HOUR_MS },
      { apiKey: c.apiKey, at: T0 + 4 * HOUR_MS },
      { apiKey: d.apiKey, at: T0 },
    ]);
    const first = await store.recentKeys(T0 + 2 * HOUR_MS, null, 2);
    assert.deepEqual(
      first.map((k) => k.apiKey),
      [b.apiKey, c.apiKey],
    );
    const last = first[1];
    assert.ok(last !== undefined && last.lastUsedAt !== null);
    const rest = await store.recentKeys(T0 + 2 * HOUR_MS, { lastUsedAt: last.lastUsedAt, apiKey: last.apiKey }, 2);
    assert.deepEqual(
      rest.map((k) => k.apiKey),
      [a.apiKey],
      'the key used two hours before the window and the unused key are left out',
    );
  });

  withStore('keys: touch raises last-used, never lowers it, ignores deleted keys', async (store) => {
    const u = await user(store);
    const a = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
    await store.touchKeys([
      { apiKey: a.apiKey, at: T0 + 500 },
      { apiKey: 'gone', at: T0 },
    ]);
    await store.touchKeys([{ apiKey: a.apiKey, at: T0 + 100 }]);
    assert.equal((await store.getKey(a.apiKey))?.lastUsedAt, T0 + 500);
  });

  withStore(
    "revise: disables, enables and rolls a secret, audited, a key change; not another account's key",
    async (store) => {
      const u = await user(store);
      const other = await user(store);
      const a = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
      const cursor = await store.latestAuditId();
      const disabled = await store.reviseKey(
        u.id,
        a.apiKey,
        (current) => {
          assert.equal(current.disabledAt, null);
          return { action: 'disable', disabledAt: T0 + 1, detail: {} };
        },
        'user',
        T0 + 1,
      );
      assert.equal(disabled?.disabledAt, T0 + 1);
      assert.deepEqual(await store.getKey(a.apiKey), disabled);
      const rolled = await store.reviseKey(
        u.id,
        a.apiKey,
        (current) => ({
          action: 'roll',
          secretSealed: Buffer.from('new'),
          prevSecretSealed: current.secretSealed,
          prevSecretUntil: T0 + 100,
          detail: { graceUntil: T0 + 100 },
        }),
        'cli',
        T0 + 2,
      );
      assert.equal(rolled?.disabledAt, T0 + 1, 'a revision changes only what it names');
      assert.equal((await store.getKey(a.apiKey))?.secretSealed.toString(), 'new');
      assert.deepEqual((await store.getKey(a.apiKey))?.prevSecretSealed, a.secretSealed);
      assert.equal((await store.getKey(a.apiKey))?.prevSecretUntil, T0 + 100);
      assert.deepEqual(
        (await store.listKeyAudit(u.id, a.apiKey, 10)).map((e) => [e.action, e.actor]),
        [
          ['roll', 'cli'],
          ['disable', 'user'],
          ['create', 'cli'],
        ],
      );
      assert.deepEqual((await store.keyChangesSince(cursor)).apiKeys, [a.apiKey, a.apiKey]);
      const refused = await store.reviseKey(other.id, a.apiKey, () => ({ action: 'enable', detail: {} }), 'user', T0);
      assert.equal(refused, null);
      assert.equal((await store.getKey(a.apiKey))?.disabledAt, T0 + 1);
    },
  );

  withStore('change feed: every key change after the cursor, in order', async (store) => {
    const u = await user(store);
    const start = await store.latestAuditId();
    const a = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
    const b = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
    await store.deleteKey(u.id, a.apiKey, 'cli', T0);
    const first = await store.keyChangesSince(start);
    assert.deepEqual(first.apiKeys, [a.apiKey, b.apiKey, a.apiKey]);
    assert.deepEqual((await store.keyChangesSince(first.cursor)).apiKeys, []);
    assert.equal(first.cursor, await store.latestAuditId());
  });

  withStore(
    'key activity: audit per key for its owner; rejections merged per code and IP, pruned by age',
    async (store) => {
      const u = await user(store);
      const v = await user(store);
      const a = await store.createKey(u.id, () => keyRow(u.id, { label: 'a' }), 'user', T0);
      await store.createKey(u.id, () => keyRow(u.id, { label: 'b' }), 'user', T0);
      await store.updateKey(u.id, a.apiKey, () => ({ ips: ['1.2.3.4'] }), 'user', T0 + 1);
      assert.deepEqual(
        (await store.listKeyAudit(u.id, a.apiKey, 10)).map((e) => e.action),
        ['modify', 'create'],
      );
      assert.deepEqual(await store.listKeyAudit(v.id, a.apiKey, 10), []);
      const r = {
        apiKey: a.apiKey,
        userId: u.id,
        code: '50110',
        ip: '203.0.113.5',
        count: 2,
        firstAt: T0 + 10,
        lastAt: T0 + 20,
      };
      await store.recordRejections([r, { ...r, code: '50113', lastAt: T0 + 5, firstAt: T0 + 5, count: 1 }], T0);
      await store.recordRejections([{ ...r, count: 3, firstAt: T0 + 30, lastAt: T0 + 40 }], T0);
      assert.deepEqual(await store.listKeyRejections(u.id, a.apiKey, 10), [
        { ...r, count: 5, firstAt: T0 + 10, lastAt: T0 + 40 },
        { ...r, code: '50113', count: 1, firstAt: T0 + 5, lastAt: T0 + 5 },
      ]);
      assert.deepEqual(await store.listKeyRejections(v.id, a.apiKey, 10), []);
      await store.recordRejections([], T0 + 6);
      assert.deepEqual(
        (await store.listKeyRejections(u.id, a.apiKey, 10)).map((x) => x.code),
        ['50110'],
      );
    },
  );

  withStore(
    'key IPs: the first use from each IP is one new_ip audit entry, not a key change; forgotten with the key',
    async (store) => {
      const u = await user(store);
      const a = await store.createKey(u.id, () => keyRow(u.id, { label: 'a' }), 'user', T0);
      const cursor = await store.latestAuditId();
      const added = await store.recordKeyIps([
        { apiKey: a.apiKey, ip: '203.0.113.5', at: T0 + 1 },
        { apiKey: a.apiKey, ip: '2001:db8::1', at: T0 + 2 },
        { apiKey: a.apiKey, ip: '203.0.113.5', at: T0 + 3 },
        { apiKey: '00000000-0000-4000-8000-000000000000', ip: '203.0.113.5', at: T0 + 4 },
      ]);
      assert.equal(added, 2);
      assert.equal(await store.recordKeyIps([{ apiKey: a.apiKey, ip: '2001:db8::1', at: T0 + 9 }]), 0);
      assert.deepEqual(await store.listKeyIps(a.apiKey, 10), ['203.0.113.5', '2001:db8::1']);
      assert.deepEqual(await store.listKeyIps(a.apiKey, 1), ['203.0.113.5']);
      const audit = await store.listKeyAudit(u.id, a.apiKey, 10);
      assert.deepEqual(
        audit.map((e) => [e.action, e.actor, e.detail]),
        [
          ['new_ip', 'api', { ip: '2001:db8::1' }],
          ['new_ip', 'api', { ip: '203.0.113.5' }],
          ['create', 'user', audit[2]?.detail],
        ],
      );
      assert.deepEqual((await store.keyChangesSince(cursor)).apiKeys, [], 'a new IP is not a key change');
      await store.deleteKey(u.id, a.apiKey, 'user', T0 + 10);
      assert.deepEqual(await store.listKeyIps(a.apiKey, 10), []);
      assert.deepEqual(
        (await store.listKeyAudit(u.id, a.apiKey, 10)).map((e) => e.action),
        ['delete', 'new_ip', 'new_ip', 'create'],
        'activity outlives the key',
      );
      assert.deepEqual((await store.keyChangesSince(cursor)).apiKeys, [a.apiKey]);
    },
  );
}
