import type { KeyEnv } from '../core/key-rules.js';
import { CURRENCY_BY_CCY, SPOT_INSTRUMENTS } from '../core/markets.js';

/** What valuing needs of the market data: the price of a book's last trade (MarketData has it). */
export interface LastTradePrices {
  lastPx(env: KeyEnv, instId: string): string | undefined;
}

/** A currency's price in USD. */
export type UsdPriceOf = (ccy: string) => string;

/** Base currency -> its USDT book's id (kept, not built per lookup). */
const USDT_BOOKS = new Map(
  SPOT_INSTRUMENTS.filter((i) => i.quoteCcy === 'USDT').map((i) => [i.baseCcy, i.instId] as const),
);

/**
 * USD prices from the paper books, read when asked (so one function serves a long-lived feed):
 * the last trade of the currency's USDT book (USDT counted at 1 USD), else signet's reference
 * price when the book has not traded yet or there is no book. REST (/account/balance,
 * /asset/asset-valuation, max-size) and the WebSocket `account` channel both value with it, so a
 * push and a read agree.
 *
 * @example bookPrices(deps.market, 'live')('BTC') // '60123.4' after a trade at that price
 */
export function bookPrices(market: LastTradePrices, env: KeyEnv): UsdPriceOf {
  return (ccy) => {
    if (ccy === 'USDT') return '1';
    const book = USDT_BOOKS.get(ccy);
    const last = book === undefined ? undefined : market.lastPx(env, book);
    return last ?? CURRENCY_BY_CCY.get(ccy)?.usdPrice ?? '0';
  };
}

/** The last trade price of an instrument (the ratio of the reference prices before any trade). */
export function lastPrice(
  market: LastTradePrices,
  env: KeyEnv,
  instId: string,
  baseCcy: string,
  quoteCcy: string,
): string {
  const last = market.lastPx(env, instId);
  if (last !== undefined) return last;
  const prices = bookPrices(market, env);
  const quote = Number(prices(quoteCcy));
  return quote > 0 ? String(Number(prices(baseCcy)) / quote) : '0';
}
