import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuleError } from './errors.js';
import { requestedInstrument, SPOT_INSTRUMENTS } from './markets.js';

const BY_ID = new Map(SPOT_INSTRUMENTS.map((i) => [i.instId, i]));
const code = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    if (err instanceof RuleError) return err.code;
    throw err;
  }
  return 'none';
};

test('every instrument has its own integer instIdCode', () => {
  const codes = SPOT_INSTRUMENTS.map((i) => i.instIdCode);
  assert.ok(codes.every(Number.isSafeInteger));
  assert.equal(new Set(codes).size, codes.length);
});

test('a request names its instrument by instId or instIdCode (number or digits); the code wins', () => {
  assert.equal(requestedInstrument({ instId: 'ETH-USDT' }, BY_ID).instId, 'ETH-USDT');
  assert.equal(requestedInstrument({ instIdCode: 10001 }, BY_ID).instId, 'BTC-USDT');
  assert.equal(requestedInstrument({ instIdCode: '10004' }, BY_ID).instId, 'SOL-USDT');
  assert.equal(requestedInstrument({ instId: 'ETH-USDT', instIdCode: 10001 }, BY_ID).instId, 'BTC-USDT');
});

test('neither given: 50014; unknown or malformed: 51001', () => {
  assert.equal(
    code(() => requestedInstrument({}, BY_ID)),
    '50014',
  );
  assert.equal(
    code(() => requestedInstrument({ instId: '' }, BY_ID)),
    '50014',
  );
  assert.equal(
    code(() => requestedInstrument({ instId: 'DOGE-USDT' }, BY_ID)),
    '51001',
  );
  assert.equal(
    code(() => requestedInstrument({ instId: 42 }, BY_ID)),
    '51001',
  );
  assert.equal(
    code(() => requestedInstrument({ instIdCode: 99999 }, BY_ID)),
    '51001',
  );
  assert.equal(
    code(() => requestedInstrument({ instIdCode: '1e4' }, BY_ID)),
    '51001',
  );
  assert.equal(
    code(() => requestedInstrument({ instIdCode: {} }, BY_ID)),
    '51001',
  );
});
