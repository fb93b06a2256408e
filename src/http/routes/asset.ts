import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FUNDING } from '../../core/ledger.js';
import { CURRENCIES } from '../../core/markets.js';
import { fundingBalanceView } from '../../okx/account-views.js';
import { ccySet, filterCcy } from '../../okx/ccy-filter.js';
import { ok } from '../../okx/envelope.js';
import { currencyViews } from '../../okx/market-views.js';
import type { AppDeps } from '../../services/container.js';
import { keyOf, v5Route } from '../auth.js';
import { CcyList } from './query.js';

const CcyQuery = Type.Object({ ccy: Type.Optional(CcyList) });

/** /api/v5/asset: the funding account and the currencies it can move. */
export function assetRoutes(app: FastifyInstance, deps: AppDeps): void {
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/balances',
    access: 'read',
    schema: { querystring: CcyQuery },
    handler: async (request) => {
      const key = keyOf(request);
      const q = request.query as Static<typeof CcyQuery>;
      const snap = await deps.ledger.snapshot(key.userId, key.env, FUNDING, deps.now());
      return ok(filterCcy(snap.rows, q.ccy).map(fundingBalanceView));
    },
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/currencies',
    access: 'read',
    schema: { querystring: CcyQuery },
    handler: async (request) => {
      const wanted = ccySet((request.query as Static<typeof CcyQuery>).ccy);
      const list = wanted === undefined ? CURRENCIES : CURRENCIES.filter((c) => wanted.has(c.ccy));
      return ok(list.flatMap(currencyViews));
    },
  });
}
