import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activatedChild, attachedAlgo, attachedRequest } from './algo-attach.js';
import { algoHold } from './algo-funds.js';
import { type AlgoOrder, blankAlgo, checkLegsAgainstLast, validateAlgo } from './algo-orders.js';
import { evaluateAlgo, evaluateAlgoPrices } from './algo-triggers.js';
import { RuleError } from './errors.js';
import { SPOT_INSTRUMENTS, type SpotInstrument } from './markets.js';
import type { Order } from './orders.js';

const INSTRUMENTS = new Map(SPOT_INSTRUMENTS.map((i) => [i.instId, i]));
const BTC = INSTRUMENTS.get('BTC-USDT') as SpotInstrument;
const ids = { algoId: '1', userId: 7, env: 'live' as const, cTime: 1000 };
const algo = (req: Record<string, unknown>): AlgoOrder =>
  validateAlgo({ instId: 'BTC-USDT', tdMode: 'cash', sz: '0.1', ...req }, INSTRUMENTS, ids).algo;
const code = (c: string) => (err: unknown) => err instanceof RuleError && err.code === c;

describe('algo triggers', () => {
  test('a sell stop-loss fires on the way down, its take-profit on the way up', () => {
    const a = algo({
      side: 'sell',
      ordType: 'oco',
      slTriggerPx: '90',
      slOrdPx: '-1',
      tpTriggerPx: '110',
      tpOrdPx: '111',
    });
    assert.equal(evaluateAlgo(a, '95').fire, null);
    assert.deepEqual(evaluateAlgo(a, '90').fire, { leg: 'sl', ordPx: '-1' });
    assert.deepEqual(evaluateAlgo(a, '110.5').fire, { leg: 'tp', ordPx: '111' });
  });

  test('a buy conditional is the mirror: SL above, TP below', () => {
    const a = algo({
      side: 'buy',
      ordType: 'oco',
      slTriggerPx: '110',
      slOrdPx: '-1',
      tpTriggerPx: '90',
      tpOrdPx: '-1',
    });
    assert.deepEqual(evaluateAlgo(a, '111').fire?.leg, 'sl');
    assert.deepEqual(evaluateAlgo(a, '89').fire?.leg, 'tp');
    assert.equal(evaluateAlgo(a, '100').fire, null);
  });

  test('an OCO fires one leg: the first price that reaches a trigger wins, and a fired algo fires no more', () => {
    const a = algo({
      side: 'sell',
      ordType: 'oco',
      slTriggerPx: '90',
      slOrdPx: '-1',
      tpTriggerPx: '110',
      tpOrdPx: '-1',
    });
    const e = evaluateAlgoPrices(a, ['100', '112', '80']);
    assert.equal(e.fire?.leg, 'tp');
    assert.equal(evaluateAlgo({ ...e.algo, state: 'effective' }, '80').fire, null);
  });

  test('a trigger order fires crossing up or down from the price it was placed at', () => {
    const up = { ...algo({ side: 'buy', ordType: 'trigger', triggerPx: '105', orderPx: '-1' }), last: '100' };
    assert.equal(evaluateAlgo(up, '104.9').fire, null);
    assert.deepEqual(evaluateAlgo(up, '105').fire, { leg: '', ordPx: '-1' });
    const down = { ...up, last: '110' };
    assert.equal(evaluateAlgo(down, '106').fire, null);
    assert.notEqual(evaluateAlgo(down, '104').fire, null);
    // Placed before any trade: the first price sets the side.
    const fresh = evaluateAlgo({ ...up, last: '' }, '101');
    assert.deepEqual([fresh.fire, fresh.algo.last, fresh.changed], [null, '101', true]);
  });

  test('a trailing sell by ratio follows the high-water mark and fires on the callback', () => {
    const a = algo({ side: 'sell', ordType: 'move_order_stop', callbackRatio: '0.05' });
    const e1 = evaluateAlgoPrices(a, ['100', '120', '118']);
    assert.deepEqual([e1.fire, e1.algo.extremePx, e1.algo.moveTriggerPx], [null, '120', '114']);
    assert.deepEqual(evaluateAlgo(e1.algo, '114').fire, { leg: '', ordPx: '-1' });
  });

  test('a trailing buy by spread follows the low and fires on the way back up', () => {
    const a = algo({ side: 'buy', ordType: 'move_order_stop', callbackSpread: '5', tgtCcy: 'base_ccy' });
    const e = evaluateAlgoPrices(a, ['100', '90', '94']);
    assert.deepEqual([e.fire, e.algo.moveTriggerPx], [null, '95']);
    assert.notEqual(evaluateAlgo(e.algo, '95').fire, null);
  });

  test('a trailing stop with activePx waits for it', () => {
    const a = algo({ side: 'sell', ordType: 'move_order_stop', callbackSpread: '2', activePx: '110' });
    const before = evaluateAlgoPrices(a, ['100', '90']);
    assert.deepEqual([before.fire, before.algo.extremePx], [null, '']);
    const active = evaluateAlgoPrices(a, ['111', '109']);
    assert.deepEqual([active.fire, active.algo.moveTriggerPx], [{ leg: '', ordPx: '-1' }, '109']);
  });
});

describe('algo validation and funds', () => {
  test("OKX's codes: missing fields 50014, bad values 51000, both legs on an oco, ratio 51257", () => {
    assert.throws(() => algo({ side: 'sell', ordType: 'conditional' }), code('50014'));
    assert.throws(() => algo({ side: 'sell', ordType: 'oco', slTriggerPx: '90', slOrdPx: '-1' }), code('50014'));
    assert.throws(() => algo({ side: 'sell', ordType: 'iceberg' }), code('51000'));
    assert.throws(() => algo({ side: 'sell', ordType: 'move_order_stop', callbackRatio: '2' }), code('51257'));
    assert.throws(
      () => algo({ side: 'sell', ordType: 'trigger', triggerPx: '1', orderPx: '-1', tdMode: 'isolated' }),
      code('51000'),
    );
  });

  test('legs against the last price: 51279/51280 for a sell, 51277/51278 for a buy', () => {
    const sell = algo({ side: 'sell', ordType: 'conditional', slTriggerPx: '90', slOrdPx: '-1' });
    assert.throws(() => checkLegsAgainstLast(sell, '89'), code('51280'));
    checkLegsAgainstLast(sell, '91');
    const buyTp = algo({ side: 'buy', ordType: 'conditional', tpTriggerPx: '90', tpOrdPx: '-1' });
    assert.throws(() => checkLegsAgainstLast(buyTp, '89'), code('51277'));
  });

  test('what an algo freezes: base for a sell, quote for a buy, nothing for a trigger order', () => {
    const sell = algo({ side: 'sell', ordType: 'conditional', slTriggerPx: '90', slOrdPx: '-1' });
    assert.deepEqual(algoHold(sell, BTC, ''), { ccy: 'BTC', amount: '0.1' });
    const buyQuote = algo({ side: 'buy', ordType: 'conditional', slTriggerPx: '110', slOrdPx: '-1', sz: '50' });
    assert.deepEqual(algoHold(buyQuote, BTC, ''), { ccy: 'USDT', amount: '50' });
    const buyLimit = algo({
      side: 'buy',
      ordType: 'oco',
      slTriggerPx: '110',
      slOrdPx: '112',
      tpTriggerPx: '90',
      tpOrdPx: '-1',
    });
    assert.deepEqual(algoHold(buyLimit, BTC, ''), { ccy: 'USDT', amount: '11.2' });
    const trig = algo({ side: 'sell', ordType: 'trigger', triggerPx: '90', orderPx: '-1' });
    assert.equal(algoHold(trig, BTC, '').amount, '0');
  });
});

describe('attached TP/SL', () => {
  const parent: Order = {
    ordId: '9',
    clOrdId: '',
    tag: '',
    userId: 7,
    env: 'live',
    instId: 'BTC-USDT',
    side: 'buy',
    ordType: 'limit',
    px: '100',
    sz: '1',
    tgtCcy: '',
    accFillSz: '0',
    accFillQuote: '0',
    fee: '0',
    feeCcy: 'BTC',
    frozen: '0',
    state: 'live',
    cancelSource: '',
    cTime: 1,
    uTime: 1,
    queuedAt: 1,
  };
  const req = attachedRequest({
    attachAlgoOrds: [{ slTriggerPx: '90', slOrdPx: '-1', tpTriggerPx: '120', tpOrdPx: '-1' }],
  });

  test('attachAlgoOrds (or the legacy top-level fields) make a waiting OCO on the other side', () => {
    assert.ok(req !== null);
    const child = attachedAlgo(req ?? {}, BTC, parent, ids);
    assert.deepEqual([child.ordType, child.side, child.state, child.parentOrdId], ['oco', 'sell', 'waiting', '9']);
    assert.deepEqual(attachedRequest({ slTriggerPx: '90', slOrdPx: '-1' }), { slTriggerPx: '90', slOrdPx: '-1' });
    assert.equal(attachedRequest({ px: '1' }), null);
    assert.throws(() => attachedAlgo({ tpTriggerPx: '99', tpOrdPx: '-1' }, BTC, parent, ids), code('51046'));
    assert.throws(() => attachedAlgo({ slTriggerPx: '101', slOrdPx: '-1' }, BTC, parent, ids), code('51047'));
  });

  test('it goes live when the parent fills, sized net of the fee; canceled if the parent is canceled unfilled', () => {
    const child = attachedAlgo(req ?? {}, BTC, parent, ids);
    assert.equal(activatedChild(child, { ...parent, state: 'partially_filled', accFillSz: '0.5' }, BTC, 5), null);
    const live = activatedChild(child, { ...parent, state: 'filled', accFillSz: '1', fee: '-0.001' }, BTC, 5);
    assert.deepEqual([live?.state, live?.sz], ['live', '0.999']);
    const dead = activatedChild(child, { ...parent, state: 'canceled' }, BTC, 5);
    assert.equal(dead?.state, 'canceled');
  });

  test('a blank algo has every optional field empty', () => {
    const b = blankAlgo({ algoId: '1', userId: 1, env: 'demo', instId: 'BTC-USDT', cTime: 5 });
    assert.deepEqual([b.state, b.frozen, b.ordId, b.uTime], ['live', '0', '', 5]);
  });
});
