import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountBillQuery, assetBillQuery, type BillRecord, classifyBill, DAY_MS, mergeFee } from './bills.js';
import { RuleError } from './errors.js';

const bill = (over: Partial<BillRecord>): BillRecord => ({
  billId: '1',
  account: '18',
  ccy: 'USDT',
  kind: 'trade',
  ref: '9',
  balChg: '1',
  bal: '1',
  fee: '0',
  clientId: '',
  ts: 0,
  fill: null,
  ...over,
});
const fill = { instId: 'BTC-USDT', ordId: '1', clOrdId: '', tag: '', px: '100', execType: 'T' };

test('classifyBill: OKX type/subType/from/to per kind, sign and side', () => {
  const cases: Array<[Partial<BillRecord>, [string, string, string, string]]> = [
    [{ kind: 'trade', fill: { ...fill, side: 'buy' } }, ['2', '1', '', '']],
    [{ kind: 'trade', balChg: '-5', fill: { ...fill, side: 'sell' } }, ['2', '2', '', '']],
    [{ kind: 'transfer', balChg: '5' }, ['1', '11', '6', '18']],
    [{ kind: 'transfer', balChg: '-5' }, ['1', '12', '18', '6']],
    [{ kind: 'deposit' }, ['1', '200', '', '18']],
    [{ kind: 'something_new' }, ['', '', '', '']],
    [{ account: '6', kind: 'deposit' }, ['1', '', '', '']],
    [{ account: '6', kind: 'internal_in' }, ['1', '', '', '']],
    [{ account: '6', kind: 'withdrawal', balChg: '-1' }, ['2', '', '', '']],
    [{ account: '6', kind: 'withdrawal_fee', balChg: '-1' }, ['221', '', '', '']],
    [{ account: '6', kind: 'to_sub', balChg: '-1' }, ['20', '', '', '']],
    [{ account: '6', kind: 'from_sub' }, ['21', '', '', '']],
    [{ account: '6', kind: 'to_master', balChg: '-1' }, ['22', '', '', '']],
    [{ account: '6', kind: 'from_master' }, ['23', '', '', '']],
    [{ kind: 'from_master' }, ['1', '11', '', '']],
    [{ kind: 'to_sub', balChg: '-1' }, ['1', '12', '', '']],
    [{ account: '6', kind: 'transfer', balChg: '1' }, ['130', '', '18', '6']],
    [{ account: '6', kind: 'transfer', balChg: '-1' }, ['131', '', '6', '18']],
  ];
  for (const [over, want] of cases) {
    const c = classifyBill(bill(over));
    assert.deepEqual([c.type, c.subType, c.from, c.to], want, JSON.stringify(over));
  }
});

test('mergeFee: the fee entry joins its trade bill; balance after the fee', () => {
  assert.deepEqual(mergeFee('1', '3', { balChg: '-0.001', bal: '2.999' }), {
    balChg: '0.999',
    bal: '2.999',
    fee: '-0.001',
  });
  assert.deepEqual(mergeFee('-90', '210', null), { balChg: '-90', bal: '210', fee: '0' });
});

test('accountBillQuery: window, cursors, filters, parameter errors', () => {
  const now = 100 * DAY_MS;
  const q = accountBillQuery(7, 'live', { after: '55', before: '3', end: '123', ccy: 'btc', limit: '20' }, now, 7);
  assert.deepEqual(q, {
    userId: 7,
    env: 'live',
    account: '18',
    minTs: now - 7 * DAY_MS,
    limit: 20,
    ccy: 'BTC',
    maxTs: 123,
    afterId: 55,
    beforeId: 3,
  });
  assert.equal(accountBillQuery(7, 'live', { begin: String(now - DAY_MS) }, now, 90)?.minTs, now - DAY_MS);
  assert.equal(accountBillQuery(7, 'live', { limit: '500' }, now, 7)?.limit, 100);
  assert.deepEqual(accountBillQuery(7, 'live', { type: '2', subType: '1' }, now, 7)?.conditions, [
    { kind: 'trade', side: 'buy' },
  ]);
  assert.deepEqual(accountBillQuery(7, 'live', { type: '1' }, now, 7)?.conditions, [
    { kind: 'transfer', sign: 'in' },
    { kind: 'transfer', sign: 'out' },
    { kind: 'deposit' },
    { kind: 'from_sub' },
    { kind: 'from_master' },
    { kind: 'to_sub' },
    { kind: 'to_master' },
  ]);
  // Valid filters nothing can match.
  for (const f of [{ type: '8' }, { instType: 'SWAP' }, { mgnMode: 'cross' }, { ctType: 'linear' }])
    assert.equal(accountBillQuery(7, 'live', f, now, 7), null, JSON.stringify(f));
  for (const f of [{ type: 'x' }, { instType: 'NOPE' }, { mgnMode: 'cash' }, { limit: '0' }, { after: 'abc' }]) {
    assert.throws(
      () => accountBillQuery(7, 'live', f, now, 7),
      (e: unknown) => e instanceof RuleError && e.code === '51000',
      JSON.stringify(f),
    );
  }
});

test('assetBillQuery: ts cursors, all-time history paged by bill id on request', () => {
  const now = 100 * DAY_MS;
  const q = assetBillQuery(7, 'demo', { after: '50', before: '10', type: '131', clientId: 'ab1' }, now, 30);
  assert.deepEqual(q, {
    userId: 7,
    env: 'demo',
    account: '6',
    minTs: now - 30 * DAY_MS,
    limit: 100,
    clientId: 'ab1',
    conditions: [{ kind: 'transfer', sign: 'out' }],
    afterTs: 50,
    beforeTs: 10,
  });
  const h = assetBillQuery(7, 'demo', { after: '50', pagingType: '2' }, now, null);
  assert.deepEqual([h?.minTs, h?.afterId, h?.afterTs], [0, 50, undefined]);
  assert.throws(() => assetBillQuery(7, 'demo', { pagingType: '3' }, now, null), RuleError);
});
