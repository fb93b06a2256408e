import assert from 'node:assert/strict';
import { type ContractCase, keyRow, T0 } from './fixtures.js';

/** The contract of id sequences, jobs, leases and resealing. */
export function clusterContract({ withStore, user }: ContractCase): void {
  withStore('id sequences: blocks never overlap, start at the floor or later, per sequence', async (store) => {
    const first = await store.reserveIds('order', 10, 1000n);
    assert.ok(first >= 1000n);
    const second = await store.reserveIds('order', 5, 0n);
    assert.equal(second, first + 10n);
    const third = await store.reserveIds('order', 1, 5000n);
    assert.equal(third, 5000n);
    assert.equal(await store.reserveIds('trade', 1, 7n), 7n);
    const many = await Promise.all(Array.from({ length: 20 }, () => store.reserveIds('withdrawal', 3, 0n)));
    assert.equal(new Set(many.map(String)).size, 20);
  });

  withStore(
    'sealed values: made once by the first caller, the same for every caller, re-sealed with the rest',
    async (store) => {
      let made = 0;
      const create = (text: string) => () => {
        made++;
        return Buffer.from(text);
      };
      const all = await Promise.all([store.sealedValue('v', create('one')), store.sealedValue('v', create('two'))]);
      const first = all[0].toString();
      assert.ok(first === 'one' || first === 'two');
      assert.deepEqual(
        all.map((b) => b.toString()),
        [first, first],
        'concurrent callers agree',
      );
      assert.equal((await store.sealedValue('v', create('three'))).toString(), first);
      assert.ok(made <= 2);
      assert.equal((await store.sealedValue('w', create('other'))).toString(), 'other', 'per name');
      const seen: string[] = [];
      await store.resealSecrets((kind, id, sealed) => {
        seen.push(`${kind}:${id}:${sealed.toString()}`);
        return Buffer.from(`new-${sealed.toString()}`);
      });
      assert.deepEqual(seen.sort(), [`sealed-value:v:${first}`, 'sealed-value:w:other']);
      assert.equal((await store.sealedValue('v', create('four'))).toString(), `new-${first}`);
    },
  );

  withStore('schema version: every migration the code knows is applied', async (store) => {
    const { applied, expected } = await store.schemaVersion();
    assert.ok(expected > 0);
    assert.equal(applied, expected);
  });

  withStore('jobs: one claim per interval; leases stay with their holder until they lapse', async (store) => {
    assert.equal(await store.claimInterval('sweep', T0, 1000), true);
    assert.equal(await store.claimInterval('sweep', T0 + 999, 1000), false);
    assert.equal(await store.claimInterval('other', T0 + 999, 1000), true);
    assert.equal(await store.claimInterval('sweep', T0 + 1000, 1000), true);
    assert.equal(await store.holdLease('mm', 'a', T0, 100), true);
    assert.equal(await store.holdLease('mm', 'b', T0 + 50, 100), false);
    assert.equal(await store.holdLease('mm', 'a', T0 + 90, 100), true);
    assert.equal(await store.holdLease('mm', 'b', T0 + 189, 100), false);
    assert.equal(await store.holdLease('mm', 'b', T0 + 191, 100), true);
    assert.equal(await store.holdLease('mm', 'a', T0 + 200, 100), false);
    // Released by someone else's name: nothing happens; by its holder: free at once.
    await store.releaseLease('mm', 'a');
    assert.equal(await store.holdLease('mm', 'a', T0 + 201, 100), false);
    await store.releaseLease('mm', 'b');
    assert.equal(await store.holdLease('mm', 'a', T0 + 202, 100), true);
  });

  withStore('reseal: every API secret, TOTP secret and webhook secret is rewritten in one go', async (store) => {
    const u = await user(store);
    const a = await store.createKey(u.id, () => keyRow(u.id, { secretSealed: Buffer.from('old-a') }), 'cli', T0);
    await store.reviseKey(
      u.id,
      a.apiKey,
      () => ({
        action: 'roll',
        secretSealed: Buffer.from('old-b'),
        prevSecretSealed: Buffer.from('old-a'),
        prevSecretUntil: T0 + 1000,
        detail: {},
      }),
      'cli',
      T0,
    );
    await store.saveTotp({
      userId: u.id,
      secretSealed: Buffer.from('old-t'),
      enabled: true,
      recoveryHashes: [],
      lastStep: 0,
    });
    await store.createWebhook({
      id: 'wh_1',
      userId: u.id,
      url: 'https://example.com/hook',
      events: ['key.created'],
      secretSealed: Buffer.from('old-w'),
      createdAt: T0,
    });
    const seen: string[] = [];
    const counts = await store.resealSecrets((kind, id, sealed) => {
      seen.push(`${kind}:${id}:${sealed.toString()}`);
      return Buffer.from(`new-${sealed.toString()}`);
    });
    assert.deepEqual(counts, { apiKeys: 1, totp: 1, webhooks: 1 });
    assert.deepEqual(seen.sort(), [
      `api-key:${a.apiKey}:old-a`,
      `api-key:${a.apiKey}:old-b`,
      `totp:${u.id}:old-t`,
      'webhook:wh_1:old-w',
    ]);
    assert.equal((await store.listWebhooks(u.id))[0]?.secretSealed.toString(), 'new-old-w');
    const resealed = await store.getKey(a.apiKey);
    assert.equal(resealed?.secretSealed.toString(), 'new-old-b');
    assert.equal(resealed?.prevSecretSealed?.toString(), 'new-old-a', "a rolled key's previous secret too");
    assert.equal(resealed?.prevSecretUntil, T0 + 1000);
    assert.equal((await store.getTotp(u.id))?.secretSealed.toString(), 'new-old-t');
    // A failure part-way changes nothing.
    await assert.rejects(
      store.resealSecrets((kind) => {
        if (kind === 'totp') throw new Error('wrong key');
        return Buffer.from('x');
      }),
    );
    assert.equal((await store.getKey(a.apiKey))?.secretSealed.toString(), 'new-old-b');
  });
}
