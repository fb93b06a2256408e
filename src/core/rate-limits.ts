/**
 * OKX's documented REST rate limits for the endpoints of the paper exchange: `points` requests
 * (or orders, for batch endpoints) per `windowS` seconds, counted per API key (`key`), per
 * account (`user`: OKX's rule "User ID", every key of the account together; a sub-account is an
 * account of its own) or per client IP for public market data (`ip`). Beyond it: 50011.
 */
export interface RateLimit {
  points: number;
  windowS: number;
  by: 'key' | 'user' | 'ip';
}

const perKey = (points: number, windowS: number): RateLimit => ({ points, windowS, by: 'key' });
const perUser = (points: number, windowS: number): RateLimit => ({ points, windowS, by: 'user' });
const perIp = (points: number, windowS: number): RateLimit => ({ points, windowS, by: 'ip' });

export const RATE_LIMITS = {
  '/api/v5/trade/order:POST': perKey(60, 2),
  '/api/v5/trade/batch-orders': perKey(300, 2),
  '/api/v5/trade/cancel-order': perKey(60, 2),
  '/api/v5/trade/cancel-batch-orders': perKey(300, 2),
  '/api/v5/trade/amend-order': perKey(60, 2),
  '/api/v5/trade/amend-batch-orders': perKey(300, 2),
  // OKX: 1 request per second per user ID and tag; signet counts per API key.
  '/api/v5/trade/cancel-all-after': perKey(1, 1),
  '/api/v5/trade/order:GET': perKey(60, 2),
  '/api/v5/trade/orders-pending': perKey(60, 2),
  '/api/v5/trade/orders-history': perKey(40, 2),
  '/api/v5/trade/orders-history-archive': perKey(20, 2),
  '/api/v5/trade/fills': perKey(60, 2),
  '/api/v5/trade/fills-history': perKey(10, 2),
  // Algo orders: OKX documents 20 requests per 2 seconds for each.
  '/api/v5/trade/order-algo:POST': perKey(20, 2),
  '/api/v5/trade/cancel-algos': perKey(20, 2),
  '/api/v5/trade/amend-algos': perKey(20, 2),
  '/api/v5/trade/order-algo:GET': perKey(20, 2),
  '/api/v5/trade/orders-algo-pending': perKey(20, 2),
  '/api/v5/trade/orders-algo-history': perKey(20, 2),
  '/api/v5/asset/transfer': perKey(2, 1),
  '/api/v5/asset/withdrawal': perKey(6, 1),
  '/api/v5/asset/cancel-withdrawal': perKey(6, 1),
  '/api/v5/asset/withdrawal-history': perKey(6, 1),
  '/api/v5/asset/deposit-history': perKey(6, 1),
  // Ledger, fee and account-limit reads (OKX: rule "User ID"; signet counts per API key). The
  // figures are OKX's documented ones and agree with ccxt's costs for them in okx.js (its
  // rateLimit is 100 ms per point: cost 2 = 5/s, cost 4 = 5 per 2 s, cost 10 = 1/s, 5/3 = 6/s).
  '/api/v5/account/bills': perKey(5, 1),
  '/api/v5/account/bills-archive': perKey(5, 2),
  '/api/v5/asset/bills': perKey(6, 1),
  '/api/v5/asset/bills-history': perKey(1, 1),
  '/api/v5/account/trade-fee': perKey(5, 2),
  '/api/v5/account/max-size': perKey(20, 2),
  '/api/v5/account/max-avail-size': perKey(20, 2),
  '/api/v5/account/max-withdrawal': perKey(20, 2),
  '/api/v5/asset/asset-valuation': perKey(1, 1),
  '/api/v5/asset/transfer-state': perKey(10, 1),
  '/api/v5/asset/deposit-address': perKey(6, 1),
  // Sub-accounts (OKX: rule "User ID", the master's).
  '/api/v5/users/subaccount/create-subaccount': perUser(1, 1),
  '/api/v5/users/subaccount/list': perUser(20, 2),
  '/api/v5/users/subaccount/set-transfer-out': perUser(1, 1),
  // A master's management of its sub-accounts' keys (OKX: rule "User ID"; the ND-broker aliases
  // of these paths count against the same allowances).
  '/api/v5/users/subaccount/apikey:POST': perUser(1, 1),
  '/api/v5/users/subaccount/apikey:GET': perUser(20, 2),
  '/api/v5/users/subaccount/modify-apikey': perUser(1, 1),
  '/api/v5/users/subaccount/delete-apikey': perUser(1, 1),
  // A master's views of its sub-accounts (OKX: rule "User ID"; signet counts per API key).
  '/api/v5/account/subaccount/balances': perKey(6, 2),
  '/api/v5/asset/subaccount/balances': perKey(6, 2),
  '/api/v5/account/subaccount/max-withdrawal': perKey(20, 2),
  '/api/v5/asset/subaccount/bills': perKey(6, 1),
  '/api/v5/market/ticker': perIp(20, 2),
  '/api/v5/market/tickers': perIp(20, 2),
  '/api/v5/market/books': perIp(40, 2),
  '/api/v5/market/trades': perIp(100, 2),
  '/api/v5/market/candles': perIp(40, 2),
  '/api/v5/market/history-candles': perIp(20, 2),
  '/api/v5/market/history-trades': perIp(20, 2),
  '/api/v5/system/status': perIp(1, 5),
} as const satisfies Record<string, RateLimit>;

export type RateLimitedEndpoint = keyof typeof RATE_LIMITS;
