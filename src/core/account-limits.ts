import Big from 'big.js';
import { RuleError } from './errors.js';
import type { SpotInstrument } from './markets.js';

/**
 * GET /account/max-size and /account/max-avail-size for spot cash trading: what the trading
 * account's available balances allow.
 */

const TD_MODES = new Set(['cash', 'cross', 'isolated', 'spot_isolated']);

/** `instId` (up to 5, comma-separated, listed: 51001) and `tdMode` (required), as OKX takes them. */
export function limitInstruments(
  q: Record<string, unknown>,
  instruments: ReadonlyMap<string, SpotInstrument>,
): SpotInstrument[] {
  const instId = q.instId;
  const tdMode = q.tdMode;
  if (typeof instId !== 'string' || instId === '') throw new RuleError('50014', 'instId: required', 'instId');
  if (typeof tdMode !== 'string' || tdMode === '') throw new RuleError('50014', 'tdMode: required', 'tdMode');
  if (!TD_MODES.has(tdMode)) throw new RuleError('51000', 'tdMode: cash, cross, isolated or spot_isolated', 'tdMode');
  const ids = instId.split(',');
  if (ids.length > 5) throw new RuleError('51000', 'instId: at most 5 instruments', 'instId');
  return ids.map((id) => {
    const inst = instruments.get(id);
    if (inst === undefined) throw new RuleError('51001', `instId: ${id} is not a listed spot instrument`, 'instId');
    return inst;
  });
}

const down = (v: Big, step: string) => v.div(step).round(0, Big.roundDown).times(step).toFixed();

/**
 * The most a limit order at `px` could buy (base units: the available quote over the price, in
 * whole lots) and sell (the available base, in whole lots), as the order's `sz` would be given.
 */
export function maxOrderSize(inst: SpotInstrument, availBase: string, availQuote: string, px: string) {
  const price = new Big(px);
  return {
    maxBuy: price.gt(0) ? down(new Big(availQuote).div(price), inst.lotSz) : '0',
    maxSell: down(new Big(availBase), inst.lotSz),
  };
}

/** An optional positive price parameter (51000 otherwise). */
export function optionalPrice(v: unknown, name: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v) || new Big(v).lte(0))
    throw new RuleError('51000', `${name}: a positive price`, name);
  return v;
}

/** Currencies OKX values assets in that signet can price: BTC, USDT and USD (others need fiat rates it lacks). */
export const VALUATION_UNITS = ['BTC', 'USDT', 'USD'] as const;

/** `amountUsd` in `unit` at `unitUsd` dollars per unit, 8 decimals for BTC, 2 otherwise, rounded down. */
export function valuation(amountUsd: string, unit: string, unitUsd: string): string {
  const dp = unit === 'BTC' ? 8 : 2;
  return new Big(unitUsd).gt(0) ? new Big(amountUsd).div(unitUsd).round(dp, Big.roundDown).toFixed() : '0';
}
