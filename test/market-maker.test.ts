import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ccxt from 'ccxt';
import { cliJson, cliOk, PASSPHRASE, type RunningServer, startServer, tempDir } from './helpers.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

describe('the built-in market maker and public market data (default configuration)', () => {
  const data = tempDir();
  let server: RunningServer;
  let ex: InstanceType<typeof ccxt.okx>;

  before(async () => {
    await cliOk(['user', 'create', '--email', 'lone@example.com', '--password', 'a long enough password'], data);
    await cliOk(['deposit', '--user', 'lone@example.com', '--ccy', 'USDT', '--amt', '10000'], data);
    const key = await cliJson<CreatedKey>(
      [
        'keys',
        'create',
        '--user',
        'lone@example.com',
        '--name',
        'lone',
        '--passphrase',
        PASSPHRASE,
        '--perm',
        'read,trade',
      ],
      data,
    );
    server = await startServer(data, { SIGNET_MM_INTERVAL_MS: '300' });
    ex = new ccxt.okx({
      apiKey: key.apiKey,
      secret: key.secretKey,
      password: PASSPHRASE,
      urls: { api: { rest: server.url }, test: { rest: server.url } },
    });
    await ex.loadMarkets();
  });
  after(async () => {
    await server.stop();
  });

  test('a lone user market order fills against the market maker', async () => {
    const order = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.05, 60000);
    const done = await ex.fetchOrder(order.id ?? '', 'BTC/USDT');
    assert.equal(done.status, 'closed');
    assert.ok((done.filled ?? 0) > 0.04, `filled ${done.filled}`);
    const balance = await ex.fetchBalance();
    assert.ok((balance['BTC']?.total ?? 0) > 0.04);
  });

  test('ticker, order book, trades and candles from the books', async () => {
    // The ladder's 10 levels a side; while a requote replaces them, the new ones are in before the
    // old ones go, so a reader may see more for a moment but never fewer.
    const book = await ex.fetchOrderBook('BTC/USDT', 40);
    assert.ok(book.bids.length >= 10, `${book.bids.length} bids`);
    assert.ok(book.asks.length >= 10, `${book.asks.length} asks`);
    const [bestBid] = book.bids[0] ?? [];
    const [bestAsk] = book.asks[0] ?? [];
    assert.ok(bestBid !== undefined && bestAsk !== undefined && bestBid < bestAsk);
    const ticker = await ex.fetchTicker('BTC/USDT');
    assert.ok((ticker.last ?? 0) > 50000 && (ticker.last ?? 0) < 70000, `last ${ticker.last}`);
    assert.ok(ticker.bid !== undefined && ticker.ask !== undefined);
    const tickers = await ex.fetchTickers(['BTC/USDT', 'ETH/USDT']);
    assert.ok(tickers['ETH/USDT']?.bid !== undefined);
    const trades = await ex.fetchTrades('BTC/USDT');
    assert.ok(trades.length >= 1);
    assert.equal(trades[0]?.side, 'buy');
    const candles = await ex.fetchOHLCV('BTC/USDT', '1m');
    assert.ok(candles.length >= 1);
    assert.ok((candles.at(-1)?.[5] ?? 0) > 0);
  });

  test('the reference price moves: the quotes change over time', async () => {
    const first = await ex.fetchOrderBook('ETH/USDT', 1);
    let moved = false;
    for (let i = 0; i < 40 && !moved; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await ex.fetchOrderBook('ETH/USDT', 1);
      moved = now.bids[0]?.[0] !== first.bids[0]?.[0];
    }
    assert.ok(moved);
  });
});

describe('SIGNET_MARKET_MAKER=0', () => {
  test('no market maker: the books stay empty and the ticker has no price', async () => {
    const server = await startServer(tempDir(), { SIGNET_MARKET_MAKER: '0' });
    try {
      const books = (await (await fetch(`${server.url}/api/v5/market/books?instId=BTC-USDT&sz=5`)).json()) as {
        code: string;
        data: Array<{ asks: unknown[]; bids: unknown[] }>;
      };
      assert.equal(books.code, '0');
      assert.deepEqual([books.data[0]?.asks, books.data[0]?.bids], [[], []]);
      const ticker = (await (await fetch(`${server.url}/api/v5/market/ticker?instId=BTC-USDT`)).json()) as {
        data: Array<{ last: string; bidPx: string }>;
      };
      assert.deepEqual([ticker.data[0]?.last, ticker.data[0]?.bidPx], ['', '']);
      const unknown = (await (await fetch(`${server.url}/api/v5/market/ticker?instId=DOGE-USDT`)).json()) as {
        code: string;
      };
      assert.equal(unknown.code, '51001');
    } finally {
      await server.stop();
    }
  });
});
