import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { duplicateAddress, duplicateClOrdId, duplicateEmail } from './conflicts.js';
import { RuleError } from './errors.js';

describe('conflicts', () => {
  test('a duplicate email is 51000 on the email field', () => {
    const err = duplicateEmail('a@b.c');
    assert.ok(err instanceof RuleError);
    assert.equal(err.code, '51000');
    assert.equal(err.field, 'email');
    assert.equal(err.message, 'email: an account with a@b.c already exists');
  });

  test('a duplicate open clOrdId is 51016 on the clOrdId field', () => {
    const err = duplicateClOrdId();
    assert.equal(err.code, '51016');
    assert.equal(err.field, 'clOrdId');
    assert.equal(err.message, 'clOrdId: already used by another open order of this account');
  });

  test('a duplicate address is 51000 on the address field, naming address and chain', () => {
    const err = duplicateAddress('TXyz', 'USDT-TRC20');
    assert.equal(err.code, '51000');
    assert.equal(err.field, 'address');
    assert.equal(err.message, 'address: TXyz on USDT-TRC20 is already in the address book');
  });
});
