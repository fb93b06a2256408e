import type { KeyEnv } from '../../core/key-rules.js';
import { CURRENCY_BY_CCY, SPOT_INSTRUMENTS } from '../../core/markets.js';
import type { UsdPrice } from '../../okx/account-views.js';
import type { AppDeps } from '../../services/container.js';

const USDT_BOOKS = new Set(SPOT_INSTRUMENTS.filter((i) => i.quoteCcy === 'USDT').map((i) => i.baseCcy));

/**
 * USD prices from the paper books: the last trade of the currency's USDT book (USDT counted at 1
 * USD), else signet's reference price when the book has not traded yet or there is no book.
 */
export function bookPrices(deps: AppDeps, env: KeyEnv): UsdPrice {
  return (ccy) => {
    if (ccy === 'USDT') return '1';
    const last = USDT_BOOKS.has(ccy) ? deps.market.lastPx(env, `${ccy}-USDT`) : undefined;
    return last ?? CURRENCY_BY_CCY.get(ccy)?.usdPrice ?? '0';
  };
}

/** The last trade price of an instrument (the reference price before any trade). */
export function lastPrice(deps: AppDeps, env: KeyEnv, instId: string, baseCcy: string, quoteCcy: string): string {
  const last = deps.market.lastPx(env, instId);
  if (last !== undefined) return last;
  const prices = bookPrices(deps, env);
  const quote = Number(prices(quoteCcy));
  return quote > 0 ? String(Number(prices(baseCcy)) / quote) : '0';
}
