import type { FastifyInstance } from 'fastify';
import { parseCancelAfter } from '../../core/cancel-after.js';
import { ok } from '../../okx/envelope.js';
import { amendment, batchEnvelope, type ItemResult, orderItem, str } from '../../okx/order-results.js';
import type { AppDeps } from '../../services/container.js';
import type { OrderRef } from '../../services/trading-service.js';
import { keyOf, v5Route } from '../auth.js';
import { batchBody, batchSize, objectBody } from '../body.js';

/** /api/v5/trade: amending a batch of orders, and the dead man's switch. */
export function tradeControlRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { trading, cancelAfter } = deps;

  // Up to 20 amendments, each answered on its own (ordId, clOrdId, ts, reqId, sCode, sMsg) as
  // amend-order does; top-level code 1 when all failed, 2 when some did.
  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/amend-batch-orders',
    access: 'trade',
    handler: deps.limits.wrap(
      '/api/v5/trade/amend-batch-orders',
      async (request) => {
        const key = keyOf(request);
        const results: ItemResult[] = [];
        for (const o of batchBody(request)) {
          const now = deps.now();
          const r = await orderItem(
            { clOrdId: str(o.clOrdId) },
            () => trading.amend(key.userId, key.env, o as OrderRef, amendment(o), now),
            now,
          );
          results.push({ ok: r.ok, data: { ...r.data, reqId: str(o.reqId), ...(r.ok ? { sMsg: '' } : {}) } });
        }
        return batchEnvelope(results);
      },
      batchSize,
    ),
  });

  // OKX answers triggerTime and ts as Unix ms strings ("0" once disabled); its documentation's
  // example shows 10-digit values, but every other OKX time is in ms, and so are these.
  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/cancel-all-after',
    access: 'trade',
    handler: deps.limits.wrap('/api/v5/trade/cancel-all-after', async (request) => {
      const key = keyOf(request);
      const req = parseCancelAfter(objectBody(request));
      const r = await cancelAfter.set(key.userId, key.env, req, deps.now());
      return ok([{ triggerTime: String(r.triggerTime), tag: r.tag, ts: String(r.ts) }]);
    }),
  });
}
