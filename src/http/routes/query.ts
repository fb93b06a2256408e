import { Type } from '@sinclair/typebox';
import type { BalanceRow } from '../../store/store.js';

/** `ccy=BTC` or `ccy=BTC,ETH` (at most 20), as OKX's balance and currency endpoints take it. */
export const CcyList = Type.String({ pattern: '^[A-Za-z0-9]{1,20}(,[A-Za-z0-9]{1,20}){0,19}$' });

/** The set of upper-cased currencies of a `ccy` parameter, or undefined when absent. */
export function ccySet(ccy: string | undefined): Set<string> | undefined {
  return ccy === undefined ? undefined : new Set(ccy.split(',').map((c) => c.toUpperCase()));
}

/** Balance rows limited to a `ccy` parameter (all when absent). */
export function filterCcy(rows: readonly BalanceRow[], ccy: string | undefined): readonly BalanceRow[] {
  const wanted = ccySet(ccy);
  return wanted === undefined ? rows : rows.filter((r) => wanted.has(r.ccy));
}
