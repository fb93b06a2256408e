import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ALL_BARS, barsBack, CANDLE_BARS, HISTORY_CANDLE_BARS } from '../../core/bars.js';
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
const Digits = Type.String({ pattern: '^[0-9]{1,16}$' });
const TradesQuery = Type.Object({ instId: Type.String({ maxLength: 64 }), limit: Type.Optional(Digits) });
const CandlesQuery = Type.Object({
  instId: Type.String({ maxLength: 64 }),
  bar: Type.Optional(Type.String({ maxLength: 8 })),
  limit: Type.Optional(Digits),
  after: Type.Optional(Digits),
  before: Type.Optional(Digits),
});
const HistoryTradesQuery = Type.Object({
  instId: Type.String({ maxLength: 64 }),
  type: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('2')])),
  after: Type.Optional(Digits),
  before: Type.Optional(Digits),
  limit: Type.Optional(Digits),
});

/**
 * OKX's `limit`: the default when absent, at most `max` (a larger value gets `max`, as OKX
 * answers: ccxt's recorded traffic and freqtrade's tests show limit=301 returning 300 candles);
 * 0 is a parameter error.
 */
function limitOf(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (n < 1) throw new RuleError('51000', 'limit: a positive whole number', 'limit');
  return Math.min(n, max);
}

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
    // OKX: the most recent trades, limit default 100, at most 500.
    handler: deps.limits.wrap('/api/v5/market/trades', async (request) => {
      const q = request.query as Static<typeof TradesQuery>;
      const trades = market.recentTrades(envOf(request), listed(q.instId), limitOf(q.limit, 100, 500));
      return ok(trades.map((t) => tradeView(q.instId, t)));
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/market/history-trades',
    access: 'public',
    schema: { querystring: HistoryTradesQuery },
    // OKX: type 1 (default) pages by tradeId, type 2 by timestamp; after = older than the cursor,
    // before = newer than a tradeId (never a timestamp), the newest first; limit default and max 100.
    handler: deps.limits.wrap('/api/v5/market/history-trades', async (request) => {
      const q = request.query as Static<typeof HistoryTradesQuery>;
      const after = q.after === undefined ? undefined : q.type === '2' ? { ts: Number(q.after) } : { tradeId: q.after };
      const before = q.before === undefined ? undefined : { tradeId: q.before };
      const trades = await market.tradeHistory(envOf(request), listed(q.instId), {
        after,
        before,
        limit: limitOf(q.limit, 100, 100),
      });
      return ok(trades.map((t) => tradeView(q.instId, t)));
    }),
  });

  const candleRoute = (path: 'candles' | 'history-candles', bars: ReadonlySet<string>) =>
    v5Route(app, deps, {
      method: 'GET',
      url: `/api/v5/market/${path}`,
      access: 'public',
      schema: { querystring: CandlesQuery },
      handler: deps.limits.wrap(`/api/v5/market/${path}`, async (request) => {
        const q = request.query as Static<typeof CandlesQuery>;
        const name = q.bar ?? '1m';
        const bar = ALL_BARS.get(name);
        if (bar === undefined || !bars.has(name)) throw new RuleError('51000', `bar: one of ${[...bars]}`, 'bar');
        const instId = listed(q.instId);
        const now = deps.now();
        const rows = market.candleRows(envOf(request), instId, name, {
          after: q.after === undefined ? undefined : Number(q.after),
          before: q.before === undefined ? undefined : Number(q.before),
          // OKX: limit default 100, at most 300 on both endpoints.
          limit: limitOf(q.limit, 100, 300),
          now,
          // OKX: /market/candles serves the latest 1,440 bars; older ones only history-candles.
          notBefore: path === 'candles' ? barsBack(bar, now, 1439) : undefined,
        });
        return ok(rows);
      }),
    });
  candleRoute('candles', CANDLE_BARS);
  candleRoute('history-candles', HISTORY_CANDLE_BARS);
}
