import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { VALUATION_UNITS, valuation } from '../../core/account-limits.js';
import { RuleError } from '../../core/errors.js';
import { addAmounts, FUNDING, multiply, TRADING } from '../../core/ledger.js';
import { CURRENCIES } from '../../core/markets.js';
import { SUB_TRANSFER_TYPES } from '../../core/sub-transfers.js';
import { fundingBalanceView } from '../../okx/account-views.js';
import { depositAddressView, subTransferStateView, transferStateView } from '../../okx/bill-views.js';
import { ccySet, filterCcy } from '../../okx/ccy-filter.js';
import { ok } from '../../okx/envelope.js';
import { currencyViews } from '../../okx/market-views.js';
import type { AppDeps } from '../../services/container.js';
import { keyOf, v5Route } from '../auth.js';
import { bookPrices } from './prices.js';
import { CcyList } from './query.js';

type Raw = Record<string, unknown>;

const units: readonly string[] = VALUATION_UNITS;

const CcyQuery = Type.Object({ ccy: Type.Optional(CcyList) });

/** /api/v5/asset: the funding account and the currencies it can move. */
export function assetRoutes(app: FastifyInstance, deps: AppDeps): void {
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/balances',
    access: 'read',
    schema: { querystring: CcyQuery },
    handler: async (request) => {
      const key = keyOf(request);
      const q = request.query as Static<typeof CcyQuery>;
      const snap = await deps.ledger.snapshot(key.userId, key.env, FUNDING, deps.now());
      return ok(filterCcy(snap.rows, q.ccy).map(fundingBalanceView));
    },
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/currencies',
    access: 'read',
    schema: { querystring: CcyQuery },
    handler: async (request) => {
      const wanted = ccySet((request.query as Static<typeof CcyQuery>).ccy);
      const list = wanted === undefined ? CURRENCIES : CURRENCIES.filter((c) => wanted.has(c.ccy));
      return ok(list.flatMap(currencyViews));
    },
  });

  // ccy: the unit (default BTC); the books' last prices value both accounts.
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/asset-valuation',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/asset/asset-valuation', async (request) => {
      const key = keyOf(request);
      const q = (request.query ?? {}) as Raw;
      const unit = typeof q.ccy === 'string' && q.ccy !== '' ? q.ccy.toUpperCase() : 'BTC';
      if (!units.includes(unit))
        throw new RuleError('51000', `ccy: signet values assets in ${units.join(', ')}`, 'ccy');
      const price = bookPrices(deps, key.env);
      const usdOf = async (account: typeof TRADING | typeof FUNDING) => {
        const snap = await deps.ledger.snapshot(key.userId, key.env, account, deps.now());
        return snap.rows.reduce(
          (sum, r) => addAmounts(sum, multiply(addAmounts(r.avail, r.frozen), price(r.ccy), 18)),
          '0',
        );
      };
      const trading = await usdOf(TRADING);
      const funding = await usdOf(FUNDING);
      const unitUsd = unit === 'USD' ? '1' : price(unit);
      return ok([
        {
          details: {
            classic: '0',
            earn: '0',
            funding: valuation(funding, unit, unitUsd),
            trading: valuation(trading, unit, unitUsd),
          },
          totalBal: valuation(addAmounts(trading, funding), unit, unitUsd),
          ts: String(deps.now()),
        },
      ]);
    }),
  });

  // transId or clientId (transId wins when both are given). `type` 0 within the account, 1–4 with
  // sub-accounts (either party may ask); without `type` (ccxt's fetchTransfer) any of them.
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/transfer-state',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/asset/transfer-state', async (request) => {
      const key = keyOf(request);
      const q = (request.query ?? {}) as Raw;
      const transId = typeof q.transId === 'string' && q.transId !== '' ? q.transId : undefined;
      const clientId = typeof q.clientId === 'string' && q.clientId !== '' ? q.clientId : undefined;
      if (transId === undefined && clientId === undefined)
        throw new RuleError('50014', 'transId: give transId or clientId', 'transId');
      const type = typeof q.type === 'string' && q.type !== '' ? q.type : undefined;
      if (type !== undefined && !/^[0-4]$/.test(type)) throw new RuleError('51000', 'type: 0 to 4', 'type');
      const by = transId !== undefined ? { transId } : clientId !== undefined ? { clientId } : {};
      if (type === undefined || type === '0') {
        const t = await deps.ledger.findTransfer(key.userId, key.env, by);
        if (t !== null || type === '0') return ok(t === null ? [] : [transferStateView(t)]);
      }
      const subType = SUB_TRANSFER_TYPES.find((s) => s === type);
      const sub = await deps.funding.subTransfers.find(key.userId, key.env, by, subType);
      return ok(sub === null ? [] : [subTransferStateView(sub)]);
    }),
  });

  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/asset/deposit-address',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/asset/deposit-address', async (request) => {
      const key = keyOf(request);
      const q = (request.query ?? {}) as Raw;
      const list = await deps.ledger.depositAddresses(key.userId, key.env, q.ccy, deps.now());
      return ok(list.map(depositAddressView));
    }),
  });
}
