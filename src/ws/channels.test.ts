import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ordersMatch, parseSubscription } from './channels.js';

const ok = (r: ReturnType<typeof parseSubscription>) => {
  assert.ok(r.ok, JSON.stringify(r));
  return r;
};
const refused = (r: ReturnType<typeof parseSubscription>, code: string, arg?: string) => {
  assert.ok(!r.ok, JSON.stringify(r));
  assert.equal(r.code, code);
  if (arg !== undefined) assert.equal(r.arg, arg);
};

test('market-data channels need a listed instId, on any URL, without login', () => {
  for (const endpoint of ['public', 'private', 'business'] as const) {
    const r = ok(parseSubscription({ channel: 'books', instId: 'BTC-USDT' }, endpoint, false));
    assert.equal(r.scope, 'public');
    assert.deepEqual(r.sub.arg, { channel: 'books', instId: 'BTC-USDT' });
  }
  refused(parseSubscription({ channel: 'tickers' }, 'public', false), '60027', 'instId');
  refused(
    parseSubscription({ channel: 'tickers', instId: 'DOGE-USDT' }, 'public', false),
    '60018',
    'tickers,instId:DOGE-USDT',
  );
  refused(parseSubscription({ channel: 'trades', instId: 42 }, 'public', false), '60018');
});

test('account channels: /private only, after login', () => {
  refused(parseSubscription({ channel: 'account' }, 'public', true), '60028');
  refused(parseSubscription({ channel: 'account' }, 'business', true), '60028');
  refused(parseSubscription({ channel: 'account' }, 'private', false), '60011');
  const r = ok(parseSubscription({ channel: 'account', ccy: 'btc' }, 'private', true));
  assert.deepEqual(r.sub.arg, { channel: 'account', ccy: 'BTC' });
  refused(parseSubscription({ channel: 'account', ccy: 'B$C' }, 'private', true), '60018');
  refused(parseSubscription({ channel: 'account', ccy: 'DOGE' }, 'private', true), '60018');
  ok(parseSubscription({ channel: 'balance_and_position' }, 'private', true));
});

test('orders: instType required, instId optional and listed', () => {
  refused(parseSubscription({ channel: 'orders' }, 'private', true), '60027', 'instType');
  refused(parseSubscription({ channel: 'orders', instType: 'WHATEVER' }, 'private', true), '60018');
  const any = ok(parseSubscription({ channel: 'orders', instType: 'ANY' }, 'private', true)).sub;
  const one = ok(parseSubscription({ channel: 'orders', instType: 'SPOT', instId: 'ETH-USDT' }, 'private', true)).sub;
  const swap = ok(parseSubscription({ channel: 'orders', instType: 'SWAP' }, 'private', true)).sub;
  assert.ok(ordersMatch(any, 'BTC-USDT'));
  assert.ok(ordersMatch(one, 'ETH-USDT'));
  assert.ok(!ordersMatch(one, 'BTC-USDT'));
  assert.ok(!ordersMatch(swap, 'BTC-USDT'));
});

test('malformed args and unknown channels', () => {
  refused(parseSubscription('books', 'public', false), '60013');
  refused(parseSubscription([], 'public', false), '60013');
  refused(parseSubscription({}, 'public', false), '60027', 'channel');
  refused(
    parseSubscription({ channel: 'candle1d', instId: 'BTC-USDT' }, 'business', false),
    '60018',
    'candle1d,instId:BTC-USDT',
  );
  refused(parseSubscription({ channel: 'mark-price-candle1m' }, 'business', false), '60018', 'mark-price-candle1m');
  refused(parseSubscription({ channel: 'books-l2-tbt', instId: 'BTC-USDT' }, 'public', false), '60018');
});

test('candle channels: every OKX bar, 5D included, on any URL; bbo-tbt', () => {
  for (const bar of ['1s', '1m', '3m', '1H', '4H', '6H', '6Hutc', '1D', '1Dutc', '5D', '5Dutc', '1W', '1Mutc', '3M']) {
    for (const endpoint of ['business', 'public'] as const) {
      const r = ok(parseSubscription({ channel: `candle${bar}`, instId: 'ETH-USDT' }, endpoint, false));
      assert.deepEqual(r.sub.arg, { channel: `candle${bar}`, instId: 'ETH-USDT' });
    }
  }
  refused(parseSubscription({ channel: 'candle1m' }, 'business', false), '60027', 'instId');
  const bbo = ok(parseSubscription({ channel: 'bbo-tbt', instId: 'BTC-USDT' }, 'public', false));
  assert.equal(bbo.scope, 'public');
});
