import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useRecoveryHash } from './recovery-codes.js';

describe('useRecoveryHash', () => {
  test('removes the code it finds, keeping the others in order', () => {
    assert.deepEqual(useRecoveryHash(['a', 'b', 'c'], 'b'), ['a', 'c']);
    assert.deepEqual(useRecoveryHash(['a'], 'a'), []);
  });

  test('null for a code that is not there; the input is never changed', () => {
    const hashes = ['a', 'b'];
    assert.equal(useRecoveryHash(hashes, 'z'), null);
    assert.equal(useRecoveryHash([], 'a'), null);
    assert.deepEqual(useRecoveryHash(hashes, 'a'), ['b']);
    assert.deepEqual(hashes, ['a', 'b']);
  });

  test('a code listed twice is spent once per use', () => {
    assert.deepEqual(useRecoveryHash(['a', 'a'], 'a'), ['a']);
  });
});
