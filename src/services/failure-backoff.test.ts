import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureBackoff } from './failure-backoff.js';
import { memoryLimiters } from './limiters.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('failures per subject, then a lockout that doubles each time, up to the maximum', async () => {
  const backoff = new FailureBackoff(memoryLimiters(), {
    keyPrefix: 't',
    failures: 3,
    windowS: 900,
    lockoutS: 1,
    maxLockoutS: 2,
  });
  const fail = async () => {
    const gate = await backoff.begin('user:1');
    return gate.ok ? backoff.failed('user:1') : -gate.retryAfterMs;
  };
  assert.deepEqual([await fail(), await fail(), await fail()], [0, 0, 1000], 'the third failure locks for 1 s');
  assert.ok((await fail()) < 0, 'refused, not evaluated, while locked');
  assert.equal((await backoff.begin('user:2')).ok, true, 'another subject counts apart');
  await sleep(1100);
  assert.deepEqual([await fail(), await fail(), await fail()], [0, 0, 2000], 'the next lockout is twice as long');
  await sleep(2100);
  assert.deepEqual([await fail(), await fail(), await fail()], [0, 0, 2000], 'capped at the maximum');
});

test('a refunded or successful attempt does not count; parallel attempts get no more than the limit', async () => {
  const backoff = new FailureBackoff(memoryLimiters(), {
    keyPrefix: 't',
    failures: 2,
    windowS: 900,
    lockoutS: 60,
    maxLockoutS: 600,
  });
  for (let i = 0; i < 5; i++) {
    assert.equal((await backoff.begin('s')).ok, true);
    await backoff.refund('s');
  }
  assert.equal((await backoff.begin('s')).ok, true);
  assert.equal(await backoff.failed('s'), 0);
  assert.equal((await backoff.begin('s')).ok, true);
  await backoff.succeeded('s');
  const gates = await Promise.all(Array.from({ length: 50 }, () => backoff.begin('s')));
  assert.equal(gates.filter((g) => g.ok).length, 2, 'a burst of 50 gets two evaluations');
  const locked = await backoff.lockedForMs('s');
  assert.ok(locked > 59_000 && locked <= 60_000, `one strike for the burst, the first lockout: ${locked}`);
});
