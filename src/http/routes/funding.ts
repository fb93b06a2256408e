import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { RuleError } from '../../core/errors.js';
import type { Withdrawal } from '../../core/funding.js';
import { ok } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import { keyOf, v5Route } from '../auth.js';
import { objectBody } from '../body.js';

const Limit = Type.String({ pattern: '^(100|[1-9][0-9]?)$' });
const HistoryQuery = Type.Object({
  ccy: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{1,20}$' })),
  wdId: Type.Optional(Type.String({ maxLength: 32 })),
  limit: Type.Optional(Limit),
});

/** OKX's withdrawal-history row. */
function withdrawalView(w: Withdrawal) {
  return {
    addrEx: null,
    amt: w.amt,
    areaCodeFrom: '',
    areaCodeTo: '',
    ccy: w.ccy,
    chain: w.chain,
    clientId: w.clientId,
    fee: w.fee,
    feeCcy: w.ccy,
    from: '',
    memo: '',
    nonTradableAsset: false,
    pmtId: '',
    state: w.state,
    tag: '',
    to: w.toAddr,
    toAddrType: '1',
    ts: String(w.createdAt),
    txId: w.txId,
    wdId: w.wdId,
  };
}

/** /api/v5/asset: transfers between accounts, withdrawals and the deposit/withdrawal history. */
export function fundingRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { funding } = deps;

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/asset/transfer',
    access: 'trade',
    handler: deps.limits.wrap('/api/v5/asset/transfer', async (request) => {
      const key = keyOf(request);
      return ok([await funding.transfer(key.userId, key.env, objectBody(request), deps.now())]);
    }),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/asset/withdrawal',
    access: 'withdraw',
    handler: deps.limits.wrap('/api/v5/asset/withdrawal', async (request) => {
      const key = keyOf(request);
      const w = await funding.withdraw(key.userId, key.env, objectBody(request), deps.now());
      return ok([{ amt: w.amt, ccy: w.ccy, chain: w.chain, clientId: w.clientId, wdId: w.wdId }]);
    }),
  });

  v5Route(app, deps, {
    method: 'POST',
    url: '/api/v5/asset/cancel-withdrawal',
    access: 'withdraw',
    handler: deps.limits.wrap('/api/v5/asset/cancel-withdrawal', async (request) => {
      const key = keyOf(request);
      const body = objectBody(request);
      if (typeof body.wdId !== 'string' || body.wdId === '') throw new RuleError('50014', 'wdId: required', 'wdId');
      const w = await funding.cancel(key.userId, key.env, body.wdId, deps.now());
      return ok([{ wdId: w.wdId }]);
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/withdrawal-history',
    access: 'read',
    schema: { querystring: HistoryQuery },
    handler: deps.limits.wrap('/api/v5/asset/withdrawal-history', async (request) => {
      const key = keyOf(request);
      const q = request.query as Static<typeof HistoryQuery>;
      const list = await funding.listWithdrawals(key.userId, key.env, {
        ccy: q.ccy?.toUpperCase(),
        wdId: q.wdId,
        limit: Number(q.limit ?? '100'),
      });
      return ok(list.map(withdrawalView));
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/deposit-history',
    access: 'read',
    schema: { querystring: HistoryQuery },
    handler: deps.limits.wrap('/api/v5/asset/deposit-history', async (request) => {
      const key = keyOf(request);
      const q = request.query as Static<typeof HistoryQuery>;
      const list = await funding.listDeposits(key.userId, key.env, {
        ccy: q.ccy?.toUpperCase(),
        limit: Number(q.limit ?? '100'),
      });
      return ok(
        list.map((d) => ({
          actualDepBlkConfirm: '',
          amt: d.amt,
          areaCodeFrom: '',
          ccy: d.ccy,
          chain: d.chain,
          depId: d.depId,
          from: '',
          fromWdId: d.kind === 'internal_in' ? d.ref : '',
          state: '2',
          to: d.toAddr,
          ts: String(d.at),
          txId: d.txId,
        })),
      );
    }),
  });
}
