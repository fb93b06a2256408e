import type { FastifyInstance, FastifyReply } from 'fastify';
import { TRADING } from '../../core/ledger.js';
import { accountConfigView, tradingBalanceView } from '../../okx/account-views.js';
import { filterCcy } from '../../okx/ccy-filter.js';
import { ok } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import { type BalanceSnapshot, derivedView } from '../../services/ledger-service.js';
import { keyOf, v5Route } from '../auth.js';
import { ccyParam } from './query.js';

/** Bots poll this endpoint: the serialized answer is kept until the balances change. */
function sendBalance(reply: FastifyReply, snap: BalanceSnapshot, ccy: string | undefined): FastifyReply {
  const body = derivedView(snap, ccy === undefined ? 'balance:' : `balance:${ccy.toUpperCase()}`, () =>
    JSON.stringify(ok([tradingBalanceView(filterCcy(snap.rows, ccy), snap.uTime)])),
  );
  return reply.type('application/json; charset=utf-8').send(body);
}

/** /api/v5/account: the trading account and the key's own configuration. */
export function accountRoutes(app: FastifyInstance, deps: AppDeps): void {
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/account/config',
    access: 'read',
    handler: async (request) => ok([accountConfigView(keyOf(request))]),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/account/balance',
    access: 'read',
    handler: (request, reply) => {
      const key = keyOf(request);
      const ccy = ccyParam(request.query);
      const snap = deps.ledger.snapshot(key.userId, key.env, TRADING, deps.now());
      if (snap instanceof Promise) return snap.then((s) => sendBalance(reply, s, ccy));
      sendBalance(reply, snap, ccy);
      return undefined;
    },
  });
}
