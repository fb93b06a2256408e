import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ccxt from 'ccxt';
import { cliJson, cliOk, PASSPHRASE, type RunningServer, startServer, tempDir } from './helpers.js';
import { ccxtOkx, okxApi } from './real-clients.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

/** ccxt types order ids as possibly undefined; a placed order always has one. */
function idOf(order: { id?: string | undefined }): string {
  assert.equal(typeof order.id, 'string');
  return order.id ?? '';
}

/** ccxt okx and okx-api, unchanged, trading on `signet serve` in its own process. */
describe('trading with the real clients against a listening server', () => {
  const data = tempDir();
  let server: RunningServer;
  let maker: CreatedKey;
  let taker: CreatedKey;
  let reader: CreatedKey;

  const ccxtFor = (k: CreatedKey) => ccxtOkx(server.url, k);
  const okxApiFor = (k: CreatedKey) => okxApi(server.url, k);
  const newKey = (email: string, name: string, perm: string) =>
    cliJson<CreatedKey>(
      ['keys', 'create', '--user', email, '--name', name, '--passphrase', PASSPHRASE, '--perm', perm],
      data,
    );

  before(async () => {
    for (const email of ['maker@example.com', 'taker@example.com']) {
      await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
      await cliOk(['deposit', '--user', email, '--ccy', 'USDT', '--amt', '100000'], data);
      await cliOk(['deposit', '--user', email, '--ccy', 'BTC', '--amt', '2'], data);
    }
    maker = await newKey('maker@example.com', 'maker', 'read,trade');
    taker = await newKey('taker@example.com', 'taker', 'read,trade');
    reader = await newKey('taker@example.com', 'reader', 'read');
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0' });
  });
  after(async () => {
    await server.stop();
  });

  test('ccxt: limit order, fetchOrder, fetchOpenOrders, cancelOrder', async () => {
    const ex = ccxtFor(maker);
    await ex.loadMarkets();
    const order = await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.5, 61000);
    assert.match(idOf(order), /^\d+$/);
    const fetched = await ex.fetchOrder(idOf(order), 'BTC/USDT');
    assert.deepEqual(
      [fetched.status, fetched.side, fetched.type, fetched.price, fetched.amount, fetched.filled],
      ['open', 'sell', 'limit', 61000, 0.5, 0],
    );
    assert.equal(fetched.clientOrderId?.length, 32);
    const open = await ex.fetchOpenOrders('BTC/USDT');
    assert.deepEqual(
      open.map((o) => o.id),
      [idOf(order)],
    );
    const balance = await ex.fetchBalance();
    assert.deepEqual([balance['BTC']?.free, balance['BTC']?.used], [1.5, 0.5]);
    await ex.cancelOrder(idOf(order), 'BTC/USDT');
    assert.equal((await ex.fetchOrder(idOf(order), 'BTC/USDT')).status, 'canceled');
    assert.deepEqual(await ex.fetchOpenOrders('BTC/USDT'), []);
  });

  test('ccxt: a market order fills against a resting order; fetchMyTrades on both sides', async () => {
    const makerEx = ccxtFor(maker);
    const takerEx = ccxtFor(taker);
    const ask = await makerEx.createOrder('BTC/USDT', 'limit', 'sell', 0.1, 60000);
    const sell = await makerEx.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 59000);
    // Market buy: ccxt sends the cost (amount × price) as a quote-currency size.
    const buy = await takerEx.createOrder('BTC/USDT', 'market', 'buy', 0.1, 60000);
    const filled = await takerEx.fetchOrder(idOf(buy), 'BTC/USDT');
    assert.deepEqual([filled.status, filled.filled, filled.average], ['closed', 0.1, 60000]);
    const mktSell = await takerEx.createOrder('BTC/USDT', 'market', 'sell', 0.05);
    assert.equal((await takerEx.fetchOrder(idOf(mktSell), 'BTC/USDT')).filled, 0.05);
    const trades = await takerEx.fetchMyTrades('BTC/USDT');
    assert.deepEqual(trades.map((t) => [t.side, t.price, t.amount, t.takerOrMaker]).sort(), [
      ['buy', 60000, 0.1, 'taker'],
      ['sell', 59000, 0.05, 'taker'],
    ]);
    const makerTrades = await makerEx.fetchMyTrades('BTC/USDT');
    assert.ok(makerTrades.every((t) => t.takerOrMaker === 'maker'));
    assert.equal(makerTrades.find((t) => t.order === idOf(ask))?.fee?.currency, 'USDT');
    assert.equal((await makerEx.fetchOrder(idOf(sell), 'BTC/USDT')).filled, 0.05);
    const balance = await takerEx.fetchBalance();
    // Bought 0.1 (fee 0.0001 BTC), sold 0.05.
    assert.equal(balance['BTC']?.total, 2.0499);
  });

  test('okx-api: submitOrder, getOrderDetails, cancelOrder', async () => {
    const client = okxApiFor(maker);
    await cliOk(['deposit', '--user', 'maker@example.com', '--ccy', 'ETH', '--amt', '1'], data);
    const [ack] = await client.submitOrder({
      instId: 'ETH-BTC',
      tdMode: 'cash',
      side: 'sell',
      ordType: 'limit',
      px: '0.05',
      sz: '1',
      clOrdId: 'okxapi1',
    });
    assert.equal(ack?.sCode, '0');
    const [details] = await client.getOrderDetails({ instId: 'ETH-BTC', ordId: ack?.ordId ?? '' });
    assert.equal(details?.clOrdId, 'okxapi1');
    const [canceled] = await client.cancelOrder({ instId: 'ETH-BTC', ordId: ack?.ordId ?? '' });
    assert.equal(canceled?.sCode, '0');
    const [after] = await client.getOrderDetails({ instId: 'ETH-BTC', clOrdId: 'okxapi1' });
    assert.equal(after?.state, 'canceled');
  });

  test('the permission gate seen from ccxt: a read-only key placing an order gets 50120', async () => {
    await assert.rejects(ccxtFor(reader).createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000), (err: unknown) => {
      assert.ok(err instanceof ccxt.ExchangeError, String(err));
      assert.match(String(err), /50120/);
      return true;
    });
  });
});
