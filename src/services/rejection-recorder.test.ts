import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DAY_MS } from '../core/expiry.js';
import type { KeyService } from './key-service.js';
import type { ActiveKey } from './keyring.js';
import { RejectionRecorder } from './rejection-recorder.js';
import { accountWithKey, memoryStore, randomBox, T0 } from './test-store.test-helpers.js';

const store = memoryStore();
after(() => store.close());
const box = randomBox();
let keys: KeyService;
let userId = 0;
let key: ActiveKey;

before(async () => {
  ({ keys, userId, key } = await accountWithKey(store, box, 'rejections@example.com'));
});

const counts = async () =>
  (await keys.activity(userId, key.apiKey)).rejections
    .map((r) => `${r.code} ${r.ip} ${r.count} ${r.firstAt.slice(11, 19)}-${r.lastAt.slice(11, 19)}`)
    .sort();

test('rejections are counted per code and IP in memory and merged into the store by flush()', async () => {
  const recorder = new RejectionRecorder(store);
  recorder.record(key, '50113', '192.0.2.1', T0);
  recorder.record(key, '50113', '192.0.2.1', T0 + 1000);
  recorder.record(key, '50113', '192.0.2.1', T0 + 2000);
  recorder.record(key, '50105', '192.0.2.1', T0 + 3000);
  recorder.record(key, '50113', '192.0.2.2', T0 + 4000);
  assert.deepEqual(await counts(), [], 'nothing written before the flush');
  await recorder.flush(T0 + 5000);
  assert.deepEqual(await counts(), [
    '50105 192.0.2.1 1 03:04:08-03:04:08',
    '50113 192.0.2.1 3 03:04:05-03:04:07',
    '50113 192.0.2.2 1 03:04:09-03:04:09',
  ]);
  recorder.record(key, '50113', '192.0.2.1', T0 + 6000);
  await recorder.flush(T0 + 7000);
  await recorder.flush(T0 + 8000);
  assert.ok((await counts()).includes('50113 192.0.2.1 4 03:04:05-03:04:11'), 'merged with the stored count, once');
  assert.equal(recorder.dropped, 0);
});

test('a flush drops rejections last seen more than 30 days before it', async () => {
  const recorder = new RejectionRecorder(store);
  recorder.record(key, '50102', '192.0.2.8', T0);
  await recorder.flush(T0);
  assert.ok((await counts()).includes('50102 192.0.2.8 1 03:04:05-03:04:05'));
  recorder.record(key, '50110', '192.0.2.9', T0 + 31 * DAY_MS);
  await recorder.flush(T0 + 31 * DAY_MS);
  assert.deepEqual(await counts(), ['50110 192.0.2.9 1 03:04:05-03:04:05']);
});
