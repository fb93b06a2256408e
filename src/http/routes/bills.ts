import type { FastifyInstance } from 'fastify';
import { accountBillQuery, assetBillQuery } from '../../core/bills.js';
import { accountBillView, assetBillView } from '../../okx/bill-views.js';
import { ok } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import { keyOf, v5Route } from '../auth.js';

type Raw = Record<string, unknown>;

/**
 * OKX's bill endpoints (newest first, at most 100 a page): the trading account's
 * /account/bills (last 7 days) and /account/bills-archive (last 3 months, read here as 90 days),
 * paged by bill id (after/before) and filtered by ts (begin/end); the funding account's
 * /asset/bills (the past month, 30 days, paged by ts) and /asset/bills-history (all time, paged by
 * ts or, with pagingType=2, by bill id).
 */
export function billRoutes(app: FastifyInstance, deps: AppDeps): void {
  const account = (url: '/api/v5/account/bills' | '/api/v5/account/bills-archive', days: number) =>
    v5Route(app, deps, {
      method: 'GET',
      url,
      access: 'read',
      handler: deps.limits.wrap(url, async (request) => {
        const key = keyOf(request);
        const q = accountBillQuery(key.userId, key.env, (request.query ?? {}) as Raw, deps.now(), days);
        return ok((await deps.ledger.bills(q)).map(accountBillView));
      }),
    });
  account('/api/v5/account/bills', 7);
  account('/api/v5/account/bills-archive', 90);

  const asset = (url: '/api/v5/asset/bills' | '/api/v5/asset/bills-history', days: number | null) =>
    v5Route(app, deps, {
      method: 'GET',
      url,
      access: 'read',
      handler: deps.limits.wrap(url, async (request) => {
        const key = keyOf(request);
        const q = assetBillQuery(key.userId, key.env, (request.query ?? {}) as Raw, deps.now(), days);
        return ok((await deps.ledger.bills(q)).map(assetBillView));
      }),
    });
  asset('/api/v5/asset/bills', 30);
  asset('/api/v5/asset/bills-history', null);
}
