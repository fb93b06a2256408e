import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  ALGO_ORD_TYPES,
  type AlgoOrder,
  type AlgoOrdType,
  type AlgoState,
  HISTORY_STATES,
} from '../../core/algo-orders.js';
import { okxMessage, RuleError } from '../../core/errors.js';
import { algoView } from '../../okx/algo-views.js';
import { ok } from '../../okx/envelope.js';
import { batchEnvelope, type ItemResult, str } from '../../okx/order-results.js';
import type { AppDeps } from '../../services/container.js';
import type { AlgoQuery } from '../../store/store.js';
import { keyOf, v5Route } from '../auth.js';
import { objectBody } from '../body.js';

/** OKX: at most 10 algo orders per cancel-algos request. */
const MAX_CANCEL = 10;
const INST_TYPES = new Set(['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION']);

/** One algo operation answered as OKX does per item: ids with sCode "0", or the rule broken as sCode/sMsg. */
async function algoItem(
  ids: Record<string, string>,
  run: () => Promise<AlgoOrder>,
  answer: (a: AlgoOrder) => Record<string, string>,
): Promise<ItemResult> {
  try {
    const a = await run();
    return { ok: true, data: { ...ids, ...answer(a), sCode: '0', sMsg: '' } };
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    return {
      ok: false,
      data: { ...ids, sCode: err.code, sMsg: `${okxMessage(err.code, err.field ?? '')} (${err.message})` },
    };
  }
}

function queryOf(request: FastifyRequest): Record<string, string> {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) if (typeof v === 'string' && v !== '') out[k] = v;
  return out;
}

/**
 * The list filters of orders-algo-pending and -history, with OKX's rules: `ordType` required, one
 * type, or `conditional,oco` together; `after`/`before` are algoIds; `limit` 1 to 100, default 100.
 */
function listQuery(q: Record<string, string>, pending: boolean): AlgoQuery | null {
  const ordType = q.ordType;
  if (ordType === undefined) throw new RuleError('50014', 'ordType: required', 'ordType');
  const types = ordType.split(',');
  for (const t of types)
    if (!ALGO_ORD_TYPES.includes(t as AlgoOrdType))
      throw new RuleError('51000', `ordType: one of ${ALGO_ORD_TYPES.join(', ')}, got "${t}"`, 'ordType');
  if (types.length > 1 && !types.every((t) => t === 'conditional' || t === 'oco'))
    throw new RuleError('51000', 'ordType: only conditional and oco can be asked for together', 'ordType');
  if (q.instType !== undefined && !INST_TYPES.has(q.instType))
    throw new RuleError('51000', `instType: "${q.instType}" is not an instrument type`, 'instType');
  const limit = q.limit ?? '100';
  if (!/^(100|[1-9][0-9]?)$/.test(limit)) throw new RuleError('51000', 'limit: from 1 to 100', 'limit');
  for (const c of ['after', 'before', 'algoId'] as const)
    if (q[c] !== undefined && !/^\d{1,20}$/.test(q[c] ?? '')) throw new RuleError('51000', `${c}: an algoId`, c);
  let state: AlgoState | undefined;
  if (!pending) {
    if (q.state === undefined && q.algoId === undefined)
      throw new RuleError('50014', 'state: give state or algoId', 'state');
    if (q.state !== undefined) {
      if (!HISTORY_STATES.includes(q.state as AlgoState))
        throw new RuleError('51000', `state: one of ${HISTORY_STATES.join(', ')}, got "${q.state}"`, 'state');
      state = q.state as AlgoState;
    }
  }
  if (q.instType !== undefined && q.instType !== 'SPOT') return null;
  return {
    pending,
    ordTypes: types as AlgoOrdType[],
    state,
    algoId: q.algoId,
    instId: q.instId,
    after: q.after,
    before: q.before,
    limit: Number(limit),
  };
}

/** /api/v5/trade algo orders: place, cancel, amend and read TP/SL, OCO, trigger and trailing orders. */
export function tradeAlgoRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { algos } = deps;

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/order-algo',
    access: 'trade',
    handler: deps.limits.wrap('/api/v5/trade/order-algo:POST', async (request) => {
      const key = keyOf(request);
      const o = objectBody(request);
      const ids = { algoClOrdId: str(o.algoClOrdId), clOrdId: str(o.clOrdId), tag: str(o.tag) };
      const r = await algoItem(
        { ...ids, algoId: '' },
        () => algos.place(key.userId, key.env, o, deps.now()),
        (a) => ({ algoId: a.algoId, algoClOrdId: a.algoClOrdId, tag: a.tag }),
      );
      return batchEnvelope([r.ok ? { ok: true, data: { ...r.data, sMsg: 'Order placed' } } : r]);
    }),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/cancel-algos',
    access: 'trade',
    handler: deps.limits.wrap(
      '/api/v5/trade/cancel-algos',
      async (request) => {
        const key = keyOf(request);
        const body = request.body;
        if (body === undefined || body === null) throw new RuleError('50000', 'body: an array is required');
        if (!Array.isArray(body)) throw new RuleError('51000', 'body: must be a JSON array', 'body');
        if (body.length === 0) throw new RuleError('50014', 'body: the array is empty', 'body');
        if (body.length > MAX_CANCEL)
          throw new RuleError('51000', `body: at most ${MAX_CANCEL} algo orders per request`, 'body');
        const results: ItemResult[] = [];
        for (const raw of body as unknown[]) {
          const o = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
          const ref = { algoId: str(o.algoId), algoClOrdId: str(o.algoClOrdId), instId: o.instId };
          results.push(
            await algoItem(
              { algoId: ref.algoId, algoClOrdId: ref.algoClOrdId },
              () => algos.cancel(key.userId, key.env, ref, deps.now()),
              (a) => ({ algoId: a.algoId, algoClOrdId: a.algoClOrdId }),
            ),
          );
        }
        return batchEnvelope(results);
      },
      (request) => (Array.isArray(request.body) ? request.body.length : 1),
    ),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/trade/amend-algos',
    access: 'trade',
    handler: deps.limits.wrap('/api/v5/trade/amend-algos', async (request) => {
      const key = keyOf(request);
      const o = objectBody(request);
      const r = await algoItem(
        { algoId: str(o.algoId), algoClOrdId: str(o.algoClOrdId), reqId: str(o.reqId) },
        () => algos.amend(key.userId, key.env, o, deps.now()),
        (a) => ({ algoId: a.algoId, algoClOrdId: a.algoClOrdId }),
      );
      return batchEnvelope([r]);
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/trade/order-algo',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/trade/order-algo:GET', async (request) => {
      const key = keyOf(request);
      const q = queryOf(request);
      // OKX: algoId or algoClOrdId; algoId wins when both are given.
      if (q.algoId === undefined && q.algoClOrdId === undefined)
        throw new RuleError('50014', 'algoId: give algoId or algoClOrdId', 'algoId');
      const ref = q.algoId !== undefined ? { algoId: q.algoId } : { algoClOrdId: q.algoClOrdId ?? '' };
      const a = await algos.find(key.userId, key.env, ref);
      if (a === null) throw new RuleError('51603', `algoId: no such algo order ${q.algoId ?? q.algoClOrdId}`);
      return ok([algoView(a)]);
    }),
  });

  for (const [url, pending] of [
    ['/api/v5/trade/orders-algo-pending', true],
    ['/api/v5/trade/orders-algo-history', false],
  ] as const) {
    v5Route(app, deps, {
      method: 'GET',
      url,
      access: 'read',
      handler: deps.limits.wrap(url, async (request) => {
        const key = keyOf(request);
        const query = listQuery(queryOf(request), pending);
        if (query === null) return ok([]);
        return ok((await algos.list(key.userId, key.env, query)).map(algoView));
      }),
    });
  }
}
