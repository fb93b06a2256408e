import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlowHashQueue, slowHash, slowHashMatches } from './slow-hash.js';

/** A task that records its start and ends when `finish(name)` is called. */
function harness() {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const task = (name: string) => () => {
    started.push(name);
    return new Promise<string>((resolve) => finishers.set(name, () => resolve(name)));
  };
  const finish = async (name: string) => {
    finishers.get(name)?.();
    // Let the queue hand the slot over (a few microtasks).
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { started, task, finish };
}

test('with the slots full of background work, a verified check is started next', async () => {
  const queue = new SlowHashQueue(2);
  const { started, task, finish } = harness();
  const done = [
    queue.run('background', task('b1')),
    queue.run('background', task('b2')),
    queue.run('background', task('b3')),
    queue.run('background', task('b4')),
    queue.run('verified', task('v1')),
    queue.run('background', task('b5')),
    queue.run('verified', task('v2')),
  ];
  await finish('none');
  assert.deepEqual(started, ['b1', 'b2'], 'at most two at once');
  assert.deepEqual(queue.queued, { verified: 2, background: 3 });
  await finish('b1');
  assert.deepEqual(started, ['b1', 'b2', 'v1'], 'the verified check goes ahead of b3, b4, b5');
  await finish('b2');
  assert.deepEqual(started, ['b1', 'b2', 'v1', 'v2']);
  for (const name of ['v1', 'v2', 'b3', 'b4']) await finish(name);
  assert.deepEqual(started, ['b1', 'b2', 'v1', 'v2', 'b3', 'b4', 'b5']);
  await finish('b5');
  assert.deepEqual(await Promise.all(done), ['b1', 'b2', 'b3', 'b4', 'v1', 'b5', 'v2']);
});

test('a task that throws or rejects frees its slot', async () => {
  const queue = new SlowHashQueue(1);
  await assert.rejects(
    queue.run('background', () => {
      throw new Error('sync');
    }),
  );
  await assert.rejects(queue.run('background', () => Promise.reject(new Error('async'))));
  assert.equal(await queue.run('verified', async () => 'ran'), 'ran');
});

test('slowHash and slowHashMatches agree, at either priority', async () => {
  const hash = await slowHash('Passphrase-1');
  assert.equal(await slowHashMatches('Passphrase-1', hash, 'verified'), true);
  assert.equal(await slowHashMatches('Passphrase-2', hash), false);
  assert.equal(await slowHashMatches('Passphrase-1', 'not a hash'), false);
});
