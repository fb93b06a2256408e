import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import Big from 'big.js';
import { TRADING } from '../core/ledger.js';
import { SPOT_INSTRUMENTS } from '../core/markets.js';
import { LedgerService } from './ledger-service.js';
import { MARKET_MAKER_EMAIL, MarketMaker } from './market-maker.js';
import { addUser, memoryStore, T0 } from './test-store.test-helpers.js';
import { TradingService } from './trading-service.js';
import { UserService } from './user-service.js';

const store = memoryStore();
after(() => store.close());
const LEVELS = 3;

test('the market maker quotes both sides of every book around its price; a market order fills', async () => {
  const users = new UserService(store);
  const ledger = new LedgerService(store);
  const trading = new TradingService(store, ledger, { maker: '0.0008', taker: '0.001' });
  const options = { seed: 7, levels: LEVELS, spread: '0.0005', levelValueUsd: '1000' };
  const maker = new MarketMaker(store, users, ledger, trading, options);
  await trading.start();
  await maker.start(T0);
  const account = await users.byEmail(MARKET_MAKER_EMAIL);
  assert.equal(account.passwordHash, null);

  for (const env of ['live', 'demo'] as const) {
    for (const inst of SPOT_INSTRUMENTS) {
      const book = trading.book(env, inst.instId);
      const price = maker.price(inst.instId);
      assert.ok(price !== undefined);
      const bids = book.levels('buy', 10);
      const asks = book.levels('sell', 10);
      assert.equal(bids.length, LEVELS, `${env} ${inst.instId} bids`);
      assert.equal(asks.length, LEVELS, `${env} ${inst.instId} asks`);
      const around = new Big(bids[0]?.[0] ?? '0').lt(price) && new Big(asks[0]?.[0] ?? '0').gt(price);
      assert.ok(around, `${inst.instId} around ${price}`);
      assert.ok([...book.side('buy'), ...book.side('sell')].every((o) => o.userId === account.id));
    }
  }
  const resting = (await trading.listOrders(account.id, 'live', { open: true, limit: 100 })).length;
  assert.equal(resting, SPOT_INSTRUMENTS.length * 2 * LEVELS, 'stored as orders');

  const btcBefore = maker.price('BTC-USDT');
  await maker.refresh(T0 + 1000);
  assert.notEqual(maker.price('BTC-USDT'), btcBefore, 'the price walks');
  assert.equal(trading.book('live', 'BTC-USDT').levels('sell', 10).length, LEVELS, 'requoted, not added to');

  const user = await addUser(store, 'market-buyer@example.com');
  await ledger.deposit(user.id, 'live', TRADING, 'USDT', '1000', T0);
  const bestAsk = trading.book('live', 'BTC-USDT').best('sell');
  const buy = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '100' };
  const order = await trading.place(user.id, 'live', buy, T0 + 2000);
  assert.equal(order.state, 'filled');
  assert.ok(new Big(order.accFillSz).gt(0));
  const [fill] = await trading.listFills(user.id, 'live', { limit: 1 });
  assert.equal(fill?.px, bestAsk?.px, 'at the best ask');
});
