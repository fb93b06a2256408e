import type { FastifyInstance, FastifyReply } from 'fastify';
import { limitInstruments, maxOrderSize, optionalPrice } from '../../core/account-limits.js';
import { RuleError } from '../../core/errors.js';
import { TRADING } from '../../core/ledger.js';
import { SPOT_INSTRUMENTS } from '../../core/markets.js';
import { accountConfigView, tradingBalanceView, type UsdPrice } from '../../okx/account-views.js';
import { tradeFeeView } from '../../okx/bill-views.js';
import { ccySet, filterCcy } from '../../okx/ccy-filter.js';
import { ok } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import { type BalanceSnapshot, derivedView } from '../../services/ledger-service.js';
import { keyOf, v5Route } from '../auth.js';
import { bookPrices, lastPrice } from './prices.js';
import { ccyParam } from './query.js';

const INSTRUMENTS = new Map(SPOT_INSTRUMENTS.map((i) => [i.instId, i]));
const INST_TYPES = new Set(['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION']);

type Raw = Record<string, unknown>;

/**
 * Bots poll this endpoint: the serialized answer is kept until the balances change, per `ccy`
 * filter and per the prices it was valued at.
 */
function sendBalance(
  reply: FastifyReply,
  snap: BalanceSnapshot,
  ccy: string | undefined,
  price: UsdPrice,
): FastifyReply {
  const rows = filterCcy(snap.rows, ccy);
  const prices = rows.map((r) => price(r.ccy)).join(',');
  const body = derivedView(snap, `balance:${ccy?.toUpperCase() ?? ''}:${prices}`, () =>
    JSON.stringify(ok([tradingBalanceView(rows, snap.uTime, price)])),
  );
  return reply.type('application/json; charset=utf-8').send(body);
}

/** Available amounts of the trading account by currency. */
async function available(deps: AppDeps, userId: number, env: 'live' | 'demo'): Promise<Map<string, string>> {
  const snap = await deps.ledger.snapshot(userId, env, TRADING, deps.now());
  return new Map(snap.rows.map((r) => [r.ccy, r.avail]));
}

/** /api/v5/account: the trading account, its limits and fee rates, and the key's own configuration. */
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
      const price = bookPrices(deps, key.env);
      const snap = deps.ledger.snapshot(key.userId, key.env, TRADING, deps.now());
      if (snap instanceof Promise) return snap.then((s) => sendBalance(reply, s, ccy, price));
      sendBalance(reply, snap, ccy, price);
      return undefined;
    },
  });

  // instType required; instId (spot) must be listed. Every instrument pays the configured rates.
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/account/trade-fee',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/account/trade-fee', async (request) => {
      const q = (request.query ?? {}) as Raw;
      if (typeof q.instType !== 'string' || q.instType === '')
        throw new RuleError('50014', 'instType: required', 'instType');
      if (!INST_TYPES.has(q.instType))
        throw new RuleError('51000', 'instType: SPOT, MARGIN, SWAP, FUTURES or OPTION', 'instType');
      if (typeof q.instId === 'string' && q.instId !== '' && !INSTRUMENTS.has(q.instId))
        throw new RuleError('51001', `instId: ${q.instId} is not a listed spot instrument`, 'instId');
      return ok([{ ...tradeFeeView(deps.config.fees, deps.now()), instType: q.instType }]);
    }),
  });

  // px: the given price (one instrument only, as OKX ignores it for several), else the last trade price.
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/account/max-size',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/account/max-size', async (request) => {
      const key = keyOf(request);
      const q = (request.query ?? {}) as Raw;
      const insts = limitInstruments(q, INSTRUMENTS);
      const given = optionalPrice(q.px, 'px');
      const avail = await available(deps, key.userId, key.env);
      return ok(
        insts.map((i) => {
          const px =
            given !== undefined && insts.length === 1
              ? given
              : lastPrice(deps, key.env, i.instId, i.baseCcy, i.quoteCcy);
          const m = maxOrderSize(i, avail.get(i.baseCcy) ?? '0', avail.get(i.quoteCcy) ?? '0', px);
          return { ccy: i.baseCcy, instId: i.instId, maxBuy: m.maxBuy, maxSell: m.maxSell };
        }),
      );
    }),
  });

  // Spot: availBuy in the quote currency, availSell in the base currency.
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/account/max-avail-size',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/account/max-avail-size', async (request) => {
      const key = keyOf(request);
      const insts = limitInstruments((request.query ?? {}) as Raw, INSTRUMENTS);
      const avail = await available(deps, key.userId, key.env);
      return ok(
        insts.map((i) => ({
          availBuy: avail.get(i.quoteCcy) ?? '0',
          availSell: avail.get(i.baseCcy) ?? '0',
          instId: i.instId,
        })),
      );
    }),
  });

  // What can move from the trading to the funding account: the available balance (no borrowing in Spot mode).
  v5Route(app, deps, {
    method: 'GET',
    url: '/api/v5/account/max-withdrawal',
    access: 'read',
    handler: deps.limits.wrap('/api/v5/account/max-withdrawal', async (request) => {
      const key = keyOf(request);
      const wanted = ccySet(ccyParam(request.query));
      const avail = await available(deps, key.userId, key.env);
      const ccys = wanted === undefined ? [...avail.keys()] : [...wanted];
      return ok(
        ccys.map((ccy) => {
          const amt = avail.get(ccy) ?? '0';
          return { ccy, maxWd: amt, maxWdEx: amt, spotOffsetMaxWd: '', spotOffsetMaxWdEx: '' };
        }),
      );
    }),
  });
}
