import { expect, same, type Variant, v } from './variant.js';
import { SYMBOL } from './world.js';

const unique = (ids: ReadonlyArray<string | undefined>): boolean => new Set(ids).size === ids.length;

/** Every id of `wanted` is in `got`. */
function includesAll(got: ReadonlyArray<string | undefined>, wanted: readonly string[], what: string): void {
  const have = new Set(got);
  const missing = wanted.filter((id) => !have.has(id));
  expect(missing.length === 0, `${what}: ${missing.length} of ${wanted.length} missing (${got.length} returned)`);
}

/** Order history, trade history and the ledger, with their filters and paging. */
export const HISTORY_VARIANTS: readonly Variant[] = [
  v('fetchOrder', 'filled market order', async ({ rest, history }) => {
    const first = history.filled[0];
    expect(first !== undefined, 'no history');
    const o = await rest.fetchOrder(first.id, SYMBOL);
    same([o.status, o.filled, o.side, o.type], ['closed', 0.0001, 'buy', 'market'], 'order');
    expect(
      (o.average ?? 0) > 0 && o.lastTradeTimestamp !== undefined,
      `average ${o.average} lastTrade ${o.lastTradeTimestamp}`,
    );
  }),
  v('fetchOpenOrders', 'default: only open ones', async ({ rest }) => {
    const orders = await rest.fetchOpenOrders();
    expect(orders.length > 0 && orders.every((o) => o.status === 'open'), 'not only open orders');
  }),
  v('fetchOpenOrders', 'symbol', async ({ rest }) => {
    const orders = await rest.fetchOpenOrders(SYMBOL);
    expect(orders.length > 0 && orders.every((o) => o.symbol === SYMBOL && o.status === 'open'), 'other symbols');
  }),
  v('fetchOpenOrders', 'limit 5', async ({ rest }) => {
    const orders = await rest.fetchOpenOrders(SYMBOL, undefined, 5);
    same(orders.length, 5, 'orders');
  }),
  v('fetchOpenOrders', 'since', async ({ rest, history }) => {
    const since = history.open[80]?.ts ?? 0;
    const orders = await rest.fetchOpenOrders(SYMBOL, since);
    includesAll(
      orders.map((o) => o.id),
      history.open.slice(80).map((o) => o.id),
      'orders since',
    );
    expect(
      orders.every((o) => (o.timestamp ?? 0) >= since),
      'orders before since',
    );
  }),
  // OKX's orders-pending has no time filter, and ccxt pages it backward by `until`: on OKX too,
  // paginate reads the newest 100 open orders and no further (ccxt drops the repeats).
  v('fetchOpenOrders', 'paginate (>100 open)', async ({ rest, history }) => {
    const orders = await rest.fetchOpenOrders(SYMBOL, undefined, undefined, { paginate: true, paginationCalls: 4 });
    expect(unique(orders.map((o) => o.id)), 'repeated orders');
    expect(orders.length >= 100, `${orders.length} orders`);
    expect(
      orders.every((o) => o.status === 'open'),
      'not only open orders',
    );
    includesAll(
      orders.map((o) => o.id),
      history.open.slice(-90).map((o) => o.id),
      'the newest open orders',
    );
  }),
  v('fetchClosedOrders', 'default: only filled ones', async ({ rest }) => {
    const orders = await rest.fetchClosedOrders();
    expect(orders.length > 0, 'none');
    expect(
      orders.every((o) => o.status === 'closed'),
      `statuses ${[...new Set(orders.map((o) => o.status))]}`,
    );
  }),
  v('fetchClosedOrders', 'symbol, limit 5', async ({ rest }) => {
    const orders = await rest.fetchClosedOrders(SYMBOL, undefined, 5);
    same(orders.length, 5, 'orders');
    expect(
      orders.every((o) => o.status === 'closed' && o.symbol === SYMBOL),
      'not closed or other symbol',
    );
  }),
  v('fetchClosedOrders', 'since', async ({ rest, history }) => {
    const since = history.filled[60]?.ts ?? 0;
    const orders = await rest.fetchClosedOrders(SYMBOL, since);
    expect(
      orders.every((o) => o.status === 'closed'),
      `statuses ${[...new Set(orders.map((o) => o.status))]}`,
    );
    expect(
      orders.every((o) => (o.timestamp ?? 0) >= since),
      'orders before since',
    );
    includesAll(
      orders.map((o) => o.id),
      history.filled.slice(60).map((o) => o.id),
      'orders since',
    );
  }),
  v('fetchClosedOrders', 'until (older than the newest 100)', async ({ rest, history }) => {
    const until = history.filled[20]?.ts ?? 0;
    const orders = await rest.fetchClosedOrders(SYMBOL, undefined, undefined, { until });
    same(
      orders.map((o) => o.id),
      history.filled.slice(0, 21).map((o) => o.id),
      'orders until',
    );
  }),
  // ccxt pages closed orders forward from `since` (begin); OKX answers the newest 100 at or after
  // `begin`, so the walk ends after one full page there too: every row is closed, none repeated, none older.
  v('fetchClosedOrders', 'paginate from since', async ({ rest, history }) => {
    const since = history.filled[0]?.ts ?? 0;
    const orders = await rest.fetchClosedOrders(SYMBOL, since, undefined, { paginate: true, paginationCalls: 4 });
    expect(unique(orders.map((o) => o.id)), 'repeated orders');
    expect(orders.length >= 100, `${orders.length} orders`);
    expect(
      orders.every((o) => o.status === 'closed' && (o.timestamp ?? 0) >= since),
      `statuses ${[...new Set(orders.map((o) => o.status))]} or orders before since`,
    );
  }),
  v('fetchClosedOrders', 'trigger', async ({ rest }) => {
    const orders = await rest.fetchClosedOrders(SYMBOL, undefined, undefined, { trigger: true });
    expect(Array.isArray(orders), 'not a list');
    expect(
      orders.every((o) => o.status === 'closed'),
      'not only triggered algo orders',
    );
  }),
  v('fetchCanceledOrders', 'default: only canceled ones', async ({ rest }) => {
    const orders = await rest.fetchCanceledOrders();
    expect(orders.length > 0, 'none');
    expect(
      orders.every((o) => o.status === 'canceled'),
      `statuses ${[...new Set(orders.map((o) => o.status))]}`,
    );
  }),
  // The newest 5 canceled ETH/USDT orders: the setup's, and the one cancelOrdersForSymbols
  // canceled after them (the newest, so among the 5; ccxt lists them oldest first).
  v('fetchCanceledOrders', 'symbol, limit 5', async ({ rest, history, notes }) => {
    const orders = await rest.fetchCanceledOrders('ETH/USDT', undefined, 5);
    same(orders.length, 5, 'orders');
    const later = notes.get('canceled-eth');
    const known = new Set([...history.canceled, ...(typeof later === 'string' ? [later] : [])]);
    expect(
      orders.every((o) => o.status === 'canceled' && o.symbol === 'ETH/USDT' && known.has(o.id ?? '')),
      `not the canceled ETH/USDT orders: ${orders.map((o) => `${o.id} ${o.symbol} ${o.status}`).join(', ')}`,
    );
    if (typeof later === 'string') same(orders[orders.length - 1]?.id, later, 'the newest canceled ETH/USDT order');
  }),
  v('fetchCanceledOrders', 'trigger (canceled algo orders)', async ({ rest, notes }) => {
    const id = notes.get('canceled-algo:trigger');
    expect(typeof id === 'string', 'no algo order was canceled earlier');
    const orders = await rest.fetchCanceledOrders(SYMBOL, undefined, undefined, { trigger: true, ordType: 'trigger' });
    expect(
      orders.some((o) => o.id === id),
      'the canceled trigger order is missing',
    );
    expect(
      orders.every((o) => o.status === 'canceled'),
      'not only canceled',
    );
  }),
  v('fetchMyTrades', 'default', async ({ rest }) => {
    const trades = await rest.fetchMyTrades();
    expect(trades.length > 0, 'none');
    expect(
      trades.every((t) => t.order !== undefined && t.fee?.currency !== undefined && (t.amount ?? 0) > 0),
      'trade fields',
    );
  }),
  v('fetchMyTrades', 'symbol, limit 5', async ({ rest }) => {
    const trades = await rest.fetchMyTrades(SYMBOL, undefined, 5);
    same(trades.length, 5, 'trades');
  }),
  v('fetchMyTrades', 'since', async ({ rest, history }) => {
    const since = history.filled[60]?.ts ?? 0;
    const trades = await rest.fetchMyTrades(SYMBOL, since);
    includesAll(
      trades.map((t) => t.order),
      history.filled.slice(60).map((o) => o.id),
      'trades since',
    );
  }),
  v('fetchMyTrades', 'until (older than the newest 100)', async ({ rest, history }) => {
    const until = history.filled[20]?.ts ?? 0;
    const trades = await rest.fetchMyTrades(SYMBOL, undefined, undefined, { until });
    same(
      trades.map((t) => t.order),
      history.filled.slice(0, 21).map((o) => o.id),
      'trades until',
    );
  }),
  v('fetchMyTrades', 'paginate over >100', async ({ rest, history }) => {
    const trades = await rest.fetchMyTrades(SYMBOL, undefined, undefined, { paginate: true, paginationCalls: 4 });
    expect(unique(trades.map((t) => t.id)), 'repeated trades');
    includesAll(
      trades.map((t) => t.order),
      history.filled.map((o) => o.id),
      'trades of the filled orders',
    );
  }),
  v('fetchOrderTrades', 'one order', async ({ rest, history }) => {
    const id = history.filled[3]?.id ?? '';
    const trades = await rest.fetchOrderTrades(id, SYMBOL);
    same(
      trades.map((t) => [t.order, t.amount]),
      [[id, 0.0001]],
      'trades',
    );
  }),
  v('fetchLedger', 'default', async ({ rest }) => {
    const entries = await rest.fetchLedger();
    expect(entries.length > 0, 'none');
    expect(
      entries.every((e) => e.currency !== undefined && e.amount !== undefined && e.timestamp !== undefined),
      'entry fields',
    );
  }),
  v('fetchLedger', 'code, limit 5', async ({ rest }) => {
    const entries = await rest.fetchLedger('BTC', undefined, 5);
    same(entries.length, 5, 'entries');
    expect(
      entries.every((e) => e.currency === 'BTC'),
      'other currencies',
    );
  }),
  v('fetchLedger', 'since', async ({ rest, history }) => {
    const since = history.filled[60]?.ts ?? 0;
    const entries = await rest.fetchLedger('BTC', since);
    expect(entries.length >= 45, `${entries.length} entries`);
    expect(
      entries.every((e) => (e.timestamp ?? 0) >= since),
      'entries before since',
    );
  }),
  v('fetchLedger', 'paginate over >100 (one BTC bill per fill)', async ({ rest, history }) => {
    const entries = await rest.fetchLedger('BTC', undefined, undefined, { paginate: true, paginationCalls: 4 });
    expect(unique(entries.map((e) => e.id)), 'repeated entries');
    expect(
      entries.length >= history.filled.length + 1,
      `${entries.length} BTC entries, expected at least ${history.filled.length + 1}`,
    );
  }),
  v('fetchLedger', 'funding account (asset/bills)', async ({ rest, history }) => {
    const entries = await rest.fetchLedger('USDT', undefined, 100, { method: 'privateGetAssetBills' });
    expect(entries.length === 100 && entries.every((e) => e.currency === 'USDT'), `${entries.length} entries`);
    expect(history.deposits > 0, 'no deposits');
  }),
];
