import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuleError } from './errors.js';
import { checkGrace, formatGrace, MAX_GRACE_MS, parseGrace } from './grace.js';

const refused = (text: string) =>
  assert.throws(
    () => parseGrace(text),
    (e: unknown) => e instanceof RuleError && e.field === 'grace',
    text,
  );

test('grace periods are read in seconds, minutes, hours and days, 0 meaning none', () => {
  assert.equal(parseGrace('0'), 0);
  assert.equal(parseGrace('0h'), 0);
  assert.equal(parseGrace('2s'), 2000);
  assert.equal(parseGrace('30m'), 1_800_000);
  assert.equal(parseGrace(' 24h '), 86_400_000);
  assert.equal(parseGrace('7d'), MAX_GRACE_MS);
  assert.equal(parseGrace('168h'), MAX_GRACE_MS);
});

test('more than 7 days, negative, fractional, unitless or unknown units are refused with a readable message', () => {
  for (const bad of ['8d', '169h', '604801s', '-1h', '1.5h', '24', '', 'h', '3w', '1 d']) refused(bad);
  assert.throws(() => parseGrace('8d'), /at most 7 days/);
  assert.throws(() => checkGrace(-1), /0 or more/);
  assert.throws(() => checkGrace(MAX_GRACE_MS + 1), /at most 7 days/);
});

test('grace periods are said in the largest whole unit', () => {
  assert.equal(formatGrace(0), 'none');
  assert.equal(formatGrace(2000), '2s');
  assert.equal(formatGrace(1_800_000), '30m');
  assert.equal(formatGrace(86_400_000), '24h');
  assert.equal(formatGrace(MAX_GRACE_MS), '7d');
});
