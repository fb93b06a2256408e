import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Fill } from './matching.js';
import { orderUpdates } from './order-updates.js';
import type { Order } from './orders.js';

const order: Order = {
  ordId: '1',
  clOrdId: 'c1',
  tag: '',
  userId: 7,
  env: 'live',
  instId: 'BTC-USDT',
  side: 'buy',
  ordType: 'limit',
  px: '101',
  sz: '3',
  tgtCcy: '',
  accFillSz: '3',
  accFillQuote: '301',
  fee: '-0.003',
  feeCcy: 'BTC',
  frozen: '0',
  state: 'filled',
  cancelSource: '',
  cTime: 1000,
  uTime: 2000,
  queuedAt: 1000,
};
const fill = (tradeId: string, ordId: string, px: string, sz: string, fee: string, ts: number): Fill => ({
  tradeId,
  instId: 'BTC-USDT',
  ordId,
  clOrdId: '',
  tag: '',
  userId: 7,
  env: 'live',
  side: 'buy',
  px,
  sz,
  fee,
  feeCcy: 'BTC',
  execType: 'T',
  ts,
});

test('an order without fills in the operation is one update, as it stands', () => {
  const updates = orderUpdates({ ...order, state: 'canceled' }, [fill('9', 'other', '100', '1', '0', 5)]);
  assert.equal(updates.length, 1);
  assert.equal(updates[0]?.fill, null);
  assert.equal(updates[0]?.order.state, 'canceled');
});

test('one update per fill, accumulating size, quote and fee up to the final state', () => {
  // Filled 3 in this operation: 1 @ 100, then 2 @ 100.5 (quote 100 + 201 = 301).
  const fills = [
    fill('t1', '1', '100', '1', '-0.001', 1500),
    fill('t2', '1', '100.5', '2', '-0.002', 2000),
    fill('t3', 'maker', '100', '1', '0', 1500),
  ];
  const updates = orderUpdates(order, fills);
  assert.equal(updates.length, 2);
  const [first, last] = updates;
  assert.equal(first?.fill?.tradeId, 't1');
  assert.equal(first?.order.accFillSz, '1');
  assert.equal(first?.order.accFillQuote, '100');
  assert.equal(first?.order.fee, '-0.001');
  assert.equal(first?.order.state, 'partially_filled');
  assert.equal(first?.order.uTime, 1500);
  assert.equal(last?.fill?.tradeId, 't2');
  assert.deepEqual(last?.order, order);
});

test('an order partly filled before the operation starts from its earlier fills', () => {
  const partly: Order = { ...order, accFillSz: '2.5', accFillQuote: '251', fee: '-0.0025', state: 'partially_filled' };
  const updates = orderUpdates(partly, [
    fill('t1', '1', '100', '0.5', '-0.0005', 1500),
    fill('t2', '1', '100', '1', '-0.001', 1600),
  ]);
  assert.equal(updates[0]?.order.accFillSz, '1.5');
  assert.equal(updates[0]?.order.accFillQuote, '151');
  assert.equal(updates[1]?.order.accFillSz, '2.5');
});
