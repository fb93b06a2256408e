import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { memoryLimiters } from './limiters.js';

test('the in-memory limiter counts points per subject and refuses past them with the time left', async () => {
  const limiters = memoryLimiters();
  const limiter = limiters.create({ keyPrefix: 'test', points: 2, duration: 60, blockDuration: 120 });
  assert.equal((await limiter.consume('1.2.3.4')).remainingPoints, 1);
  assert.equal((await limiter.consume('1.2.3.4')).remainingPoints, 0);
  const refused: unknown = await limiter.consume('1.2.3.4').then(
    () => null,
    (res: unknown) => res,
  );
  assert.ok(refused instanceof RateLimiterRes, 'refused with a RateLimiterRes');
  const left = refused.msBeforeNext;
  assert.ok(left > 60_000 && left <= 120_000, `blocked for blockDuration: ${left}`);
  assert.equal((await limiter.consume('5.6.7.8')).remainingPoints, 1, 'another subject counts apart');
  const other = limiters.create({ keyPrefix: 'other', points: 5, duration: 60 });
  assert.equal((await other.consume('1.2.3.4')).remainingPoints, 4, 'each limiter counts apart');
  await limiters.close();
});
