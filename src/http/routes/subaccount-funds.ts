import type { FastifyInstance, FastifyRequest } from 'fastify';
import { missingSubAccount } from '../../core/conflicts.js';
import { OKX_ERRORS, RuleError } from '../../core/errors.js';
import { FUNDING, TRADING } from '../../core/ledger.js';
import { masterAccessCode } from '../../core/master-access.js';
import { fundingBalanceView, tradingBalanceView } from '../../okx/account-views.js';
import { ccySet, filterCcy } from '../../okx/ccy-filter.js';
import { ok } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import type { ActiveKey } from '../../services/keyring.js';
import type { SubAccountRecord } from '../../store/store.js';
import { keyOf, v5Route } from '../auth.js';
import { limitParam, msParam, oneOf, param, type Query, required } from './history-params.js';
import { bookPrices } from './prices.js';

/** A master account's key (59500 for a sub-account's key); the read views need no IP binding. */
function masterKey(request: FastifyRequest): ActiveKey {
  const key = keyOf(request);
  const code = masterAccessCode(key, { boundToIp: false });
  if (code !== null) throw new RuleError(code, OKX_ERRORS[code].msg);
  return key;
}

/** `ccy`: one currency or up to 20, comma-separated. */
function ccyParam(q: Query): string | undefined {
  const ccy = param(q, 'ccy');
  if (ccy !== undefined && !/^[A-Za-z0-9]{1,20}(,[A-Za-z0-9]{1,20}){0,19}$/.test(ccy))
    throw new RuleError('51000', 'ccy: one currency, or up to 20 separated by commas', 'ccy');
  return ccy;
}

/**
 * The master's views of its sub-accounts' money (OKX: "applies to master accounts only", Read):
 * their trading and funding balances, what they may withdraw, and the transfers between master
 * and sub-accounts.
 */
export function subaccountFundsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const subs = deps.funding.subTransfers;

  /** The master's sub-account named by `subAcct` (required); 59510 when it has none such. */
  async function namedSub(key: ActiveKey, q: Query): Promise<SubAccountRecord> {
    const name = required(q, 'subAcct');
    const sub = await subs.subAccount(key.userId, name);
    if (sub === null) throw missingSubAccount(name);
    return sub;
  }

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/account/subaccount/balances',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/account/subaccount/balances', async (request) => {
      const key = masterKey(request);
      const sub = await namedSub(key, (request.query ?? {}) as Query);
      const snap = await deps.ledger.snapshot(sub.userId, key.env, TRADING, deps.now());
      return ok([tradingBalanceView(snap.rows, snap.uTime, bookPrices(deps, key.env))]);
    }),
  });

  // The sub-account is looked up before the master check: live OKX answered 59510 (not 59500) to a
  // sub-account's key here (fact sheet §1.2); a sub-account has no sub-accounts of its own.
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/subaccount/balances',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/asset/subaccount/balances', async (request) => {
      const q = (request.query ?? {}) as Query;
      const sub = await namedSub(keyOf(request), q);
      const key = masterKey(request);
      const ccy = ccyParam(q);
      const snap = await deps.ledger.snapshot(sub.userId, key.env, FUNDING, deps.now());
      return ok(filterCcy(snap.rows, ccy).map(fundingBalanceView));
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/account/subaccount/max-withdrawal',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/account/subaccount/max-withdrawal', async (request) => {
      const key = masterKey(request);
      const q = (request.query ?? {}) as Query;
      const sub = await namedSub(key, q);
      const wanted = ccySet(ccyParam(q));
      const snap = await deps.ledger.snapshot(sub.userId, key.env, TRADING, deps.now());
      const avail = new Map(snap.rows.map((r) => [r.ccy, r.avail]));
      const ccys = wanted === undefined ? [...avail.keys()] : [...wanted];
      return ok(
        ccys.map((ccy) => {
          const amt = avail.get(ccy) ?? '0';
          return { ccy, maxWd: amt, maxWdEx: amt, spotOffsetMaxWd: '', spotOffsetMaxWdEx: '' };
        }),
      );
    }),
  });

  // `type` 0 master → sub, 1 sub → master; `after`/`before` are ts cursors (exclusive); limit ≤ 100.
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/subaccount/bills',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/asset/subaccount/bills', async (request) => {
      const key = masterKey(request);
      const q = (request.query ?? {}) as Query;
      const ccy = param(q, 'ccy');
      if (ccy !== undefined && !/^[A-Za-z0-9]{1,20}$/.test(ccy))
        throw new RuleError('51000', 'ccy: one currency', 'ccy');
      const type = oneOf(q, 'type', ['0', '1'] as const);
      const subAcct = param(q, 'subAcct');
      const afterTs = msParam(q, 'after');
      const beforeTs = msParam(q, 'before');
      const bills = await subs.bills(key.userId, key.env, {
        limit: limitParam(q),
        ...(ccy !== undefined && { ccy: ccy.toUpperCase() }),
        ...(type !== undefined && { type }),
        ...(subAcct !== undefined && { subAcct }),
        ...(afterTs !== undefined && { afterTs }),
        ...(beforeTs !== undefined && { beforeTs }),
      });
      return ok(bills);
    }),
  });
}
