import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ccxt, { type OHLCV } from 'ccxt';
import { type DefaultLogger, RestClient, WebsocketClient } from 'okx-api';
import { TRADING } from '../src/core/ledger.js';
import { cliJson, cliOk, PASSPHRASE, type RunningServer, sleep, startServer, tempDir, testApp } from './helpers.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}
interface Trade {
  ts: number;
  px: number;
  sz: number;
}
type Envelope = { code: string; msg: string; data: unknown[] };

const DAY = 86_400_000;
const LIMIT = { timeout: 120_000 };
/** ccxt's okx timeframes and their length, ms (months and quarters checked by the calendar). */
const TIMEFRAMES: Record<string, number> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '12h': 43_200_000,
  '1d': DAY,
  '1w': 7 * DAY,
  '1M': 0,
  '3M': 0,
};

/** Where the UTC bar after the one opening at `ts` opens. */
function nextStart(tf: string, ts: number): number {
  if (tf === '1M' || tf === '3M') {
    const d = new Date(ts);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + (tf === '1M' ? 1 : 3), 1);
  }
  return ts + (TIMEFRAMES[tf] ?? 0);
}

/**
 * Checks candles (ascending) against the trades they were made from: consecutive bars, each
 * with the open/high/low/close/volume of its trades, or flat at the previous close without any.
 */
/** `now`: the times just before the request was sent and just after its answer came, or null. */
function verify(
  tf: string,
  candles: OHLCV[],
  trades: readonly Trade[],
  now: { sent: number; answered: number } | null,
): void {
  assert.ok(candles.length > 0, `${tf}: candles`);
  for (let i = 0; i < candles.length; i++) {
    const [ts = 0, o, h, l, c, v] = candles[i] ?? [];
    const end = nextStart(tf, ts);
    if (i + 1 < candles.length)
      assert.equal(candles[i + 1]?.[0], end, `${tf}: bar after ${new Date(ts).toISOString()}`);
    const inside = trades.filter((t) => t.ts >= ts && t.ts < end);
    const label = `${tf} ${new Date(ts).toISOString()}`;
    if (inside.length === 0) {
      const prev = trades.filter((t) => t.ts < ts).at(-1);
      assert.ok(prev !== undefined, `${label}: no bar before the first trade`);
      assert.deepEqual([o, h, l, c, v], [prev.px, prev.px, prev.px, prev.px, 0], `${label}: flat`);
      continue;
    }
    const vol = inside.reduce((s, t) => s + t.sz, 0);
    assert.deepEqual(
      [o, h, l, c],
      [inside[0]?.px, Math.max(...inside.map((t) => t.px)), Math.min(...inside.map((t) => t.px)), inside.at(-1)?.px],
      label,
    );
    assert.ok(Math.abs((v ?? 0) - vol) < 1e-9, `${label}: volume ${v} = ${vol}`);
  }
  const last = candles.at(-1)?.[0] ?? 0;
  // The bar current at some moment while the request was served (a bar may open in between).
  if (now !== null)
    assert.ok(last <= now.answered && now.sent < nextStart(tf, last), `${tf}: the newest bar is the current one`);
}

describe('market history through ccxt and okx-api: candles of every timeframe from the stored trades', () => {
  const data = tempDir();
  const trades: Trade[] = [];
  let server: RunningServer | undefined;
  let ex: InstanceType<typeof ccxt.okx>;
  let rest: RestClient;
  let first = 0;

  const get = async (path: string): Promise<Envelope> => {
    const res = await fetch(`${server?.url}${path}`);
    return (await res.json()) as Envelope;
  };

  before(
    async () => {
      // Trades over 400 days, made by the real matching engine with the clock set back, by a
      // runtime that then closes: the server below knows them only from the store.
      const now = Date.now();
      let clock = now - 400 * DAY;
      first = clock;
      const seeding = await testApp({ SIGNET_DATA: data, SIGNET_MARKET_MAKER: '0' }, () => clock);
      try {
        const { users, ledger, trading } = seeding.rt;
        const seller = await users.create('seller@example.com', 'a long enough password', clock);
        const buyer = await users.create('buyer@example.com', 'a long enough password', clock);
        await ledger.deposit(seller.id, 'live', TRADING, 'BTC', '100', clock);
        await ledger.deposit(buyer.id, 'live', TRADING, 'USDT', '10000000', clock);
        const times: number[] = [];
        for (let i = 0; i < 190; i++) times.push(first + i * 2 * DAY + ((i * 7_919_113) % DAY));
        for (let j = 0; j < 70; j++) times.push(now - 3 * 3_600_000 + j * 150_000 + ((j * 7919) % 60_000));
        for (const [i, ts] of times.entries()) {
          clock = ts;
          const px = String(60_000 + ((i * 37) % 23) * 10 - (i % 5) * 3.5);
          const sz = `0.0${(i % 9) + 1}`;
          const order = { instId: 'BTC-USDT', tdMode: 'cash', ordType: 'limit', px, sz };
          await trading.place(seller.id, 'live', { ...order, side: 'sell' }, ts);
          await trading.place(buyer.id, 'live', { ...order, side: 'buy' }, ts);
          trades.push({ ts, px: Number(px), sz: Number(sz) });
        }
      } finally {
        await seeding.close();
      }
      await cliOk(['user', 'create', '--email', 'bot@example.com', '--password', 'a long enough password'], data);
      const key = await cliJson<CreatedKey>(
        ['keys', 'create', '--user', 'bot@example.com', '--name', 'bot', '--passphrase', PASSPHRASE, '--perm', 'read'],
        data,
      );
      // ccxt throttles itself to OKX's limits; signet's own limits are not under test here.
      server = await startServer(data, { SIGNET_RATE_LIMITS: '0', SIGNET_MARKET_MAKER: '0' });
      const urls = { rest: server.url };
      ex = new ccxt.okx({ apiKey: key.apiKey, secret: key.secretKey, password: PASSPHRASE, urls: { api: urls } });
      await ex.loadMarkets();
      rest = new RestClient({ apiKey: key.apiKey, apiSecret: key.secretKey, apiPass: PASSPHRASE, baseUrl: server.url });
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await server?.stop();
  });

  test('fetchOHLCV, every ccxt timeframe, since far back, paginate: true', LIMIT, async () => {
    for (const tf of Object.keys(TIMEFRAMES)) {
      // Far enough back that the bar of the first trade (a quarter at most) opens after `since`.
      const sent = Date.now();
      const candles = await ex.fetchOHLCV('BTC/USDT', tf, first - 100 * DAY, undefined, { paginate: true });
      verify(tf, candles, trades, { sent, answered: Date.now() });
      if (tf === '1d' || tf === '1w' || tf === '1M' || tf === '3M') {
        // Long bars: the whole history in the window.
        const total = candles.reduce((s, c) => s + (c[5] ?? 0), 0);
        const expected = trades.reduce((s, t) => s + t.sz, 0);
        assert.ok(Math.abs(total - expected) < 1e-9, `${tf}: every trade counted (${total} = ${expected})`);
        assert.ok((candles[0]?.[0] ?? 0) <= first, `${tf}: from the first trade's bar`);
      }
    }
  });

  test('fetchOHLCV without paginate: since more than 1,440 bars back goes to history-candles', LIMIT, async () => {
    const since = first + 100 * DAY;
    const candles = await ex.fetchOHLCV('BTC/USDT', '1h', since, 100);
    assert.equal(candles.length, 100);
    assert.equal(candles[0]?.[0], since - (since % 3_600_000) + 3_600_000);
    verify('1h', candles, trades, null);
    // /market/candles serves the latest 1,440 bars only; history-candles everything.
    const after = String(since + 100 * 3_600_000);
    assert.deepEqual((await get(`/api/v5/market/candles?instId=BTC-USDT&bar=1H&after=${after}`)).data, []);
    const hist = await get(`/api/v5/market/history-candles?instId=BTC-USDT&bar=1H&after=${after}&limit=5`);
    assert.equal(hist.data.length, 5);
    // utc variants exist for 6H and longer only.
    assert.equal((await get('/api/v5/market/history-candles?instId=BTC-USDT&bar=1Hutc')).code, '51000');
  });

  test('bars: Hong Kong and UTC days, 1s on history-candles only, limits and errors as OKX', LIMIT, async () => {
    const hk = (await get('/api/v5/market/history-candles?instId=BTC-USDT&bar=1D&limit=300')).data as string[][];
    const utc = (await get('/api/v5/market/history-candles?instId=BTC-USDT&bar=1Dutc&limit=300')).data as string[][];
    assert.equal(hk.length, 300);
    assert.ok(
      hk.every((c) => Number(c[0]) % DAY === 16 * 3_600_000),
      'HK midnight is 16:00 UTC',
    );
    assert.ok(utc.every((c) => Number(c[0]) % DAY === 0));
    assert.deepEqual(
      hk.map((c) => c[8]),
      ['0', ...hk.slice(1).map(() => '1')],
      'only the current bar is unconfirmed',
    );
    const okxApi = await rest.getCandles({ instId: 'BTC-USDT', bar: '1Wutc', limit: '3' });
    assert.equal(okxApi.length, 3);
    assert.ok(
      okxApi.every((c) => new Date(Number(c[0])).getUTCDay() === 1),
      'weeks open on Monday',
    );

    const seconds = await get('/api/v5/market/history-candles?instId=BTC-USDT&bar=1s&limit=1000');
    assert.equal(seconds.data.length, 300, 'limit above the maximum: the maximum');
    assert.deepEqual(await get('/api/v5/market/candles?instId=BTC-USDT&bar=1s'), {
      code: '51000',
      msg: 'Parameter bar error',
      data: [],
    });
    for (const bad of ['bar=1h', 'bar=1d', 'bar=5D', 'limit=0', 'limit=abc', 'after=-1']) {
      const r = await get(`/api/v5/market/candles?instId=BTC-USDT&${bad}`);
      assert.equal(r.code, '51000', bad);
    }
    assert.equal((await get('/api/v5/market/candles?bar=1m')).code, '50014');
    assert.equal((await get('/api/v5/market/candles?instId=BTC-USDT')).data.length, 100, 'limit default 100');
    const before = (await get('/api/v5/market/candles?instId=BTC-USDT&limit=2')).data as string[][];
    const beforeOnly = (await get(`/api/v5/market/candles?instId=BTC-USDT&before=${before[1]?.[0]}`)).data;
    assert.deepEqual(
      (beforeOnly as string[][]).map((c) => c[0]),
      [before[0]?.[0]],
      'before: the bars newer than it',
    );
  });

  test('fetchTrades and history-trades: every stored trade, paged by trade id and by time', LIMIT, async () => {
    // ccxt's `paginate: true` sends the newest trade id of each page as the next `after` (pages
    // overlap, on OKX too); a bot pages with the oldest id, as here.
    const all: Awaited<ReturnType<typeof ex.fetchTrades>> = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const params = { method: 'publicGetMarketHistoryTrades', ...(cursor === undefined ? {} : { after: cursor }) };
      const page = await ex.fetchTrades('BTC/USDT', undefined, 100, params);
      if (page.length === 0) break;
      assert.ok(page.length <= 100);
      all.unshift(...page);
      cursor = page[0]?.id;
    }
    assert.equal(all.length, trades.length, 'every trade, through history-trades pages of 100');
    assert.deepEqual(
      all.map((t) => [t.timestamp, t.price, t.amount, t.side]),
      trades.map((t) => [t.ts, t.px, t.sz, 'buy']),
    );
    const recent = await ex.fetchTrades('BTC/USDT', undefined, 1000);
    assert.equal(recent.length, trades.length, 'market/trades: up to 500');
    assert.equal((await get('/api/v5/market/trades?instId=BTC-USDT&limit=120')).data.length, 120);
    const page = await rest.getHistoricTrades({ instId: 'BTC-USDT', type: '2', after: String(first + 10 * DAY) });
    assert.deepEqual(
      page.map((t) => Number(t.ts)),
      trades
        .filter((t) => t.ts < first + 10 * DAY)
        .map((t) => t.ts)
        .reverse(),
    );
    const newest = await rest.getHistoricTrades({ instId: 'BTC-USDT', limit: '3' });
    const newer = await rest.getHistoricTrades({ instId: 'BTC-USDT', before: newest[2]?.tradeId ?? '' });
    assert.deepEqual(
      newer.map((t) => t.tradeId),
      newest.slice(0, 2).map((t) => t.tradeId),
    );
    assert.equal((await get('/api/v5/market/history-trades?instId=BTC-USDT&type=3')).code, '51000');
  });

  test('fetchStatus and fetchTime: OKX with no maintenance events', LIMIT, async () => {
    const status = await ex.fetchStatus();
    assert.equal(status.status, 'ok');
    assert.deepEqual(await get('/api/v5/system/status'), { code: '0', msg: '', data: [] });
    const time = await ex.fetchTime();
    assert.ok(Math.abs((time ?? 0) - Date.now()) < 5000);
  });
});

/** Polls `probe` until it returns a value, or fails after `ms`. */
async function until<T>(label: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${label}`);
    await sleep(20);
  }
}

const silentLogger: DefaultLogger = { trace: () => undefined, info: () => undefined, error: () => undefined };

describe('candle and bbo-tbt channels through ccxt pro and okx-api', () => {
  const data = tempDir();
  let server: RunningServer | undefined;
  let seller: RestClient;
  let buyer: RestClient;
  let pro: InstanceType<typeof ccxt.pro.okx>;
  let wsBase = '';
  const clients: WebsocketClient[] = [];

  before(
    async () => {
      const key = async (email: string, ccy: string, amt: string) => {
        await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
        await cliOk(['deposit', '--user', email, '--ccy', ccy, '--amt', amt], data);
        const k = await cliJson<CreatedKey>(
          ['keys', 'create', '--user', email, '--name', 'k', '--passphrase', PASSPHRASE, '--perm', 'read,trade'],
          data,
        );
        return k;
      };
      const [s, b] = await Promise.all([key('s@example.com', 'BTC', '10'), key('b@example.com', 'USDT', '100000')]);
      server = await startServer(data, { SIGNET_MARKET_MAKER: '0' });
      wsBase = server.url.replace('http://', 'ws://');
      const rest = (k: CreatedKey) =>
        new RestClient({ apiKey: k.apiKey, apiSecret: k.secretKey, apiPass: PASSPHRASE, baseUrl: server?.url });
      seller = rest(s);
      buyer = rest(b);
      const urls = { rest: server.url, ws: `${wsBase}/ws/v5` };
      pro = new ccxt.pro.okx({ urls: { api: urls, test: urls } });
      await pro.loadHttpProxyAgent();
      await pro.loadMarkets();
    },
    { timeout: 60_000 },
  );
  after(async () => {
    for (const c of clients) c.closeAll(true);
    await pro?.close();
    await server?.stop();
  });

  const trade = async (px: string, sz: string) => {
    const order = { instId: 'BTC-USDT', tdMode: 'cash' as const, ordType: 'limit' as const, px, sz };
    await seller.submitOrder({ ...order, side: 'sell' });
    await buyer.submitOrder({ ...order, side: 'buy' });
  };

  test('watchOHLCV (candle1m on /business) and watchBidsAsks (bbo-tbt)', LIMIT, async () => {
    await seller.submitOrder({
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'sell',
      ordType: 'limit',
      px: '61000',
      sz: '0.5',
    });
    const bidask = await pro.watchBidsAsks(['BTC/USDT']);
    assert.equal(bidask['BTC/USDT']?.ask, 61000, 'the first push: the best ask now');
    const bbo = pro.watchBidsAsks(['BTC/USDT']);
    await seller.submitOrder({
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'sell',
      ordType: 'limit',
      px: '60500',
      sz: '0.25',
    });
    const next = await bbo;
    assert.deepEqual([next['BTC/USDT']?.ask, next['BTC/USDT']?.askVolume], [60500, 0.25], 'tick by tick');

    const watching = pro.watchOHLCV('BTC/USDT', '1m');
    await trade('60000', '0.01');
    let candles = await watching;
    assert.ok((candles.at(-1)?.[5] ?? 0) > 0, 'a push with the trade');
    await trade('60100', '0.02');
    const deadline = Date.now() + 10_000;
    while ((candles.at(-1)?.[5] ?? 0) < 0.03 - 1e-12 && Date.now() < deadline)
      candles = await pro.watchOHLCV('BTC/USDT', '1m');
    const [ts, o, h, l, c, v] = candles.at(-1) ?? [];
    assert.equal((ts ?? 1) % 60_000, 0);
    assert.deepEqual([o, h, l, c], [60000, 60100, 60000, 60100]);
    assert.ok(Math.abs((v ?? 0) - 0.03) < 1e-12, `volume ${v}`);

    const day = await pro.watchOHLCV('BTC/USDT', '1d');
    assert.equal((day.at(-1)?.[0] ?? 0) % DAY, 16 * 3_600_000, 'candle1D opens at Hong Kong midnight');
    assert.ok(Math.abs((day.at(-1)?.[5] ?? 0) - 0.03) < 1e-12);
  });

  test('okx-api WebsocketClient: candle1Dutc and bbo-tbt, and 60018 for a bar OKX does not have', LIMIT, async () => {
    const pushes: Array<{ arg: { channel: string }; data: unknown[] }> = [];
    const errors: Array<{ code?: string }> = [];
    const client = new WebsocketClient({ wsUrl: `${wsBase}/ws/v5/business` }, silentLogger);
    clients.push(client);
    client.on('update', (e: unknown) => {
      const p = e as { arg?: { channel: string }; data?: unknown[] };
      if (p.arg !== undefined && Array.isArray(p.data)) pushes.push({ arg: p.arg, data: p.data });
    });
    client.on('exception', (e: unknown) => {
      errors.push(e as { code?: string });
    });
    for (const p of client.subscribe([
      { channel: 'candle1Dutc', instId: 'BTC-USDT' },
      { channel: 'bbo-tbt', instId: 'BTC-USDT' },
    ]))
      p.catch(() => undefined);
    const day = await until('candle1Dutc', () => pushes.find((p) => p.arg.channel === 'candle1Dutc'));
    const row = day.data[0] as string[];
    assert.equal(Number(row[0]) % DAY, 0, 'UTC midnight');
    assert.equal(row.length, 9);
    await trade('60200', '0.05');
    await until('the candle with the new trade', () =>
      pushes.find((p) => p.arg.channel === 'candle1Dutc' && (p.data[0] as string[])[4] === '60200'),
    );
    assert.ok(pushes.some((p) => p.arg.channel === 'bbo-tbt'));
    for (const p of client.subscribe({ channel: 'candle7m', instId: 'BTC-USDT' } as never)) p.catch(() => undefined);
    const refused = await until('60018', () => errors.find((e) => e.code === '60018'));
    assert.equal(refused.code, '60018');
  });
});
