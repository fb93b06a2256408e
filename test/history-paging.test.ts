import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Withdrawal } from '../src/core/funding.js';
import type { Fill } from '../src/core/matching.js';
import type { Order } from '../src/core/orders.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import {
  type Credentials,
  cliJson,
  cliOk,
  PASSPHRASE,
  type RunningServer,
  signedCall,
  startServer,
  tempDir,
} from './helpers.js';
import { ccxtOkx, okxApi } from './real-clients.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

/** Pages an okx-api list to the end with `after` set to the last row's cursor field. */
async function pageAll<T extends object>(
  fetchPage: (after: string | undefined) => Promise<T[]>,
  cursor: keyof T,
): Promise<T[]> {
  const all: T[] = [];
  let afterId: string | undefined;
  for (let calls = 0; calls < 20; calls++) {
    const page = await fetchPage(afterId);
    if (page.length === 0) return all;
    all.push(...page);
    afterId = String(page[page.length - 1]?.[cursor]);
  }
  throw new Error('paging did not end');
}

const unique = (ids: readonly string[]) => new Set(ids).size === ids.length;
const sorted = (ids: Iterable<string>) => [...ids].sort();

/**
 * The history endpoints paged to the end by the real clients over more rows than one page
 * holds, each row reached exactly once; every documented filter and parameter error by raw
 * signed requests. History older than a page is seeded in the store (with distinct timestamps,
 * in the past) before the server starts; recent trades are made through ccxt.
 */
describe('history endpoints: paging, filters and windows with the real clients', () => {
  const data = tempDir();
  let server: RunningServer;
  let alice: CreatedKey;
  let bob: CreatedKey;
  const NOW = Date.now();
  const filledIds: string[] = [];
  const filledFillTrades: string[] = [];
  const canceledRecent: string[] = [];
  const partialOld: string[] = [];
  const oldFillTrades: string[] = [];
  const depositSeeds = 104;
  const withdrawals: Withdrawal[] = [];

  const creds = (k: CreatedKey): Credentials => ({ ...k, passphrase: PASSPHRASE });
  const ccxtFor = (k: CreatedKey) => ccxtOkx(server.url, k);
  const okxApiFor = (k: CreatedKey) => okxApi(server.url, k);
  const get = (path: string) => signedCall(server.url, creds(alice), 'GET', path);

  before(async () => {
    for (const email of ['alice@example.com', 'bob@example.com']) {
      await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
      await cliOk(['deposit', '--user', email, '--ccy', 'USDT', '--amt', '100000'], data);
      await cliOk(['deposit', '--user', email, '--ccy', 'BTC', '--amt', '2'], data);
    }
    const newKey = (email: string, name: string) =>
      cliJson<CreatedKey>(
        ['keys', 'create', '--user', email, '--name', name, '--passphrase', PASSPHRASE, '--perm', 'read,trade'],
        data,
      );
    alice = await newKey('alice@example.com', 'alice');
    bob = await newKey('bob@example.com', 'bob');

    const store = openSqliteStore({ dir: data });
    const u = await store.findUserByEmail('alice@example.com');
    assert.ok(u !== null);
    const order = (cTime: number, over: Partial<Order>): Order => ({
      ordId: String(cTime * 1000 + 7),
      clOrdId: '',
      tag: '',
      userId: u.id,
      env: 'live',
      instId: 'BTC-USDT',
      side: 'buy',
      ordType: 'limit',
      px: '100',
      sz: '1',
      tgtCcy: '',
      accFillSz: '1',
      accFillQuote: '100',
      fee: '-0.001',
      feeCcy: 'BTC',
      frozen: '0',
      state: 'filled',
      cancelSource: '',
      cTime,
      uTime: cTime + 10,
      queuedAt: cTime,
      ...over,
    });
    const fillOf = (o: Order, ts: number): Fill => ({
      tradeId: String(ts * 1000 + 3),
      instId: o.instId,
      ordId: o.ordId,
      clOrdId: '',
      tag: '',
      userId: u.id,
      env: 'live',
      side: o.side,
      px: '100',
      sz: o.accFillSz,
      fee: '-0.001',
      feeCcy: 'BTC',
      execType: 'M',
      ts,
    });
    const orders: Order[] = [];
    const fills: Fill[] = [];
    for (let i = 0; i < 130; i++) {
      const o = order(NOW - 3 * HOUR - i * MIN, {
        side: i % 2 === 0 ? 'buy' : 'sell',
        ordType: i % 3 === 0 ? 'post_only' : 'limit',
      });
      orders.push(o);
      filledIds.push(o.ordId);
      fills.push(fillOf(o, o.uTime));
      filledFillTrades.push(String(o.uTime * 1000 + 3));
    }
    for (let j = 0; j < 2; j++) {
      // Canceled without fills: 30 minutes ago (still listed), 6 hours ago (past OKX's 2 hours).
      const recent = order(NOW - 30 * MIN - j * MIN, {
        state: 'canceled',
        accFillSz: '0',
        accFillQuote: '0',
        fee: '0',
        cancelSource: 'user',
      });
      canceledRecent.push(recent.ordId);
      orders.push(
        recent,
        order(NOW - 6 * HOUR - j * MIN, { state: 'canceled', accFillSz: '0', accFillQuote: '0', fee: '0' }),
      );
      // Partly filled, then canceled, 8 days ago: only in the archive, its fill only in fills-history.
      const old = order(NOW - 8 * DAY - j * MIN, { state: 'canceled', accFillSz: '0.5', accFillQuote: '50' });
      partialOld.push(old.ordId);
      orders.push(old);
      fills.push(fillOf(old, old.cTime + 5));
      oldFillTrades.push(String((old.cTime + 5) * 1000 + 3));
    }
    const ancient = order(NOW - 100 * DAY, {});
    orders.push(ancient);
    fills.push(fillOf(ancient, ancient.uTime));
    // Fills are stored as they happen: oldest first (their bill ids grow with time).
    fills.sort((x, y) => x.ts - y.ts);
    await store.runBookOperation({ env: 'live', instId: 'BTC-USDT', version: 0 }, NOW, async () => ({
      change: { orders, fills, entries: [] },
      result: undefined,
    }));
    for (let i = 0; i < depositSeeds; i++) {
      const entry = {
        userId: u.id,
        env: 'live' as const,
        account: '6' as const,
        ccy: 'USDT',
        availDelta: '1',
        frozenDelta: '0',
        kind: i === 0 ? 'internal_in' : 'deposit',
        ref: i === 0 ? '424242' : '',
      };
      await store.applyEntries([entry], NOW - HOUR - i * 1000);
    }
    for (let i = 0; i < 104; i++) {
      const at = NOW - HOUR - i * 1000;
      const w: Withdrawal = {
        wdId: String(at),
        clientId: `c${i}`,
        userId: u.id,
        env: 'live',
        ccy: i % 2 === 0 ? 'USDT' : 'BTC',
        chain: i % 2 === 0 ? 'USDT-TRC20' : 'BTC-Bitcoin',
        amt: '1',
        fee: '0',
        dest: i % 4 === 0 ? '3' : '4',
        toAddr: 'T1',
        toUserId: null,
        state: i % 3 === 0 ? '-2' : '2',
        txId: i % 3 === 0 ? '' : `0xtx${i}`,
        createdAt: at,
        updatedAt: at,
      };
      withdrawals.push(w);
      await store.insertWithdrawal(w, [], at);
    }
    await store.close();
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0', SIGNET_RATE_LIMITS: '0' });
  });
  after(async () => {
    await server.stop();
  });

  test('an order shows its last fill; fills carry their own billId and feeRate; order answers inTime/outTime', async () => {
    const a = ccxtFor(alice);
    const b = ccxtFor(bob);
    const sell = await a.createOrder('BTC/USDT', 'limit', 'sell', 0.02, 60000);
    const placed = await signedCall(server.url, creds(bob), 'POST', '/api/v5/trade/order', {
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      sz: '0.01',
      px: '60000',
    });
    const raw = placed as unknown as Record<string, string>;
    assert.match(raw.inTime ?? '', /^\d{16}$/);
    assert.match(raw.outTime ?? '', /^\d{16}$/);
    assert.ok(Number(raw.outTime) >= Number(raw.inTime));
    assert.ok(Math.abs(Number(raw.inTime) / 1000 - Number(placed.data[0]?.ts)) < 1000);
    const half = await a.fetchOrder(sell.id ?? '', 'BTC/USDT');
    assert.equal(half.info.fillSz, '0.01');
    await b.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 60000);
    const done = await a.fetchOrder(sell.id ?? '', 'BTC/USDT');
    const trades = await a.fetchMyTrades('BTC/USDT', NOW - MIN);
    assert.equal(trades.length, 2);
    const last = [...trades].sort((x, y) => Number(BigInt(x.id ?? '0') - BigInt(y.id ?? '0')))[1];
    assert.deepEqual(
      [done.status, done.info.fillPx, done.info.fillSz, done.info.tradeId, done.info.fillTime, done.lastTradeTimestamp],
      ['closed', '60000', '0.01', last?.id, String(last?.timestamp), last?.timestamp],
    );
    assert.notEqual(half.info.tradeId, done.info.tradeId);
    for (const t of trades) {
      assert.match(t.info.billId, /^\d+$/);
      assert.notEqual(t.info.billId, t.info.tradeId);
      assert.equal(t.info.feeRate, '-0.0008');
      assert.equal(t.info.subType, '2');
    }
    filledIds.push(sell.id ?? '');
    filledFillTrades.push(...trades.map((t) => t.id ?? ''));
    // An open order: no fill yet.
    const open = await a.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 1000);
    const [pending] = (await get('/api/v5/trade/orders-pending?instId=BTC-USDT')).data;
    assert.deepEqual([pending?.ordId, pending?.fillPx, pending?.fillSz, pending?.tradeId], [open.id, '', '0', '']);
    await a.cancelOrder(open.id ?? '', 'BTC/USDT');
    canceledRecent.push(open.id ?? '');
  });

  test('ccxt: fetchClosedOrders and fetchMyTrades with paginate reach every row once; since, until, limit', async () => {
    const a = ccxtFor(alice);
    // ccxt's okx pages closed orders forward from `since` by default, which a newest-first list
    // (OKX's) cannot serve past one page; backward (by `until`) reaches everything. ccxt asks
    // 1000 a page (closed orders: 100): OKX answers its maximum, 100.
    // ccxt writes its cursor into the params: a fresh object for each call.
    const paging = () => ({ paginate: true, paginationDirection: 'backward' });
    const closed = await a.fetchClosedOrders('BTC/USDT', undefined, undefined, paging());
    const closedIds = closed.map((o) => o.id ?? '');
    assert.ok(unique(closedIds));
    assert.deepEqual(sorted(closedIds), sorted(filledIds));
    assert.ok(closed.every((o) => o.status === 'closed'));
    const canceled = await a.fetchCanceledOrders('BTC/USDT');
    assert.deepEqual(sorted(canceled.map((o) => o.id ?? '')), sorted(canceledRecent));
    // since / until bound cTime; limit the newest n.
    const since = NOW - 3 * HOUR - 9 * MIN;
    const until = NOW - 3 * HOUR - 2 * MIN;
    const window = await a.fetchClosedOrders('BTC/USDT', since, undefined, { until });
    assert.deepEqual(sorted(window.map((o) => o.id ?? '')), sorted(filledIds.slice(2, 10)));
    assert.equal((await a.fetchClosedOrders('BTC/USDT', undefined, 5)).length, 5);

    const mine = await a.fetchMyTrades('BTC/USDT', undefined, undefined, paging());
    const tradeIds = mine.map((t) => t.id ?? '');
    assert.ok(unique(tradeIds));
    assert.deepEqual(sorted(tradeIds), sorted([...filledFillTrades, ...oldFillTrades]));
    const recent = await a.fetchMyTrades('BTC/USDT', NOW - 3 * HOUR - 4 * MIN);
    assert.deepEqual(
      sorted(recent.map((t) => t.id ?? '')),
      sorted([...filledFillTrades.slice(0, 5), ...filledFillTrades.slice(130)]),
    );
  });

  test('ccxt: fetchDeposits / fetchWithdrawals with paginate, since, until; fetchDeposit(id), fetchWithdrawal(id)', async () => {
    const a = ccxtFor(alice);
    const paging = () => ({ paginate: true });
    const deposits = await a.fetchDeposits(undefined, undefined, undefined, paging());
    const depIds = deposits.map((d) => d.id ?? '');
    assert.ok(unique(depIds));
    // The seeded ones and the two made with the CLI.
    assert.equal(depIds.length, depositSeeds + 2);
    const internal = deposits.find((d) => d.info.fromWdId === '424242');
    assert.ok(internal !== undefined);
    const one = await a.fetchDeposit(internal.id ?? '');
    assert.deepEqual([one.id, one.info.fromWdId], [internal.id, '424242']);
    const wds = await a.fetchWithdrawals(undefined, undefined, undefined, paging());
    assert.deepEqual(sorted(wds.map((w) => w.id ?? '')), sorted(withdrawals.map((w) => w.wdId)));
    const w7 = withdrawals[7];
    const fetched = await a.fetchWithdrawal(w7?.wdId ?? '');
    assert.deepEqual([fetched.id, fetched.txid, fetched.status], [w7?.wdId, w7?.txId, 'ok']);
    const since = NOW - HOUR - 5000;
    const sinceList = await a.fetchWithdrawals(undefined, since, undefined, { until: NOW - HOUR - 1000 });
    assert.deepEqual(sorted(sinceList.map((w) => w.id ?? '')), sorted(withdrawals.slice(2, 6).map((w) => w.wdId)));
    assert.equal((await a.fetchWithdrawals('USDT', undefined, 3)).length, 3);
  });

  test('okx-api: getOrderHistory, getOrderHistoryArchive, getFills, getFillsHistory paged with after', async () => {
    const c = okxApiFor(alice);
    const history = await pageAll(
      (afterId) => c.getOrderHistory({ instType: 'SPOT', ...(afterId === undefined ? {} : { after: afterId }) }),
      'ordId',
    );
    const historyIds = history.map((o) => o.ordId);
    assert.ok(unique(historyIds));
    assert.deepEqual(sorted(historyIds), sorted([...filledIds, ...canceledRecent]));
    const archive = await pageAll(
      (afterId) =>
        c.getOrderHistoryArchive({
          instType: 'SPOT',
          limit: '50',
          ...(afterId === undefined ? {} : { after: afterId }),
        }),
      'ordId',
    );
    assert.deepEqual(sorted(archive.map((o) => o.ordId)), sorted([...filledIds, ...partialOld]));
    const fills = await pageAll((afterId) => c.getFills(afterId === undefined ? {} : { after: afterId }), 'billId');
    assert.ok(unique(fills.map((f) => f.billId)));
    assert.deepEqual(sorted(fills.map((f) => f.tradeId)), sorted(filledFillTrades));
    const fillsHistory = await pageAll(
      (afterId) => c.getFillsHistory({ instType: 'SPOT', ...(afterId === undefined ? {} : { after: afterId }) }),
      'billId',
    );
    assert.deepEqual(sorted(fillsHistory.map((f) => f.tradeId)), sorted([...filledFillTrades, ...oldFillTrades]));
    // before: newer than the cursor.
    const newest = fills.slice(0, 3);
    const newer = await c.getFills({ before: newest[2]?.billId ?? '' });
    assert.deepEqual(
      newer.map((f) => f.billId),
      newest.slice(0, 2).map((f) => f.billId),
    );
  });

  test('filters by raw signed requests', async () => {
    const ids = async (path: string, field = 'ordId') => {
      const r = await get(path);
      assert.equal(r.code, '0', `${path}: ${r.msg}`);
      return r.data.map((d) => d[field] ?? '');
    };
    const h = '/api/v5/trade/orders-history?instType=SPOT';
    assert.deepEqual(sorted(await ids(`${h}&state=canceled`)), sorted(canceledRecent));
    assert.equal((await ids(`${h}&state=filled&limit=100`)).length, 100);
    // Above the maximum: the maximum, as OKX (ccxt's paginate asks for 1000).
    assert.equal((await ids(`${h}&state=filled&limit=1000`)).length, 100);
    const postOnly = await ids(`${h}&ordType=post_only&limit=100`);
    assert.deepEqual(sorted(postOnly), sorted(filledIds.slice(0, 130).filter((_, i) => i % 3 === 0)));
    assert.equal((await ids(`${h}&ordType=post_only,limit&limit=100`)).length, 100);
    assert.deepEqual(await ids(`${h}&ordType=fok`), []);
    assert.deepEqual(await ids(`${h}&instId=ETH-USDT`), []);
    assert.deepEqual(await ids(`${h}&category=twap`), []);
    assert.deepEqual(await ids('/api/v5/trade/orders-history?instType=SWAP'), []);
    const begin = NOW - 3 * HOUR - 2 * MIN;
    assert.deepEqual(await ids(`${h}&begin=${begin}&end=${NOW - 3 * HOUR}`), filledIds.slice(0, 3));
    assert.deepEqual(await ids(`${h}&after=${filledIds[0]}&before=${filledIds[3]}`), filledIds.slice(1, 3));
    assert.deepEqual(await ids('/api/v5/trade/orders-pending?state=partially_filled'), []);
    const f = '/api/v5/trade/fills';
    const buys = await ids(`${f}?subType=1&limit=100`, 'side');
    assert.ok(buys.length > 0 && buys.every((s) => s === 'buy'));
    assert.deepEqual(await ids(`${f}?subType=3`), []);
    assert.deepEqual(await ids(`${f}?ordId=${filledIds[5]}`, 'tradeId'), [filledFillTrades[5]]);
    assert.deepEqual(await ids(`${f}?instType=OPTION`), []);
    const d = '/api/v5/asset/deposit-history';
    assert.deepEqual(await ids(`${d}?type=3`, 'fromWdId'), ['424242']);
    assert.deepEqual(await ids(`${d}?fromWdId=424242`, 'fromWdId'), ['424242']);
    assert.deepEqual(await ids(`${d}?state=0`, 'depId'), []);
    assert.equal((await ids(`${d}?state=2&ccy=USDT`, 'depId')).length, 100);
    assert.deepEqual(await ids(`${d}?txId=0xnothing`, 'depId'), []);
    assert.deepEqual(await ids(`${d}?ccy=BTC`, 'amt'), ['2']);
    const w = '/api/v5/asset/withdrawal-history';
    const expect = (pred: (x: Withdrawal) => boolean) => withdrawals.filter(pred).map((x) => x.wdId);
    assert.deepEqual(
      await ids(`${w}?state=-2`, 'wdId'),
      expect((x) => x.state === '-2'),
    );
    assert.deepEqual(
      await ids(`${w}?type=3&ccy=usdt`, 'wdId'),
      expect((x) => x.dest === '3' && x.ccy === 'USDT'),
    );
    assert.deepEqual(
      await ids(`${w}?clientId=c5`, 'wdId'),
      expect((x) => x.clientId === 'c5'),
    );
    assert.deepEqual(
      await ids(`${w}?txId=0xtx7`, 'wdId'),
      expect((x) => x.txId === '0xtx7'),
    );
    assert.deepEqual(await ids(`${w}?state=19`, 'wdId'), []);
    const [w3, w9] = [withdrawals[3]?.createdAt, withdrawals[9]?.createdAt];
    assert.deepEqual(
      await ids(`${w}?after=${w3}&before=${w9}`, 'wdId'),
      withdrawals.slice(4, 9).map((x) => x.wdId),
    );
  });

  test("parameter errors: OKX's codes, never code 0", async () => {
    const cases: Array<[string, string]> = [
      ['/api/v5/trade/orders-history', '50014'],
      ['/api/v5/trade/orders-history-archive?state=filled', '50014'],
      ['/api/v5/trade/fills-history', '50014'],
      ['/api/v5/trade/orders-history?instType=SPOT&state=bogus', '51000'],
      ['/api/v5/trade/orders-history?instType=SPOT&state=live', '51000'],
      ['/api/v5/trade/orders-history?instType=BOGUS', '51000'],
      ['/api/v5/trade/orders-history?instType=SPOT&ordType=limit,bogus', '51000'],
      ['/api/v5/trade/orders-history?instType=SPOT&category=bogus', '51000'],
      ['/api/v5/trade/orders-history?instType=SPOT&limit=0', '51000'],
      ['/api/v5/trade/orders-history?instType=SPOT&limit=ten', '51000'],
      ['/api/v5/trade/orders-history?instType=SPOT&limit=-5', '51000'],
      ['/api/v5/trade/orders-history?instType=SPOT&limit=1.5', '51000'],
      ['/api/v5/trade/orders-history?instType=SPOT&after=abc', '51000'],
      ['/api/v5/trade/orders-history?instType=SPOT&begin=yesterday', '51000'],
      ['/api/v5/trade/orders-pending?state=filled', '51000'],
      ['/api/v5/trade/fills?subType=9', '51000'],
      ['/api/v5/trade/fills?before=-1', '51000'],
      ['/api/v5/trade/order?ordId=1', '50014'],
      ['/api/v5/asset/deposit-history?state=bogus', '51000'],
      ['/api/v5/asset/deposit-history?type=5', '51000'],
      ['/api/v5/asset/deposit-history?after=later', '51000'],
      ['/api/v5/asset/withdrawal-history?state=3', '51000'],
      ['/api/v5/asset/withdrawal-history?ccy=US-DT', '51000'],
    ];
    for (const [path, code] of cases) {
      const r = await get(path);
      assert.equal(r.code, code, `${path} answered ${r.code} ${r.msg}`);
      assert.deepEqual(r.data, []);
    }
  });
});
