import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { TRADING } from '../../core/ledger.js';
import { keyOf, v5Route } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { ok } from '../envelope.js';
import { accountConfigView, tradingBalanceView } from '../okx-views.js';
import { CcyList, ccySet } from './query.js';

const BalanceQuery = Type.Object({ ccy: Type.Optional(CcyList) });

/** /api/v5/account: the trading account and the key's own configuration. */
export function accountRoutes(app: FastifyInstance, deps: AppDeps): void {
  v5Route(app, deps, {
    method: 'GET', url: '/api/v5/account/config', access: 'read',
    handler: async (request) => ok([accountConfigView(keyOf(request))]),
  });

  v5Route(app, deps, {
    method: 'GET', url: '/api/v5/account/balance', access: 'read',
    schema: { querystring: BalanceQuery },
    handler: async (request) => {
      const key = keyOf(request);
      const q = request.query as Static<typeof BalanceQuery>;
      const rows = await deps.ledger.balances(key.userId, key.env, TRADING, ccySet(q.ccy));
      return ok([tradingBalanceView(rows, deps.now())]);
    },
  });
}
