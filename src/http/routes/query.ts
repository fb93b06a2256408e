import { Type } from '@sinclair/typebox';
import { RuleError } from '../../core/errors.js';

const CCY_LIST = '^[A-Za-z0-9]{1,20}(,[A-Za-z0-9]{1,20}){0,19}$';
const CCY_LIST_RE = new RegExp(CCY_LIST);

/** `ccy=BTC` or `ccy=BTC,ETH` (at most 20), as OKX's balance and currency endpoints take it. */
export const CcyList = Type.String({ pattern: CCY_LIST });

/**
 * The `ccy` parameter of a parsed query, checked as CcyList would be (51000 otherwise): for the
 * balance route, which bots poll, and which skips schema validation when there is no query.
 */
export function ccyParam(query: unknown): string | undefined {
  const ccy = (query as { ccy?: unknown } | undefined)?.ccy;
  if (ccy === undefined) return undefined;
  if (typeof ccy !== 'string' || !CCY_LIST_RE.test(ccy))
    throw new RuleError('51000', 'ccy: a comma-separated list of up to 20 currencies', 'ccy');
  return ccy;
}
