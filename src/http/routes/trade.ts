import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RuleError } from '../../core/errors.js';
import { ok } from '../../okx/envelope.js';
import {
  amendment,
  batchEnvelope,
  type ItemResult,
  orderItem as item,
  MAX_BATCH,
  str,
  withMsg,
} from '../../okx/order-results.js';
import { fillView, orderView } from '../../okx/order-views.js';
import type { AppDeps } from '../../services/container.js';
import type { OrderRef } from '../../services/trading-service.js';
import { keyOf, v5Route } from '../auth.js';
import { batchSize, objectBody } from '../body.js';

const InstType = Type.Union(['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].map((t) => Type.Literal(t)));
const Limit = Type.String({ pattern: '^(100|[1-9][0-9]?)$' });
const OrderQuery = Type.Object({
  instId: Type.String({ maxLength: 64 }),
  ordId: Type.Optional(Type.String({ maxLength: 64 })),
  clOrdId: Type.Optional(Type.String({ maxLength: 64 })),
});
const ListQuery = Type.Object({
  instType: Type.Optional(InstType),
  instId: Type.Optional(Type.String({ maxLength: 64 })),
  ordId: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Limit),
});
const HistoryQuery = Type.Object({ ...ListQuery.properties, instType: InstType });

function arrayBody(request: FastifyRequest): Array<Record<string, unknown>> {
  const body = request.body;
  if (body === undefined || body === null) throw new RuleError('50000', 'body: an array of orders is required');
  if (!Array.isArray(body)) throw new RuleError('51000', 'body: must be a JSON array of orders', 'body');
  if (body.length === 0) throw new RuleError('50014', 'body: the array is empty', 'body');
  if (body.length > MAX_BATCH)
    throw new RuleError('51111', `body: at most ${MAX_BATCH} orders per batch, got ${body.length}`, String(MAX_BATCH));
  return body.map((o: unknown) =>
    typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : {},
  );
}

/** /api/v5/trade: placing, cancelling, amending and reading spot orders. */
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
    handler: deps.limits.wrap('/api/v5/trade/order:POST', async (request) =>
      batchEnvelope([await place(request, objectBody(request))]),
    ),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/batch-orders',
    access: 'trade',
    handler: deps.limits.wrap(
      '/api/v5/trade/batch-orders',
      async (request) => {
        const results: ItemResult[] = [];
        for (const o of arrayBody(request)) results.push(await place(request, o));
        return batchEnvelope(results);
      },
      batchSize,
    ),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/cancel-order',
    access: 'trade',
    handler: deps.limits.wrap('/api/v5/trade/cancel-order', async (request) =>
      batchEnvelope([withMsg(await cancel(request, objectBody(request)), '')]),
    ),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/cancel-batch-orders',
    access: 'trade',
    handler: deps.limits.wrap(
      '/api/v5/trade/cancel-batch-orders',
      async (request) => {
        const results: ItemResult[] = [];
        for (const o of arrayBody(request)) results.push(withMsg(await cancel(request, o), ''));
        return batchEnvelope(results);
      },
      batchSize,
    ),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/amend-order',
    access: 'trade',
    handler: deps.limits.wrap('/api/v5/trade/amend-order', async (request) => {
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
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/trade/order',
    access: 'read',
    schema: { querystring: OrderQuery },
    handler: deps.limits.wrap('/api/v5/trade/order:GET', async (request) => {
      const key = keyOf(request);
      const q = request.query as Static<typeof OrderQuery>;
      if ((q.ordId ?? '') === '' && (q.clOrdId ?? '') === '')
        throw new RuleError('50014', 'ordId: give ordId or clOrdId', 'ordId');
      const order = await trading.findOrder(
        key.userId,
        key.env,
        (q.ordId ?? '') !== '' ? { ordId: q.ordId ?? '' } : { clOrdId: q.clOrdId ?? '' },
      );
      if (order === null || order.instId !== q.instId)
        throw new RuleError('51603', `ordId: no such order on ${q.instId}`);
      return ok([orderView(order)]);
    }),
  });

  const listOrders = (
    url: '/api/v5/trade/orders-pending' | '/api/v5/trade/orders-history',
    open: boolean,
    schema: typeof ListQuery | typeof HistoryQuery,
  ) =>
    v5Route(app, deps, {
      method: 'GET',
      url,
      access: 'read',
      schema: { querystring: schema },
      handler: deps.limits.wrap(url, async (request) => {
        const key = keyOf(request);
        const q = request.query as Static<typeof ListQuery>;
        if (q.instType !== undefined && q.instType !== 'SPOT') return ok([]);
        const orders = await trading.listOrders(key.userId, key.env, {
          open,
          instId: q.instId,
          limit: Number(q.limit ?? '100'),
        });
        return ok(orders.map(orderView));
      }),
    });
  listOrders('/api/v5/trade/orders-pending', true, ListQuery);
  listOrders('/api/v5/trade/orders-history', false, HistoryQuery);

  const listFills = (
    url: '/api/v5/trade/fills' | '/api/v5/trade/fills-history',
    schema: typeof ListQuery | typeof HistoryQuery,
  ) =>
    v5Route(app, deps, {
      method: 'GET',
      url,
      access: 'read',
      schema: { querystring: schema },
      handler: deps.limits.wrap(url, async (request) => {
        const key = keyOf(request);
        const q = request.query as Static<typeof ListQuery>;
        if (q.instType !== undefined && q.instType !== 'SPOT') return ok([]);
        const fills = await trading.listFills(key.userId, key.env, {
          instId: q.instId,
          ordId: q.ordId,
          limit: Number(q.limit ?? '100'),
        });
        return ok(fills.map(fillView));
      }),
    });
  listFills('/api/v5/trade/fills', ListQuery);
  listFills('/api/v5/trade/fills-history', HistoryQuery);
}
