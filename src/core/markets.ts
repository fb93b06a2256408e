import { RuleError } from './errors.js';

/**
 * The paper exchange's listed spot instruments and currencies, as data. Prices here are the
 * reference prices used to value balances in USD (the trading issue's market maker moves them).
 */
export interface SpotInstrument {
  instId: string;
  /**
   * OKX's numeric instrument id (an integer in JSON, unlike every other number), which newer
   * clients send instead of instId: ccxt's WebSocket order, amend and cancel do. signet's own codes.
   */
  instIdCode: number;
  baseCcy: string;
  quoteCcy: string;
  tickSz: string;
  lotSz: string;
  minSz: string;
  maxLmtSz: string;
  maxMktSz: string;
  /** Unix ms the instrument was listed. */
  listTime: number;
}

export interface Chain {
  /** OKX spelling: CCY-Network, e.g. "USDT-TRC20". */
  chain: string;
  /** Withdrawal fee, in the currency. */
  fee: string;
  minWd: string;
  maxWd: string;
  /** Decimal places a withdrawal amount may have. */
  wdTickSz: string;
  minDep: string;
  /** Confirmations before a deposit is credited / can be withdrawn. */
  minDepArrivalConfirm: string;
  minWdUnlockConfirm: string;
  mainNet: boolean;
}

export interface Currency {
  ccy: string;
  name: string;
  /** Reference price in USD, exact decimal. */
  usdPrice: string;
  chains: Chain[];
}

const LISTED = Date.UTC(2024, 0, 1);

export const SPOT_INSTRUMENTS: readonly SpotInstrument[] = Object.freeze([
  {
    instId: 'BTC-USDT',
    instIdCode: 10001,
    baseCcy: 'BTC',
    quoteCcy: 'USDT',
    tickSz: '0.1',
    lotSz: '0.00000001',
    minSz: '0.00001',
    maxLmtSz: '9999999999',
    maxMktSz: '1000000',
    listTime: LISTED,
  },
  {
    instId: 'ETH-USDT',
    instIdCode: 10002,
    baseCcy: 'ETH',
    quoteCcy: 'USDT',
    tickSz: '0.01',
    lotSz: '0.000001',
    minSz: '0.0001',
    maxLmtSz: '9999999999',
    maxMktSz: '1000000',
    listTime: LISTED,
  },
  {
    instId: 'ETH-BTC',
    instIdCode: 10003,
    baseCcy: 'ETH',
    quoteCcy: 'BTC',
    tickSz: '0.00001',
    lotSz: '0.000001',
    minSz: '0.001',
    maxLmtSz: '9999999999',
    maxMktSz: '1000000',
    listTime: LISTED,
  },
  {
    instId: 'SOL-USDT',
    instIdCode: 10004,
    baseCcy: 'SOL',
    quoteCcy: 'USDT',
    tickSz: '0.01',
    lotSz: '0.000001',
    minSz: '0.001',
    maxLmtSz: '9999999999',
    maxMktSz: '1000000',
    listTime: LISTED,
  },
]);

const chain = (c: Partial<Chain> & Pick<Chain, 'chain' | 'fee' | 'minWd'>): Chain => ({
  maxWd: '1000000',
  wdTickSz: '8',
  minDep: '0.00000001',
  minDepArrivalConfirm: '12',
  minWdUnlockConfirm: '24',
  mainNet: true,
  ...c,
});

export const CURRENCIES: readonly Currency[] = Object.freeze([
  {
    ccy: 'BTC',
    name: 'Bitcoin',
    usdPrice: '60000',
    chains: [
      chain({
        chain: 'BTC-Bitcoin',
        fee: '0.0002',
        minWd: '0.001',
        maxWd: '500',
        minDepArrivalConfirm: '1',
        minWdUnlockConfirm: '2',
      }),
    ],
  },
  {
    ccy: 'ETH',
    name: 'Ethereum',
    usdPrice: '3000',
    chains: [chain({ chain: 'ETH-ERC20', fee: '0.0015', minWd: '0.01', maxWd: '10000', wdTickSz: '8' })],
  },
  {
    ccy: 'USDT',
    name: 'Tether',
    usdPrice: '1',
    chains: [
      chain({
        chain: 'USDT-TRC20',
        fee: '1',
        minWd: '2',
        maxWd: '10000000',
        wdTickSz: '6',
        minDepArrivalConfirm: '20',
        minWdUnlockConfirm: '20',
      }),
      chain({ chain: 'USDT-ERC20', fee: '5', minWd: '10', maxWd: '10000000', wdTickSz: '6', mainNet: false }),
    ],
  },
  {
    ccy: 'SOL',
    name: 'Solana',
    usdPrice: '150',
    chains: [
      chain({
        chain: 'SOL-Solana',
        fee: '0.01',
        minWd: '0.1',
        maxWd: '100000',
        wdTickSz: '8',
        minDepArrivalConfirm: '100',
        minWdUnlockConfirm: '100',
      }),
    ],
  },
]);

/**
 * The instrument a request names (order, amend, cancel): by `instIdCode` when given (it takes
 * precedence over `instId`, as on OKX), else by `instId`. 50014 when neither is given, 51001 when
 * it is not listed.
 */
export function requestedInstrument(
  req: { instId?: unknown; instIdCode?: unknown },
  instruments: ReadonlyMap<string, SpotInstrument>,
): SpotInstrument {
  const code = req.instIdCode;
  if (code !== undefined && code !== null && code !== '') {
    const n =
      typeof code === 'number' ? code : typeof code === 'string' && /^\d{1,15}$/.test(code) ? Number(code) : NaN;
    for (const inst of instruments.values()) if (inst.instIdCode === n) return inst;
    throw new RuleError('51001', `instIdCode: ${JSON.stringify(code)} is not a listed spot instrument`, 'instIdCode');
  }
  const instId = req.instId;
  if (instId === undefined || instId === null || instId === '')
    throw new RuleError('50014', 'instId: required (or instIdCode)', 'instId');
  const inst = typeof instId === 'string' ? instruments.get(instId) : undefined;
  if (inst === undefined)
    throw new RuleError('51001', `instId: ${JSON.stringify(instId)} is not a listed spot instrument`, 'instId');
  return inst;
}

export const CURRENCY_BY_CCY: ReadonlyMap<string, Currency> = new Map(CURRENCIES.map((c) => [c.ccy, c]));
