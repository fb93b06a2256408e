import type { FastifyInstance } from 'fastify';
import { RuleError } from '../../core/errors.js';
import type { Withdrawal } from '../../core/funding.js';
import { ok } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import { keyOf, v5Route } from '../auth.js';
import { objectBody } from '../body.js';
import { limitParam, msParam, oneOf, param, type Query } from './history-params.js';

/**
 * OKX's withdrawal states (withdrawal-history documents them all as `state` filter values);
 * signet's withdrawals are 0 (waiting), 2 (success) or -2 (canceled).
 */
const WITHDRAWAL_STATES = [
  '19',
  '17',
  '10',
  '0',
  '4',
  '5',
  '6',
  '8',
  '9',
  '12',
  '7',
  '1',
  '15',
  '16',
  '-3',
  '-2',
  '-1',
  '2',
];
/** OKX's deposit states (deposit-history's `state` filter). */
const DEPOSIT_STATES = ['0', '1', '2', '8', '11', '12', '13', '14', '17'];
/** `type`: 3 internal transfer, 4 on-chain, on both histories. */
const TRANSFER_TYPES = ['3', '4'] as const;

/**
 * The filters and cursors both histories share, as OKX documents them: newest first, `after`
 * and `before` are ts cursors (Unix ms; older / newer than, exclusive), `limit` 1 to 100
 * (default 100), `ccy` one currency.
 */
function historyQuery(q: Query) {
  const ccy = param(q, 'ccy');
  if (ccy !== undefined && !/^[A-Za-z0-9]{1,20}$/.test(ccy)) throw new RuleError('51000', 'ccy: one currency', 'ccy');
  return {
    ccy: ccy?.toUpperCase(),
    txId: param(q, 'txId'),
    type: oneOf(q, 'type', TRANSFER_TYPES),
    after: msParam(q, 'after'),
    before: msParam(q, 'before'),
    limit: limitParam(q),
  };
}

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
    note: '',
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
    handler: deps.limits.wrap('/api/v5/asset/withdrawal-history', async (request) => {
      const key = keyOf(request);
      const q = request.query as Query;
      const { type, ...common } = historyQuery(q);
      const state = oneOf(q, 'state', WITHDRAWAL_STATES) as Withdrawal['state'] | undefined;
      const list = await funding.listWithdrawals(key.userId, key.env, {
        ...common,
        dest: type,
        state,
        wdId: param(q, 'wdId'),
        clientId: param(q, 'clientId'),
      });
      return ok(list.map(withdrawalView));
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/deposit-history',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/asset/deposit-history', async (request) => {
      const key = keyOf(request);
      const q = request.query as Query;
      const { type, ...common } = historyQuery(q);
      const list = await funding.listDeposits(key.userId, key.env, {
        ...common,
        kind: type === undefined ? undefined : type === '3' ? 'internal_in' : 'deposit',
        state: oneOf(q, 'state', DEPOSIT_STATES),
        depId: param(q, 'depId'),
        fromWdId: param(q, 'fromWdId'),
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
