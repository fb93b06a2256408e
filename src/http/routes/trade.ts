import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  amendment,
  batchEnvelope,
  type ItemResult,
  orderItem as item,
  str,
  timed,
  withMsg,
} from '../../okx/order-results.js';
import type { AppDeps } from '../../services/container.js';
import type { OrderRef } from '../../services/trading-service.js';
import { keyOf, v5Route } from '../auth.js';
import { batchBody, batchSize, objectBody } from '../body.js';

/** /api/v5/trade: placing, cancelling and amending spot orders (reading them: trade-history.ts). */
export function tradeRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { trading } = deps;
  const place = (request: FastifyRequest, o: Record<string, unknown>) => {
    const key = keyOf(request);
    const now = deps.now();
    return item(
      { clOrdId: str(o.clOrdId), tag: str(o.tag) },
      () => deps.algos.placeOrder(key.userId, key.env, o, now),
      now,
    );
  };
  const cancel = (request: FastifyRequest, o: Record<string, unknown>) => {
    const key = keyOf(request);
    const now = deps.now();
    return item({ clOrdId: str(o.clOrdId) }, () => trading.cancel(key.userId, key.env, o as OrderRef, now), now);
  };

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/order',
    access: 'trade',
    handler: deps.limits.wrap(
      '/api/v5/trade/order:POST',
      timed(deps.now, async (request) => batchEnvelope([await place(request, objectBody(request))])),
    ),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/batch-orders',
    access: 'trade',
    handler: deps.limits.wrap(
      '/api/v5/trade/batch-orders',
      timed(deps.now, async (request) => {
        const results: ItemResult[] = [];
        for (const o of batchBody(request)) results.push(await place(request, o));
        return batchEnvelope(results);
      }),
      batchSize,
    ),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/cancel-order',
    access: 'trade',
    handler: deps.limits.wrap(
      '/api/v5/trade/cancel-order',
      timed(deps.now, async (request) => batchEnvelope([withMsg(await cancel(request, objectBody(request)), '')])),
    ),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/cancel-batch-orders',
    access: 'trade',
    handler: deps.limits.wrap(
      '/api/v5/trade/cancel-batch-orders',
      timed(deps.now, async (request) => {
        const results: ItemResult[] = [];
        for (const o of batchBody(request)) results.push(withMsg(await cancel(request, o), ''));
        return batchEnvelope(results);
      }),
      batchSize,
    ),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/amend-order',
    access: 'trade',
    handler: deps.limits.wrap(
      '/api/v5/trade/amend-order',
      timed(deps.now, async (request) => {
        const key = keyOf(request);
        const o = objectBody(request);
        const now = deps.now();
        const change = amendment(o);
        const r = await item(
          { clOrdId: str(o.clOrdId) },
          () => trading.amend(key.userId, key.env, o as OrderRef, change, now),
          now,
        );
        return batchEnvelope([{ ok: r.ok, data: { ...r.data, reqId: str(o.reqId), ...(r.ok ? { sMsg: '' } : {}) } }]);
      }),
    ),
  });
}
