import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { TRADING } from '../core/ledger.js';
import { LedgerService } from './ledger-service.js';
import { MarketData } from './market-data.js';
import { addUser, memoryStore, T0 } from './test-store.test-helpers.js';
import { TradingService } from './trading-service.js';

const store = memoryStore();
after(() => store.close());
const FEES = { maker: '0', taker: '0' };
const reference = (instId: string) => (instId === 'ETH-USDT' ? '3000' : undefined);

test('the ticker answers from the book and the trades, the reference price before any trade', async () => {
  const ledger = new LedgerService(store);
  const trading = new TradingService(store, ledger, FEES);
  let clock = T0;
  const market = new MarketData(store, trading, reference, () => clock);
  await trading.start();
  await market.start();
  const maker = await addUser(store, 'maker@example.com');
  const taker = await addUser(store, 'taker@example.com');
  await ledger.deposit(maker.id, 'live', TRADING, 'BTC', '1', T0);
  await ledger.deposit(maker.id, 'live', TRADING, 'USDT', '10000', T0);
  await ledger.deposit(taker.id, 'live', TRADING, 'USDT', '100000', T0);

  assert.equal(market.ticker('live', 'ETH-USDT', T0).last, '3000', 'the reference price');
  const limit = (side: 'buy' | 'sell', px: string, sz: string) => ({
    instId: 'BTC-USDT',
    tdMode: 'cash',
    side,
    ordType: 'limit',
    px,
    sz,
  });
  await trading.place(maker.id, 'live', limit('sell', '60000', '0.5'), T0 + 1);
  await trading.place(maker.id, 'live', limit('buy', '59000', '0.1'), T0 + 1);
  const quoted = market.ticker('live', 'BTC-USDT', T0 + 2);
  assert.deepEqual(
    [quoted.last, quoted.bidPx, quoted.bidSz, quoted.askPx, quoted.askSz, quoted.vol24h],
    ['59500', '59000', '0.1', '60000', '0.5', '0'],
    'no trade yet: the mid price',
  );

  await trading.place(taker.id, 'live', limit('buy', '60000', '0.2'), T0 + 3_600_000);
  await trading.place(taker.id, 'live', limit('buy', '60000', '0.1'), T0 + 7_200_000);
  const traded = market.ticker('live', 'BTC-USDT', T0 + 7_200_000);
  assert.deepEqual(
    [traded.last, traded.lastSz, traded.askSz, traded.vol24h, traded.volCcy24h, traded.open24h, traded.ts],
    ['60000', '0.1', '0.2', '0.3', '18000', '60000', String(T0 + 7_200_000)],
  );
  assert.deepEqual(
    market.recentTrades('live', 'BTC-USDT', 5).map((tr) => [tr.side, tr.sz, tr.ts]),
    [
      ['buy', '0.1', T0 + 7_200_000],
      ['buy', '0.2', T0 + 3_600_000],
    ],
    'newest first, taker sides only',
  );
  assert.deepEqual(market.recentTrades('demo', 'BTC-USDT', 5), [], 'each environment apart');

  const nextDay = market.ticker('live', 'BTC-USDT', T0 + 3_600_000 + 86_400_000);
  assert.deepEqual([nextDay.last, nextDay.vol24h], ['60000', '0.1'], 'only the last 24 hours count');

  clock = T0 + 7_200_000;
  const restarted = new MarketData(store, trading, reference, () => clock);
  assert.equal(await restarted.start(), 2, 'every stored trade read');
  assert.deepEqual(
    restarted.recentTrades('live', 'BTC-USDT', 10).map((tr) => tr.sz),
    ['0.1', '0.2'],
    'trades survive a restart',
  );
  for (const bar of ['1s', '1m', '1H', '1D', '1Dutc', '1W', '3Mutc']) {
    const q = { limit: 300, now: clock };
    assert.deepEqual(
      restarted.candleRows('live', 'BTC-USDT', bar, q),
      market.candleRows('live', 'BTC-USDT', bar, q),
      `${bar} candles survive a restart`,
    );
  }
  assert.deepEqual(
    restarted.candleRows('live', 'BTC-USDT', '1H', { limit: 300, now: clock }).map((c) => [c[0], c[5], c[8]]),
    [
      [String(T0 - (T0 % 3_600_000) + 7_200_000), '0.1', '0'],
      [String(T0 - (T0 % 3_600_000) + 3_600_000), '0.2', '1'],
    ],
  );
});
