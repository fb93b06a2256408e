import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RuleError } from '../../core/errors.js';
import type { KeyEnv } from '../../core/key-rules.js';
import type { Order } from '../../core/orders.js';
import type { RateLimitedEndpoint } from '../../core/rate-limits.js';
import { childrenByParent } from '../../okx/algo-views.js';
import { ok } from '../../okx/envelope.js';
import { fillView, orderView } from '../../okx/order-views.js';
import type { AppDeps } from '../../services/container.js';
import type { OrderQuery } from '../../store/store.js';
import { keyOf, v5Route } from '../auth.js';
import {
  idParam,
  instTypeParam,
  limitParam,
  msParam,
  oneOf,
  ordTypesParam,
  param,
  type Query,
  required,
} from './history-params.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The order lists, as OKX documents them. Every list is newest first by ordId, `after`/`before`
 * are ordId cursors (older / newer than, exclusive), `limit` 1 to 100 (default 100).
 * - orders-pending: open orders; `instType` optional, `state` live or partially_filled.
 * - orders-history: orders finished in the last 7 days ("including those placed 7 days ago but
 *   completed in the last 7 days"); canceled orders with nothing filled only for 2 hours;
 *   `instType` required; `begin`/`end` bound cTime; `state` filled or canceled (or
 *   mmp_canceled, which signet never has).
 * - orders-history-archive: the same over the last 3 months, without canceled orders that filled
 *   nothing (OKX: "does not contain ... canceled orders without any fills").
 * Nothing is deleted: the windows are the query's. `category` takes OKX's values; signet's
 * orders are all "normal", which no filter value selects.
 */
const ORDER_LISTS = {
  '/api/v5/trade/orders-pending': { open: true, instTypeRequired: false, states: ['live', 'partially_filled'] },
  '/api/v5/trade/orders-history': {
    open: false,
    instTypeRequired: true,
    states: ['canceled', 'filled', 'mmp_canceled'],
  },
  '/api/v5/trade/orders-history-archive': {
    open: false,
    instTypeRequired: true,
    states: ['canceled', 'filled', 'mmp_canceled'],
  },
} as const;

const CATEGORIES = ['twap', 'adl', 'full_liquidation', 'partial_liquidation', 'delivery', 'ddh'] as const;

/** OKX's fill subTypes (transaction types); on spot only 1 (buy) and 2 (sell) occur. */
const SUB_TYPES = `1 2 3 4 5 6 100 101 102 103 104 105 106 107 110 111 118 119 112 113 125 126 127 128 212 213 204 205
  206 207 208 209 236 237 270 271 272 273 274 275 324 325 326 327 328 329 376 377`.split(/\s+/);

function orderQuery(url: keyof typeof ORDER_LISTS, q: Query, now: number): OrderQuery | null {
  const list = ORDER_LISTS[url];
  const instType = instTypeParam(q, list.instTypeRequired);
  const state = oneOf(q, 'state', list.states);
  const ordTypes = ordTypesParam(q);
  const query: OrderQuery = {
    open: list.open,
    instId: param(q, 'instId'),
    ordTypes,
    after: idParam(q, 'after'),
    before: idParam(q, 'before'),
    limit: limitParam(q),
  };
  if (!list.open) {
    const category = oneOf(q, 'category', CATEGORIES);
    if (category !== undefined) return null;
    const archive = url === '/api/v5/trade/orders-history-archive';
    Object.assign(query, {
      state,
      begin: msParam(q, 'begin'),
      end: msParam(q, 'end'),
      finishedSince: now - (archive ? 90 * DAY : 7 * DAY),
      unfilledCanceledSince: archive ? Number.MAX_SAFE_INTEGER : now - 2 * HOUR,
    });
  } else if (state !== undefined) {
    query.state = state as Order['state'];
  }
  if (state === 'mmp_canceled') return null;
  return instType === undefined || instType === 'SPOT' ? query : null;
}

/** GET /api/v5/trade: an order, the order lists and the fills. */
export function tradeHistoryRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { trading, algos } = deps;
  /** A page of orders of one account with their last fills and attached TP/SL: one query each. */
  const withLastFills = async (userId: number, env: KeyEnv, orders: readonly Order[]) => {
    const [last, children] = await Promise.all([
      trading.lastFills(orders.filter((o) => o.accFillSz !== '0').map((o) => o.ordId)),
      algos.attachedToAll(
        userId,
        env,
        orders.map((o) => o.ordId),
      ),
    ]);
    const byParent = childrenByParent(children);
    return orders.map((o) => orderView(o, last.get(o.ordId), byParent.get(o.ordId)));
  };

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/trade/order',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/trade/order:GET', async (request: FastifyRequest) => {
      const key = keyOf(request);
      const q = request.query as Query;
      const instId = required(q, 'instId');
      const ordId = param(q, 'ordId');
      const clOrdId = param(q, 'clOrdId');
      if (ordId === undefined && clOrdId === undefined)
        throw new RuleError('50014', 'ordId: give ordId or clOrdId', 'ordId');
      const order = await trading.findOrder(
        key.userId,
        key.env,
        ordId !== undefined ? { ordId } : { clOrdId: clOrdId ?? '' },
      );
      if (order === null || order.instId !== instId) throw new RuleError('51603', `ordId: no such order on ${instId}`);
      return ok(await withLastFills(key.userId, key.env, [order]));
    }),
  });

  for (const url of Object.keys(ORDER_LISTS) as Array<keyof typeof ORDER_LISTS>) {
    v5Route(app, deps, {
      method: 'GET',
      url,
      access: 'read',
      handler: deps.limits.wrap(url, async (request: FastifyRequest) => {
        const key = keyOf(request);
        const query = orderQuery(url, request.query as Query, deps.now());
        if (query === null) return ok([]);
        return ok(await withLastFills(key.userId, key.env, await trading.listOrders(key.userId, key.env, query)));
      }),
    });
  }

  /**
   * The fills, newest first by billId; `after`/`before` are billId cursors, `begin`/`end` bound
   * ts. /fills covers the last 3 days (`instType` optional), /fills-history the last 3 months
   * (`instType` required).
   */
  const fills = (url: RateLimitedEndpoint & `/api/v5/trade/fills${string}`, instTypeRequired: boolean, days: number) =>
    v5Route(app, deps, {
      method: 'GET',
      url,
      access: 'read',
      handler: deps.limits.wrap(url, async (request: FastifyRequest) => {
        const key = keyOf(request);
        const q = request.query as Query;
        const instType = instTypeParam(q, instTypeRequired);
        const subType = oneOf(q, 'subType', SUB_TYPES);
        const after = idParam(q, 'after');
        const before = idParam(q, 'before');
        const begin = msParam(q, 'begin');
        const query = {
          instId: param(q, 'instId'),
          ordId: param(q, 'ordId'),
          side: subType === '1' ? ('buy' as const) : ('sell' as const),
          after: after === undefined ? undefined : Number(after),
          before: before === undefined ? undefined : Number(before),
          begin: Math.max(begin ?? 0, deps.now() - days * DAY),
          end: msParam(q, 'end'),
          limit: limitParam(q),
        };
        if (
          (instType !== undefined && instType !== 'SPOT') ||
          (subType !== undefined && subType !== '1' && subType !== '2')
        )
          return ok([]);
        const list = await trading.listFills(key.userId, key.env, {
          ...query,
          side: subType === undefined ? undefined : query.side,
        });
        return ok(list.map(fillView));
      }),
    });
  fills('/api/v5/trade/fills', false, 3);
  fills('/api/v5/trade/fills-history', true, 90);
}
