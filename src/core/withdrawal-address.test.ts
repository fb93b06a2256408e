import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuleError } from './errors.js';
import { MAX_ADDRESSES_PER_ACCOUNT, validateWithdrawalAddress } from './withdrawal-address.js';

const good = { ccy: 'usdt', chain: 'usdt-trc20', address: 'TXYZabcdefghijklmnopqrstuvwxyz1234', label: ' cold ' };

test('normalises currency, chain spelling and label', () => {
  assert.deepEqual(validateWithdrawalAddress(good, 0), {
    ccy: 'USDT',
    chain: 'USDT-TRC20',
    address: good.address,
    label: 'cold',
  });
});

test('refuses unknown currencies, foreign chains, bad addresses, long labels and a full book, naming the field', () => {
  const field = (input: typeof good, count = 0) => {
    try {
      validateWithdrawalAddress(input, count);
    } catch (err) {
      assert.ok(err instanceof RuleError);
      return err.field;
    }
    assert.fail('accepted');
  };
  assert.equal(field({ ...good, ccy: 'NOPE' }), 'ccy');
  assert.equal(field({ ...good, chain: 'BTC-Bitcoin' }), 'chain');
  assert.equal(field({ ...good, address: 'short' }), 'address');
  assert.equal(field({ ...good, address: 'has space in the middle' }), 'address');
  assert.equal(field({ ...good, label: 'x'.repeat(51) }), 'label');
  assert.equal(field(good, MAX_ADDRESSES_PER_ACCOUNT), 'address');
});
