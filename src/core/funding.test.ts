import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import { RuleError } from './errors.js';
import {
  holdEntries,
  internalEntries,
  releaseEntries,
  settleEntries,
  transferEntries,
  validateWithdrawal,
  type Withdrawal,
} from './funding.js';
import { CURRENCY_BY_CCY } from './markets.js';

const v = (req: Record<string, unknown>) =>
  validateWithdrawal({ ccy: 'USDT', amt: '10', dest: '4', toAddr: 'T1', chain: 'USDT-TRC20', ...req }, CURRENCY_BY_CCY);
const refused = (req: Record<string, unknown>, code: string, field: string) =>
  assert.throws(
    () => v(req),
    (err: unknown) => err instanceof RuleError && err.code === code && err.message.startsWith(`${field}:`),
  );

test('withdrawal rules: chain, minimum and maximum, tick, fee, dest', () => {
  assert.deepEqual(
    [v({}).fee, v({}).chain.chain, v({ chain: undefined }).chain.chain],
    ['1', 'USDT-TRC20', 'USDT-TRC20'],
  );
  assert.equal(v({ dest: '3', amt: '0.5' }).fee, '0');
  assert.equal(v({ fee: '1.0' }).amt, '10');
  refused({ ccy: 'DOGE' }, '51000', 'ccy');
  refused({ chain: 'USDT-NOPE' }, '51000', 'chain');
  refused({ amt: '1.9' }, '58206', 'amt');
  refused({ amt: '10000001' }, '58205', 'amt');
  refused({ amt: '10.0000001' }, '51000', 'amt');
  refused({ amt: '-5' }, '51000', 'amt');
  refused({ amt: undefined }, '50014', 'amt');
  refused({ fee: '0.5' }, '51000', 'fee');
  refused({ dest: '2' }, '51000', 'dest');
  refused({ toAddr: '' }, '50014', 'toAddr');
  refused({ clientId: 'no spaces please' }, '51000', 'clientId');
});

test('withdrawal entries: hold then settle or release; internal and transfer entries net to zero', () => {
  const w: Withdrawal = {
    wdId: '1',
    clientId: '',
    userId: 7,
    env: 'live',
    ccy: 'USDT',
    chain: 'USDT-TRC20',
    amt: '10',
    fee: '1',
    dest: '4',
    toAddr: 'T1',
    toUserId: null,
    state: '0',
    txId: '',
    createdAt: 0,
    updatedAt: 0,
  };
  const sum = (es: ReturnType<typeof holdEntries>) =>
    es.reduce((t, e) => t.plus(e.availDelta).plus(e.frozenDelta), new Big(0)).toFixed();
  assert.equal(sum(holdEntries(w)), '0');
  assert.equal(sum([...holdEntries(w), ...releaseEntries(w)]), '0');
  assert.equal(sum([...holdEntries(w), ...settleEntries(w)]), '-11');
  assert.deepEqual(
    settleEntries(w).map((e) => [e.kind, e.frozenDelta]),
    [
      ['withdrawal', '-10'],
      ['withdrawal_fee', '-1'],
    ],
  );
  assert.equal(sum(internalEntries(w, 8)), '0');
  assert.equal(sum(transferEntries(7, 'live', 'USDT', '5', '6', '18', 't')), '0');
});
