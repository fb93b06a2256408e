import type { BalanceRow } from '../store/store.js';

/** The set of upper-cased currencies of a `ccy` parameter, or undefined when absent. */
export function ccySet(ccy: string | undefined): Set<string> | undefined {
  return ccy === undefined ? undefined : new Set(ccy.split(',').map((c) => c.toUpperCase()));
}

/** Balance rows limited to a `ccy` parameter or subscription (all when absent). */
export function filterCcy(rows: readonly BalanceRow[], ccy: string | undefined): readonly BalanceRow[] {
  const wanted = ccySet(ccy);
  return wanted === undefined ? rows : rows.filter((r) => wanted.has(r.ccy));
}
