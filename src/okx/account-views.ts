import { addAmounts, multiply } from '../core/ledger.js';
import { formatPermissions } from '../core/permissions.js';
import type { ActiveKey } from '../services/keyring.js';
import type { BalanceRow } from '../store/store.js';

/**
 * OKX V5 account shapes, field for field as OKX returns them (every number a string, unused fields
 * present and empty), checked against ccxt's recorded OKX responses. An `account` push is the
 * balance endpoint's object.
 */

/**
 * GET /api/v5/account/config. For a sub-account's key, OKX answers the sub-account's `uid`, the
 * master's `mainUid` ("the current request account is sub-account if uid != mainUid") and `type`
 * '1' (standard sub-account); '0' is a main account.
 */
export function accountConfigView(key: ActiveKey) {
  return {
    acctLv: '1',
    acctStpMode: 'cancel_maker',
    autoLoan: false,
    ctIsoMode: 'automatic',
    enableSpotBorrow: false,
    greeksType: 'PA',
    ip: key.ips.join(','),
    kycLv: '2',
    label: key.label,
    level: 'Lv1',
    levelTmp: '',
    liquidationGear: '-1',
    mainUid: key.mainUid,
    mgnIsoMode: 'automatic',
    opAuth: '0',
    perm: formatPermissions(key.perms),
    posMode: 'net_mode',
    roleType: '0',
    settleCcy: 'USDT',
    settleCcyList: ['USDT'],
    spotBorrowAutoRepay: false,
    spotOffsetType: '',
    spotRoleType: '0',
    spotTraderInsts: [],
    traderInsts: [],
    type: key.masterId === null ? '0' : '1',
    uid: key.uid,
  };
}

/** A currency's price in USD (REST and WebSocket both pass the paper books' last prices, src/services/book-prices.ts). */
export type UsdPrice = (ccy: string) => string;

/**
 * GET /api/v5/account/balance: the trading account (18) in Spot mode (acctLv 1) valued in USD at
 * `price` (the paper books' last prices, on REST and in `account` pushes alike). `uTime` is when the account last changed.
 * Top-level fields of margin modes (adjEq, availEq, imr, mmr, mgnRatio, notionalUsd, ordFroz) are
 * empty, as OKX answers a Spot-mode account.
 */
export function tradingBalanceView(rows: readonly BalanceRow[], uTime: number, price: UsdPrice) {
  let totalEq = '0';
  const details = rows.map((r) => {
    const eq = addAmounts(r.avail, r.frozen);
    const eqUsd = multiply(eq, price(r.ccy), 8);
    totalEq = addAmounts(totalEq, eqUsd);
    return {
      accAvgPx: '',
      availBal: r.avail,
      availEq: r.avail,
      borrowFroz: '',
      cashBal: eq,
      ccy: r.ccy,
      clSpotInUseAmt: '',
      colBorrAutoConversion: '0',
      collateralEnabled: false,
      collateralRestrict: false,
      crossLiab: '',
      disEq: eqUsd,
      eq,
      eqUsd,
      fixedBal: '0',
      frozenBal: r.frozen,
      imr: '',
      interest: '',
      isoEq: '0',
      isoLiab: '',
      isoUpl: '0',
      liab: '',
      maxLoan: '',
      maxSpotInUse: '',
      mgnRatio: '',
      mmr: '',
      notionalLever: '',
      openAvgPx: '',
      ordFrozen: r.frozen,
      rewardBal: '0',
      smtSyncEq: '0',
      spotBal: eq,
      spotCopyTradingEq: '0',
      spotInUseAmt: '',
      spotIsoBal: '0',
      spotUpl: '',
      spotUplRatio: '',
      stgyEq: '0',
      totalPnl: '',
      totalPnlRatio: '',
      twap: '0',
      uTime: String(r.updatedAt),
      upl: '0',
      uplLiab: '',
    };
  });
  return {
    adjEq: '',
    availEq: '',
    borrowFroz: '',
    delta: '',
    deltaLever: '',
    deltaNeutralStatus: '',
    details,
    imr: '',
    isoEq: '0',
    mgnRatio: '',
    mmr: '',
    notionalUsd: '',
    notionalUsdForBorrow: '',
    notionalUsdForFutures: '',
    notionalUsdForOption: '',
    notionalUsdForSwap: '',
    ordFroz: '',
    spotCopyTradingEq: '0',
    totalEq,
    uTime: String(uTime),
    upl: '0',
  };
}

/** GET /api/v5/asset/balances: the funding account (6). */
export function fundingBalanceView(r: BalanceRow) {
  return { availBal: r.avail, bal: addAmounts(r.avail, r.frozen), ccy: r.ccy, frozenBal: r.frozen };
}

/** `balance_and_position` channel (spot subset: cash balances, no positions). */
export function balanceAndPositionView(
  rows: readonly BalanceRow[],
  eventType: 'snapshot' | 'filled' | 'transferred',
  now: number,
) {
  return {
    pTime: String(now),
    eventType,
    balData: rows.map((r) => ({ ccy: r.ccy, cashBal: addAmounts(r.avail, r.frozen), uTime: String(r.updatedAt) })),
    posData: [],
    trades: [],
  };
}
