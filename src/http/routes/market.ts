import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BARS, candles } from '../../core/candles.js';
import { RuleError } from '../../core/errors.js';
import type { KeyEnv } from '../../core/key-rules.js';
import { SPOT_INSTRUMENTS } from '../../core/markets.js';
import { ok } from '../../okx/envelope.js';
import { bookLevelView, tradeView } from '../../okx/market-views.js';
import type { AppDeps } from '../../services/container.js';
import { INSTRUMENTS } from '../../services/trading-service.js';
import { isDemo, v5Route } from '../auth.js';

const InstQuery = Type.Object({ instId: Type.String({ maxLength: 64 }) });
const TickersQuery = Type.Object({ instType: Type.String({ maxLength: 16 }) });
const BooksQuery = Type.Object({
  instId: Type.String({ maxLength: 64 }),
  sz: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2})$' })),
});
const TradesQuery = Type.Object({
  instId: Type.String({ maxLength: 64 }),
  limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2})$' })),
});
const CandlesQuery = Type.Object({
  instId: Type.String({ maxLength: 64 }),
  bar: Type.Optional(Type.String({ maxLength: 8 })),
  limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2})$' })),
  after: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$' })),
  before: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$' })),
});

const envOf = (request: FastifyRequest): KeyEnv => (isDemo(request) ? 'demo' : 'live');

function listed(instId: string): string {
  if (!INSTRUMENTS.has(instId))
    throw new RuleError('51001', `instId: "${instId}" is not a listed spot instrument`, 'instId');
  return instId;
}

/** Public market data from the books (demo books with x-simulated-trading: 1). */
export function marketRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { market, trading } = deps;

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/market/ticker',
    access: 'public',
    schema: { querystring: InstQuery },
    handler: deps.limits.wrap('/api/v5/market/ticker', async (request) =>
      ok([market.ticker(envOf(request), listed((request.query as Static<typeof InstQuery>).instId), deps.now())]),
    ),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/market/tickers',
    access: 'public',
    schema: { querystring: TickersQuery },
    handler: deps.limits.wrap('/api/v5/market/tickers', async (request) => {
      if ((request.query as Static<typeof TickersQuery>).instType !== 'SPOT') return ok([]);
      return ok(SPOT_INSTRUMENTS.map((i) => market.ticker(envOf(request), i.instId, deps.now())));
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/market/books',
    access: 'public',
    schema: { querystring: BooksQuery },
    handler: deps.limits.wrap('/api/v5/market/books', async (request) => {
      const q = request.query as Static<typeof BooksQuery>;
      const depth = Math.min(Number(q.sz ?? '1'), 400);
      const book = trading.book(envOf(request), listed(q.instId));
      const asks = book.levels('sell', depth).map(bookLevelView);
      return ok([{ asks, bids: book.levels('buy', depth).map(bookLevelView), ts: String(deps.now()) }]);
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/market/trades',
    access: 'public',
    schema: { querystring: TradesQuery },
    handler: deps.limits.wrap('/api/v5/market/trades', async (request) => {
      const q = request.query as Static<typeof TradesQuery>;
      const trades = market.recentTrades(envOf(request), listed(q.instId), Math.min(Number(q.limit ?? '100'), 500));
      return ok(trades.map((t) => tradeView(q.instId, t)));
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/market/candles',
    access: 'public',
    schema: { querystring: CandlesQuery },
    handler: deps.limits.wrap('/api/v5/market/candles', async (request) => {
      const q = request.query as Static<typeof CandlesQuery>;
      const bar = q.bar ?? '1m';
      const barMs = BARS.get(bar);
      if (barMs === undefined) throw new RuleError('51000', `bar: use one of ${[...BARS.keys()].join(', ')}`, 'bar');
      // after: rows older than this ts; before: rows newer than this ts (OKX's paging).
      const after = q.after === undefined ? Infinity : Number(q.after);
      const before = q.before === undefined ? -Infinity : Number(q.before);
      const rows = candles(market.allTrades(envOf(request), listed(q.instId)), barMs, 10_000, deps.now()).filter(
        (c) => Number(c[0]) < after && Number(c[0]) > before,
      );
      return ok(rows.slice(0, Math.min(Number(q.limit ?? '100'), 300)));
    }),
  });
}
