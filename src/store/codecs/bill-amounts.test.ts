import assert from 'node:assert/strict';
import { test } from 'node:test';
import { billAmountsOf } from './ledger.js';

test('billAmountsOf: entries written before bills get their change and running balance per balance', () => {
  const row = (id: number, ccy: string, avail: string, frozen: string, account = '18') => ({
    id,
    user_id: 1,
    env: 'live',
    account,
    ccy,
    avail_delta: avail,
    frozen_delta: frozen,
  });
  assert.deepEqual(
    billAmountsOf([
      row(1, 'USDT', '100', '0'),
      row(2, 'USDT', '-40', '40'),
      row(3, 'USDT', '0', '-40'),
      row(4, 'BTC', '0.1', '0'),
      row(5, 'USDT', '7', '0', '6'),
      row(6, 'USDT', '0.5', '0'),
    ]),
    [
      { id: 1, balChg: '100', bal: '100' },
      { id: 2, balChg: '0', bal: '100' },
      { id: 3, balChg: '-40', bal: '60' },
      { id: 4, balChg: '0.1', bal: '0.1' },
      { id: 5, balChg: '7', bal: '7' },
      { id: 6, balChg: '0.5', bal: '60.5' },
    ],
  );
});
