import assert from 'node:assert/strict';
import { DAY_MS, DEFAULT_EXPIRY } from '../../core/expiry.js';
import { SWEEP_BATCH } from '../codecs/keys.js';
import { useBucket } from '../codecs/use-bucket.js';
import { type ContractCase, keyRow, T0 } from './fixtures.js';

/** The contract of the expiry sweep over API keys (and the exactness of its walk). */
export function keySweepContract({ withStore, user }: ContractCase): void {
  withStore('sweep: walks many expired keys in batches, each deleted and audited once', async (store) => {
    const u = await user(store);
    // More than two of the sweeper's batches, idle since the same moment (the walk's ties) and after.
    const made: string[] = [];
    for (let i = 0; i < 2 * SWEEP_BATCH + 17; i++)
      made.push((await store.createKey(u.id, () => keyRow(u.id, { createdAt: T0 + (i % 3) }), 'cli', T0)).apiKey);
    const kept = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
    await store.touchKeys([{ apiKey: kept.apiKey, at: T0 + 10 * DAY_MS }]);
    const at = T0 + 31 * DAY_MS;
    assert.deepEqual((await store.listExpiredKeys(DEFAULT_EXPIRY, at)).map((k) => k.apiKey).sort(), [...made].sort());
    const deleted = await store.deleteExpiredKeys(DEFAULT_EXPIRY, at);
    assert.deepEqual(deleted.map((k) => k.apiKey).sort(), [...made].sort());
    assert.deepEqual(
      (await store.listKeys(u.id)).map((k) => k.apiKey),
      [kept.apiKey],
    );
    const expires = (await store.listAudit(u.id, 10_000)).filter((e) => e.action === 'expire');
    assert.equal(expires.length, made.length);
    assert.deepEqual(await store.deleteExpiredKeys(DEFAULT_EXPIRY, at), [], 'nothing left to sweep');
  });

  withStore('sweep: hands each batch on as it is deleted, keeping none', async (store) => {
    const u = await user(store);
    const made: string[] = [];
    for (let i = 0; i < SWEEP_BATCH + 5; i++)
      made.push((await store.createKey(u.id, () => keyRow(u.id, { createdAt: T0 + i }), 'cli', T0)).apiKey);
    const batches: string[][] = [];
    const kept = await store.deleteExpiredKeys(DEFAULT_EXPIRY, T0 + 31 * DAY_MS, async (deleted) => {
      // Each batch is already committed when handed on: its keys are gone and audited.
      for (const k of deleted) assert.equal(await store.getKey(k.apiKey), null);
      batches.push(deleted.map((k) => k.apiKey));
    });
    assert.deepEqual(kept, []);
    assert.deepEqual(
      batches.map((b) => b.length),
      [SWEEP_BATCH, 5],
    );
    assert.deepEqual(batches.flat(), made, 'oldest first, each key once');
    const expires = (await store.listAudit(u.id, 10_000)).filter((e) => e.action === 'expire');
    assert.deepEqual(expires.map((e) => e.apiKey).reverse(), made, 'one entry per key, in the order deleted');
  });

  withStore('sweep: deletes unbound idle live keys only, audits each as expire', async (store) => {
    const u = await user(store);
    const idle = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
    const used = await store.createKey(u.id, () => keyRow(u.id), 'cli', T0);
    const bound = await store.createKey(u.id, () => keyRow(u.id, { ips: ['1.2.3.4'] }), 'cli', T0);
    const demo = await store.createKey(u.id, () => keyRow(u.id, { env: 'demo' }), 'cli', T0);
    const ofApp = await store.createKey(u.id, () => keyRow(u.id, { appId: 'app-1' }), 'api', T0);
    await store.touchKeys([{ apiKey: used.apiKey, at: T0 + 20 * DAY_MS }]);
    assert.deepEqual(await store.listExpiredKeys(DEFAULT_EXPIRY, T0 + 29 * DAY_MS), []);
    assert.deepEqual(await store.deleteExpiredKeys(DEFAULT_EXPIRY, T0 + 29 * DAY_MS), []);
    const wouldGo = await store.listExpiredKeys(DEFAULT_EXPIRY, T0 + 31 * DAY_MS);
    assert.deepEqual(
      wouldGo.map((k) => k.apiKey),
      [idle.apiKey],
    );
    assert.equal((await store.listKeys(u.id)).length, 5, 'listing deletes nothing');
    const deleted = await store.deleteExpiredKeys(DEFAULT_EXPIRY, T0 + 31 * DAY_MS);
    assert.deepEqual(
      deleted.map((k) => k.apiKey),
      [idle.apiKey],
    );
    const left = (await store.listKeys(u.id)).map((k) => k.apiKey).sort();
    assert.deepEqual(left, [used.apiKey, bound.apiKey, demo.apiKey, ofApp.apiKey].sort());
    const [latest] = await store.listAudit(u.id, 1);
    assert.equal(latest?.action, 'expire');
    assert.equal(latest?.actor, 'sweeper');
  });

  withStore('sweep and warnings: exact to the millisecond, though the index follows the hour of use', async (store) => {
    const u = await user(store);
    const [early, late, moved] = [
      await store.createKey(u.id, () => keyRow(u.id), 'cli', T0),
      await store.createKey(u.id, () => keyRow(u.id), 'cli', T0),
      await store.createKey(u.id, () => keyRow(u.id), 'cli', T0),
    ];
    // The start of late's own hour of use (use-bucket.ts) near T0 + 5 days.
    const hour = useBucket(late.apiKey, T0 + 5 * DAY_MS) ?? 0;
    // Two uses within late's hour (the second raises only the row), and moved's two hours apart.
    await store.touchKeys([
      { apiKey: early.apiKey, at: hour + 10 * 60_000 },
      { apiKey: late.apiKey, at: hour + 5 * 60_000 },
      { apiKey: moved.apiKey, at: hour + 50 * 60_000 },
    ]);
    await store.touchKeys([{ apiKey: late.apiKey, at: hour + 50 * 60_000 }]);
    await store.touchKeys([{ apiKey: moved.apiKey, at: hour + 110 * 60_000 }]);
    assert.equal((await store.getKey(late.apiKey))?.lastUsedAt, hour + 50 * 60_000);
    const now = hour + 10 * 60_000 + DEFAULT_EXPIRY.periodMs + 1;
    assert.deepEqual(
      (await store.listExpiredKeys(DEFAULT_EXPIRY, now)).map((k) => k.apiKey),
      [early.apiKey],
    );
    assert.deepEqual(
      (await store.deleteExpiredKeys(DEFAULT_EXPIRY, now)).map((k) => k.apiKey),
      [early.apiKey],
    );
    // Both left expire within a day: due their 1d warning, late's included though its hour of use
    // began before the cutoff.
    const warned = await store.listExpiryWarnings(DEFAULT_EXPIRY, now);
    assert.deepEqual(
      warned.map((w) => [w.apiKey, w.stage, w.expiresAt]).sort(),
      [
        [late.apiKey, '1d', hour + 50 * 60_000 + DEFAULT_EXPIRY.periodMs],
        [moved.apiKey, '1d', hour + 110 * 60_000 + DEFAULT_EXPIRY.periodMs],
      ].sort(),
    );
  });
}
