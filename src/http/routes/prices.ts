import type { KeyEnv } from '../../core/key-rules.js';
import { lastPrice as lastOf, bookPrices as pricesOf, type UsdPriceOf } from '../../services/book-prices.js';
import type { AppDeps } from '../../services/container.js';

/** USD prices from the paper books (src/services/book-prices.ts, shared with the WebSocket feeds). */
export function bookPrices(deps: AppDeps, env: KeyEnv): UsdPriceOf {
  return pricesOf(deps.market, env);
}

/** The last trade price of an instrument (the reference price before any trade). */
export function lastPrice(deps: AppDeps, env: KeyEnv, instId: string, baseCcy: string, quoteCcy: string): string {
  return lastOf(deps.market, env, instId, baseCcy, quoteCcy);
}
