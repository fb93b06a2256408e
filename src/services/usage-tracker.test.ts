import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_EXPIRY } from '../core/expiry.js';
import type { KeyService } from './key-service.js';
import { type ActiveKey, Keyring } from './keyring.js';
import { accountWithKey, memoryStore, randomBox, T0 } from './test-store.test-helpers.js';
import { TOUCH_CHUNK, UsageTracker } from './usage-tracker.js';

const store = memoryStore();
after(() => store.close());
const box = randomBox();
let keys: KeyService;
let userId = 0;
let key: ActiveKey;

before(async () => {
  ({ keys, userId, key } = await accountWithKey(store, box, 'usage@example.com'));
});

const lastUsed = async (): Promise<string | null | undefined> => (await keys.list(userId))[0]?.lastUsedAt;

test('uses are batched: at most one last-used write per key per minute, written by flush()', async () => {
  const usage = new UsageTracker(store);
  usage.touch(key, T0 + 1000);
  usage.touch(key, T0 + 2000);
  assert.equal(usage.pending, 1);
  assert.equal(await lastUsed(), null, 'nothing written before the flush');
  await usage.flush();
  assert.equal(usage.pending, 0);
  assert.equal(await lastUsed(), new Date(T0 + 2000).toISOString(), 'the latest use of the batch');
  assert.equal(key.persistedLastUsedAt, T0 + 2000);

  usage.touch(key, T0 + 2000 + 59_999);
  assert.equal(usage.pending, 0, 'within a minute of the stored time: no write');
  usage.touch(key, T0 + 2000 + 60_000);
  assert.equal(usage.pending, 1);
  await usage.flush();
  assert.equal(await lastUsed(), new Date(T0 + 62_000).toISOString());
  const expiresAt = (await keys.list(userId))[0]?.expiresAt;
  assert.equal(expiresAt, new Date(T0 + 62_000 + DEFAULT_EXPIRY.periodMs).toISOString(), 'use pushes expiry back');
  await usage.flush();
  assert.equal(await lastUsed(), new Date(T0 + 62_000).toISOString(), 'an empty flush writes nothing');
});

test('a first use from a client IP is remembered in its normal form and written as new_ip activity', async () => {
  const usage = new UsageTracker(store);
  usage.usedFrom(key, '::ffff:198.51.100.9', T0 + 5000);
  assert.ok(key.knownIps.has('::ffff:198.51.100.9'));
  assert.ok(key.knownIps.has('198.51.100.9'));
  await usage.flush();
  const events = (await keys.activity(userId, key.apiKey)).events.filter((e) => e.action === 'new_ip');
  assert.equal(events.length, 1);
  assert.equal(events[0]?.at, new Date(T0 + 5000).toISOString());
  assert.match(JSON.stringify(events[0]?.detail), /"198\.51\.100\.9"/);
  assert.doesNotMatch(JSON.stringify(events[0]?.detail), /ffff/);
  const reloaded = await new Keyring(store, box).get(key.apiKey);
  assert.ok(reloaded?.knownIps.has('198.51.100.9'), 'known after a reload, so not new again');
});

test('a large flush is written in chunks of TOUCH_CHUNK keys, every key of it persisted', async () => {
  const calls: number[] = [];
  const counting = Object.create(store) as typeof store;
  counting.touchKeys = (uses) => {
    calls.push(uses.length);
    return store.touchKeys(uses);
  };
  const usage = new UsageTracker(counting);
  const at = T0 + 10 * 60_000;
  // Keys the store does not hold (their rows are simply not there) around the real one.
  const others = Array.from({ length: 2 * TOUCH_CHUNK + 10 }, (_, i) => ({ ...key, apiKey: `absent-${i}` }));
  for (const k of others) usage.touch(k, at);
  usage.touch(key, at);
  await usage.flush();
  assert.deepEqual(calls, [TOUCH_CHUNK, TOUCH_CHUNK, 11]);
  assert.equal(await lastUsed(), new Date(at).toISOString());
  assert.ok(others.every((k) => k.persistedLastUsedAt === at));
});
