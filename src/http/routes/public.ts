import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SPOT_INSTRUMENTS } from '../../core/markets.js';
import { ok } from '../../okx/envelope.js';
import { instrumentView } from '../../okx/market-views.js';
import type { AppDeps } from '../../services/container.js';
import { v5Route } from '../auth.js';

const InstrumentsQuery = Type.Object({
  instType: Type.Union(['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].map((t) => Type.Literal(t))),
  instId: Type.Optional(Type.String({ maxLength: 64 })),
  uly: Type.Optional(Type.String({ maxLength: 64 })),
  instFamily: Type.Optional(Type.String({ maxLength: 64 })),
});

const StatusQuery = Type.Object({
  state: Type.Optional(
    Type.Union(['scheduled', 'ongoing', 'pre_open', 'completed', 'canceled'].map((t) => Type.Literal(t))),
  ),
});

/** Public market data: no key needed. */
export function publicRoutes(app: FastifyInstance, deps: AppDeps): void {
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/public/time',
    access: 'public',
    handler: async () => ok([{ ts: String(deps.now()) }]),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/system/status',
    access: 'public',
    schema: { querystring: StatusQuery },
    // OKX lists its maintenance events (scheduled, ongoing and pre_open ones by default, or those
    // of `state`); signet has none, so the list is always empty: ccxt's fetchStatus reads "ok".
    handler: deps.limits.wrap('/api/v5/system/status', async () => ok([])),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/public/instruments',
    access: 'public',
    schema: { querystring: InstrumentsQuery },
    handler: async (request) => {
      const q = request.query as Static<typeof InstrumentsQuery>;
      // Only spot is listed; other instrument types answer an empty list, as OKX does for none.
      if (q.instType !== 'SPOT') return ok([]);
      const list = q.instId === undefined ? SPOT_INSTRUMENTS : SPOT_INSTRUMENTS.filter((i) => i.instId === q.instId);
      return ok(list.map(instrumentView));
    },
  });
}
