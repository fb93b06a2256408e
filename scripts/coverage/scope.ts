/**
 * Which ccxt `okx` / `pro.okx` unified methods apply to a spot + funding + account user, i.e. a
 * bot that trades spot in cash mode, moves funds between its funding and trading accounts,
 * deposits and withdraws, and reads its account. Every method ccxt 4.5 marks as supported
 * (`describe().has` true or 'emulated') must be in exactly one of the two lists below: the
 * measurement fails a method that is in neither, so a ccxt upgrade cannot silently widen or
 * narrow the scope.
 */

/** Why a supported method is out of scope, by method. */
const OUT = {
  derivatives: 'swap/futures/options only',
  margin: 'margin trading, positions or leverage (not a cash spot account)',
  rates: 'funding rates, mark/index prices, open interest, greeks (derivatives data)',
  convert: 'OKX Convert (a separate product)',
  borrow: 'borrowing (margin)',
  flag: 'a capability flag, not a method',
  options: 'OKX documents it for options only (ccxt refuses it for other markets)',
  pro: 'a derivatives or liquidation stream',
} as const;

export const EXCLUDED: Readonly<Record<string, string>> = {
  publicAPI: OUT.flag,
  privateAPI: OUT.flag,
  sandbox: OUT.flag,
  spot: OUT.flag,
  margin: OUT.flag,
  swap: OUT.flag,
  future: OUT.flag,
  option: OUT.flag,
  ws: OUT.flag,
  addMargin: OUT.margin,
  reduceMargin: OUT.margin,
  setLeverage: OUT.margin,
  fetchLeverage: OUT.margin,
  setMarginMode: OUT.margin,
  setPositionMode: OUT.margin,
  fetchPositionMode: OUT.margin,
  closePosition: OUT.margin,
  fetchPosition: OUT.margin,
  fetchPositions: OUT.margin,
  fetchPositionsForSymbol: OUT.margin,
  fetchPositionHistory: OUT.margin,
  fetchPositionsHistory: OUT.margin,
  fetchMarginAdjustmentHistory: OUT.margin,
  createReduceOnlyOrder: OUT.margin,
  fetchMarketLeverageTiers: OUT.margin,
  borrowCrossMargin: OUT.borrow,
  repayCrossMargin: OUT.borrow,
  fetchBorrowInterest: OUT.borrow,
  fetchBorrowRateHistories: OUT.borrow,
  fetchBorrowRateHistory: OUT.borrow,
  fetchCrossBorrowRate: OUT.borrow,
  fetchCrossBorrowRates: OUT.borrow,
  fetchConvertCurrencies: OUT.convert,
  fetchConvertQuote: OUT.convert,
  fetchConvertTrade: OUT.convert,
  fetchConvertTradeHistory: OUT.convert,
  createConvertTrade: OUT.convert,
  fetchFundingHistory: OUT.rates,
  fetchFundingRate: OUT.rates,
  fetchFundingRateHistory: OUT.rates,
  fetchFundingInterval: OUT.rates,
  fetchFundingRates: OUT.rates,
  fetchGreeks: OUT.rates,
  fetchAllGreeks: OUT.rates,
  fetchIndexOHLCV: OUT.rates,
  fetchMarkOHLCV: OUT.rates,
  fetchMarkPrice: OUT.rates,
  fetchMarkPrices: OUT.rates,
  fetchOpenInterest: OUT.rates,
  fetchOpenInterests: OUT.rates,
  fetchOpenInterestHistory: OUT.rates,
  fetchLongShortRatioHistory: OUT.rates,
  fetchOption: OUT.derivatives,
  fetchOptionChain: OUT.derivatives,
  fetchSettlementHistory: OUT.derivatives,
  fetchUnderlyingAssets: OUT.derivatives,
  cancelAllOrdersWs: OUT.options,
  watchPositions: OUT.pro,
  watchLiquidations: OUT.pro,
  watchLiquidationsForSymbols: OUT.pro,
  watchMyLiquidations: OUT.pro,
  watchMyLiquidationsForSymbols: OUT.pro,
  watchMarkPrice: OUT.pro,
  watchMarkPrices: OUT.pro,
  watchFundingRate: OUT.pro,
  watchFundingRates: OUT.pro,
};

/**
 * Unified methods a spot bot may call that ccxt okx 4.5 marks unsupported (`has` false), so they
 * are not measured: cancelAllOrders, fetchOrders, fetchTradingFees, editOrders,
 * fetchDepositAddresses, fetchLedgerEntry. (signet's REST amend-batch-orders and
 * cancel-all-after are measured through okx-api and raw requests in their own tests.)
 */
export const UNSUPPORTED_BY_CCXT = [
  'cancelAllOrders',
  'fetchOrders',
  'fetchTradingFees',
  'editOrders',
  'fetchDepositAddresses',
  'fetchLedgerEntry',
] as const;

/** The supported methods of ccxt okx and pro.okx (has: true or 'emulated'). */
export function supportedMethods(has: ReadonlyArray<Record<string, unknown>>): string[] {
  const out = new Set<string>();
  for (const h of has) for (const [k, val] of Object.entries(h)) if (val === true || val === 'emulated') out.add(k);
  return [...out].sort();
}
