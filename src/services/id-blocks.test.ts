import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { IdBlocks } from './id-blocks.js';
import { memoryStore, T0 } from './test-store.test-helpers.js';

const store = memoryStore();
after(() => store.close());
const floor = (now: number): bigint => BigInt(now) * 1000n;

test('ids increase within each process and never repeat across processes sharing the store', async () => {
  const a = new IdBlocks(store, 'order', 3, floor);
  const b = new IdBlocks(store, 'order', 3, floor);
  const fromA: bigint[] = [];
  const fromB: bigint[] = [];
  for (let i = 0; i < 10; i++) {
    fromA.push(BigInt(await a.nextId(T0)));
    fromB.push(BigInt(await b.nextId(T0)));
  }
  for (const ids of [fromA, fromB]) {
    for (let i = 1; i < ids.length; i++) assert.ok((ids[i] ?? 0n) > (ids[i - 1] ?? 0n), `increasing: ${ids.join(' ')}`);
  }
  const all = [...fromA, ...fromB];
  assert.equal(new Set(all).size, 20, 'unique');
  assert.ok(
    all.every((id) => id >= floor(T0)),
    'not below the floor',
  );
  assert.equal(fromA[0], floor(T0), 'the first block starts at the floor');
});

test('concurrent callers get distinct ids; take() needs ensure(); a later block starts later', async () => {
  const blocks = new IdBlocks(store, 'trade', 2, floor);
  assert.throws(() => blocks.take(), /exhausted/);
  const ids = await Promise.all(Array.from({ length: 9 }, () => blocks.nextId(T0)));
  assert.equal(new Set(ids).size, 9);
  await blocks.ensure(5, T0);
  const five = Array.from({ length: 5 }, () => blocks.take());
  assert.deepEqual(
    five.map((id) => BigInt(id) - BigInt(five[0] ?? 0)),
    [0n, 1n, 2n, 3n, 4n],
    'one block of 5',
  );
  assert.throws(() => blocks.take(), /exhausted/);
  const later = T0 + 60_000;
  assert.equal(await blocks.nextId(later), floor(later).toString());
  const withdrawal = new IdBlocks(store, 'withdrawal', 1, floor);
  assert.equal(await withdrawal.nextId(T0), floor(T0).toString(), 'each sequence on its own');
});
