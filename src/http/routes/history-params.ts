import { RuleError } from '../../core/errors.js';

/**
 * The query parameters of OKX's history endpoints, checked as OKX does: every value is a string;
 * an empty value counts as absent; a value outside what the endpoint documents is 51000
 * ("Parameter {0} error"), a required one missing 50014. Unknown parameters are ignored, as OKX
 * ignores them (ccxt passes its own, such as `until`, through).
 */
export type Query = Record<string, unknown>;

/** A parameter's value, or undefined when absent or empty. */
export function param(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new RuleError('51000', `${name}: give it once, as a string`, name);
  return v;
}

export function required(q: Query, name: string): string {
  const v = param(q, name);
  if (v === undefined) throw new RuleError('50014', `${name}: required`, name);
  return v;
}

/** One of the documented values. */
export function oneOf<T extends string>(q: Query, name: string, values: readonly T[]): T | undefined {
  const v = param(q, name);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v))
    throw new RuleError('51000', `${name}: one of ${values.join(', ')}; got "${v}"`, name);
  return v as T;
}

/** `limit`: OKX documents the default and the maximum (100 on every history endpoint); not a positive whole number: 51000. */
export function limitParam(q: Query, max = 100): number {
  const v = param(q, 'limit');
  if (v === undefined) return max;
  if (!/^[1-9][0-9]{0,9}$/.test(v))
    throw new RuleError('51000', `limit: a whole number from 1 to ${max}; got "${v}"`, 'limit');
  // Above the documented maximum OKX answers the maximum, not an error: ccxt's `paginate` asks for
  // 1000 rows a page (fetchMyTrades, fetchLedger, fetchDeposits, fetchWithdrawals) and 300 from
  // history-candles (documented maximum 100), and both work against OKX.
  return Math.min(Number(v), max);
}

const INT64_MAX = 2n ** 63n - 1n;

/** An id cursor (ordId, billId): a whole number that fits 64 bits. */
export function idParam(q: Query, name: string): string | undefined {
  const v = param(q, name);
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,19}$/.test(v) || BigInt(v) > INT64_MAX)
    throw new RuleError('51000', `${name}: an id (a whole number); got "${v}"`, name);
  return String(BigInt(v));
}

/** A Unix-ms timestamp (begin, end, and the ts cursors of deposits and withdrawals). */
export function msParam(q: Query, name: string): number | undefined {
  const v = param(q, name);
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,15}$/.test(v)) throw new RuleError('51000', `${name}: Unix ms; got "${v}"`, name);
  return Number(v);
}

/** OKX's instrument types: required on some endpoints, optional on others. */
export const INST_TYPES = ['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'] as const;

export function instTypeParam(q: Query, isRequired: boolean): (typeof INST_TYPES)[number] | undefined {
  if (isRequired) required(q, 'instType');
  return oneOf(q, 'instType', INST_TYPES);
}

/**
 * `ordType`: one order type or several, comma-separated (OKX's own example:
 * `ordType=post_only,fok,ioc`), each one OKX documents for the order lists.
 */
const ORD_TYPES = [
  'market',
  'limit',
  'post_only',
  'fok',
  'ioc',
  'optimal_limit_ioc',
  'mmp',
  'mmp_and_post_only',
  'op_fok',
  'elp',
] as const;

export function ordTypesParam(q: Query): string[] | undefined {
  const v = param(q, 'ordType');
  if (v === undefined) return undefined;
  const list = v.split(',');
  for (const t of list) {
    if (!(ORD_TYPES as readonly string[]).includes(t))
      throw new RuleError('51000', `ordType: each of ${ORD_TYPES.join(', ')}; got "${t}"`, 'ordType');
  }
  return list;
}
