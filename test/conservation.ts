import assert from 'node:assert/strict';
import Big from 'big.js';
import type { Runtime } from '../src/runtime.js';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

type Row = Record<string, unknown>;
const str = (r: Row, k: string): string => String(r[k]);

/** The tables the checks read: the same SQL on SQLite and PostgreSQL. */
export const LEDGER_QUERIES = {
  balances: 'SELECT user_id, env, account, ccy, avail, frozen FROM balances',
  ledger: 'SELECT id, user_id, env, account, ccy, avail_delta, frozen_delta, kind, ref FROM ledger_entries',
  fills: 'SELECT fee, fee_ccy FROM fills',
  algos: 'SELECT algo_id, frozen, frozen_ccy, state FROM algo_orders',
} as const;

export type LedgerRows = Record<keyof typeof LEDGER_QUERIES, readonly Row[]>;

/** checkLedgerRows on the SQLite database of a runtime. */
export function checkConservation(rt: Runtime): void {
  const db = (rt.store as SqliteStore).handle;
  const rows = (sql: string) => db.prepare(sql).all() as Row[];
  checkLedgerRows({
    balances: rows(LEDGER_QUERIES.balances),
    ledger: rows(LEDGER_QUERIES.ledger),
    fills: rows(LEDGER_QUERIES.fills),
    algos: rows(LEDGER_QUERIES.algos),
  });
}

/** checkLedgerRows on any database, read through `query` (e.g. a pg client on PostgreSQL). */
export async function checkConservationWith(query: (sql: string) => Promise<Row[]>): Promise<void> {
  checkLedgerRows({
    balances: await query(LEDGER_QUERIES.balances),
    ledger: await query(LEDGER_QUERIES.ledger),
    fills: await query(LEDGER_QUERIES.fills),
    algos: await query(LEDGER_QUERIES.algos),
  });
}

/**
 * sum of balances + fees collected == deposits - withdrawals, per currency; nothing negative;
 * every balance is the sum of its ledger entries; what moves funds between available and frozen
 * (orders and algo orders freezing and releasing) creates and destroys nothing; and every algo
 * order holds frozen exactly what its algo_freeze entries less its algo_release entries say
 * (nothing once it is no longer live).
 */
export function checkLedgerRows(t: LedgerRows): void {
  const add = (m: Map<string, Big>, k: string, v: Big.BigSource) => m.set(k, (m.get(k) ?? new Big(0)).plus(v));
  const held = new Map<string, Big>();
  for (const r of t.balances) {
    assert.ok(
      !str(r, 'avail').startsWith('-') && !str(r, 'frozen').startsWith('-'),
      `negative balance ${JSON.stringify(r)}`,
    );
    add(held, str(r, 'ccy'), new Big(str(r, 'avail')).plus(str(r, 'frozen')));
  }
  // Fees collected: trading fees (negative on the fills) and withdrawal fees (negative entries).
  for (const f of t.fills) add(held, str(f, 'fee_ccy'), new Big(str(f, 'fee')).neg());
  const external = new Map<string, Big>();
  for (const e of t.ledger) {
    const both = new Big(str(e, 'avail_delta')).plus(str(e, 'frozen_delta'));
    if (e.kind === 'withdrawal_fee') add(held, str(e, 'ccy'), both.neg());
    if (e.kind === 'deposit' || e.kind === 'withdrawal') add(external, str(e, 'ccy'), both);
  }
  for (const [ccy, total] of external)
    assert.equal((held.get(ccy) ?? new Big(0)).toFixed(), total.toFixed(), `conservation of ${ccy}`);

  // Each balance is the sum of its ledger entries (nothing moved without an entry, no entry lost).
  const replay = new Map<string, { avail: Big; frozen: Big }>();
  for (const e of t.ledger) {
    const k = `${str(e, 'user_id')}:${str(e, 'env')}:${str(e, 'account')}:${str(e, 'ccy')}`;
    const b = replay.get(k) ?? { avail: new Big(0), frozen: new Big(0) };
    replay.set(k, { avail: b.avail.plus(str(e, 'avail_delta')), frozen: b.frozen.plus(str(e, 'frozen_delta')) });
    // Freezing and releasing move funds within one balance: avail_delta + frozen_delta = 0.
    if (['order_freeze', 'order_release', 'algo_freeze', 'algo_release'].includes(str(e, 'kind')))
      assert.ok(
        new Big(str(e, 'avail_delta')).plus(str(e, 'frozen_delta')).eq(0),
        `${str(e, 'kind')} entry ${str(e, 'id')} moves funds in or out`,
      );
  }
  for (const r of t.balances) {
    const k = `${str(r, 'user_id')}:${str(r, 'env')}:${str(r, 'account')}:${str(r, 'ccy')}`;
    const b = replay.get(k) ?? { avail: new Big(0), frozen: new Big(0) };
    assert.equal(new Big(str(r, 'avail')).toFixed(), b.avail.toFixed(), `available ${k} against its ledger`);
    assert.equal(new Big(str(r, 'frozen')).toFixed(), b.frozen.toFixed(), `frozen ${k} against its ledger`);
  }

  // What each algo holds is what its own entries froze less what they released.
  const byAlgo = new Map<string, Big>();
  for (const e of t.ledger)
    if (e.kind === 'algo_freeze' || e.kind === 'algo_release')
      add(byAlgo, `${str(e, 'ref')}:${str(e, 'ccy')}`, str(e, 'frozen_delta'));
  const seen = new Set<string>();
  for (const a of t.algos) {
    const id = str(a, 'algo_id');
    const k = `${id}:${str(a, 'frozen_ccy')}`;
    seen.add(k);
    const frozen = new Big(str(a, 'frozen'));
    const entries = str(a, 'frozen_ccy') === '' ? new Big(0) : (byAlgo.get(k) ?? new Big(0));
    assert.equal(frozen.toFixed(), entries.toFixed(), `algo ${id} (${str(a, 'state')}) frozen against its entries`);
    if (a.state !== 'live') assert.ok(frozen.eq(0), `${str(a, 'state')} algo ${id} still holds ${frozen.toFixed()}`);
  }
  for (const [k, v] of byAlgo) if (!seen.has(k)) assert.ok(v.eq(0), `entries of ${k} leave ${v.toFixed()} frozen`);
}

/**
 * What a pending spot algo holds frozen, computed from its OKX view (orders-algo-pending) as OKX
 * documents it (src/core/algo-funds.ts): a trigger order nothing; a sell its size in base
 * currency; a buy in quote currency its size (tgtCcy quote_ccy) or size × the highest price it
 * could place at (limit prices, a market leg's trigger price, a trailing buy's activation price,
 * or the last price when placed, plus its callback).
 */
export function algoHoldFromView(
  a: Record<string, unknown>,
  baseCcy: string,
  quoteCcy: string,
): { ccy: string; amount: string } | null {
  const s = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : '');
  if (s('ordType') === 'trigger') return null;
  if (s('side') === 'sell') return { ccy: baseCcy, amount: s('sz') };
  if (s('tgtCcy') === 'quote_ccy') return { ccy: quoteCcy, amount: s('sz') };
  const prices: Big[] = [];
  if (s('ordType') === 'move_order_stop') {
    const base = new Big(s('activePx') !== '' ? s('activePx') : s('last'));
    prices.push(
      s('callbackRatio') !== '' ? base.times(new Big(1).plus(s('callbackRatio'))) : base.plus(s('callbackSpread')),
    );
  }
  for (const [trig, ord] of [
    ['tpTriggerPx', 'tpOrdPx'],
    ['slTriggerPx', 'slOrdPx'],
    ['triggerPx', 'ordPx'],
  ] as const) {
    if (s(trig) === '') continue;
    prices.push(new Big(s(ord) === '-1' ? s(trig) : s(ord)));
  }
  const highest = prices.reduce((m, p) => (p.gt(m) ? p : m), new Big(0));
  return { ccy: quoteCcy, amount: new Big(s('sz')).times(highest).toFixed() };
}
