import assert from 'node:assert/strict';
import Big from 'big.js';
import type { Runtime } from '../src/runtime.js';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

/**
 * sum of balances + fees collected == deposits - withdrawals, per currency, read from the database;
 * every balance is the sum of its ledger entries; what moves funds between available and frozen
 * (orders and algo orders freezing and releasing) creates and destroys nothing; and every algo
 * order holds frozen exactly what its algo_freeze entries less its algo_release entries say.
 */
export function checkConservation(rt: Runtime): void {
  const db = (rt.store as SqliteStore).handle;
  const sum = (rows: Array<{ ccy: string; v: string }>, sign = 1) => {
    const out = new Map<string, Big>();
    for (const r of rows) out.set(r.ccy, (out.get(r.ccy) ?? new Big(0)).plus(new Big(r.v).times(sign)));
    return out;
  };
  const balances = sum(
    db.prepare('SELECT ccy, avail AS v FROM balances UNION ALL SELECT ccy, frozen AS v FROM balances').all() as Array<{
      ccy: string;
      v: string;
    }>,
  );
  // Fees collected: trading fees (negative on the fills) and withdrawal fees (negative entries).
  const fees = sum(
    db
      .prepare(`SELECT fee_ccy AS ccy, fee AS v FROM fills
    UNION ALL SELECT ccy, frozen_delta AS v FROM ledger_entries WHERE kind = 'withdrawal_fee'
    UNION ALL SELECT ccy, avail_delta AS v FROM ledger_entries WHERE kind = 'withdrawal_fee'`)
      .all() as Array<{ ccy: string; v: string }>,
    -1,
  );
  const external = sum(
    db
      .prepare(`SELECT ccy, avail_delta AS v FROM ledger_entries WHERE kind IN ('deposit', 'withdrawal')
    UNION ALL SELECT ccy, frozen_delta AS v FROM ledger_entries WHERE kind IN ('deposit', 'withdrawal')`)
      .all() as Array<{ ccy: string; v: string }>,
  );
  for (const [ccy, total] of external) {
    const held = (balances.get(ccy) ?? new Big(0)).plus(fees.get(ccy) ?? 0);
    assert.equal(held.toFixed(), total.toFixed(), `conservation of ${ccy}`);
  }
  for (const r of db.prepare('SELECT avail, frozen FROM balances').all() as Array<{ avail: string; frozen: string }>) {
    assert.ok(!r.avail.startsWith('-') && !r.frozen.startsWith('-'));
  }

  // Each balance is the sum of its ledger entries (nothing moved without an entry, no entry lost).
  const replay = new Map<string, { avail: Big; frozen: Big }>();
  for (const e of db
    .prepare('SELECT user_id, env, account, ccy, avail_delta, frozen_delta FROM ledger_entries')
    .all() as Array<Record<string, string>>) {
    const k = `${e.user_id}:${e.env}:${e.account}:${e.ccy}`;
    const b = replay.get(k) ?? { avail: new Big(0), frozen: new Big(0) };
    replay.set(k, { avail: b.avail.plus(e.avail_delta as string), frozen: b.frozen.plus(e.frozen_delta as string) });
  }
  for (const r of db.prepare('SELECT user_id, env, account, ccy, avail, frozen FROM balances').all() as Array<
    Record<string, string>
  >) {
    const k = `${r.user_id}:${r.env}:${r.account}:${r.ccy}`;
    const b = replay.get(k) ?? { avail: new Big(0), frozen: new Big(0) };
    assert.equal(new Big(r.avail as string).toFixed(), b.avail.toFixed(), `available ${k} against its ledger`);
    assert.equal(new Big(r.frozen as string).toFixed(), b.frozen.toFixed(), `frozen ${k} against its ledger`);
  }

  // Freezing and releasing move funds within one balance: avail_delta + frozen_delta = 0.
  for (const e of db
    .prepare(`SELECT id, kind, avail_delta, frozen_delta FROM ledger_entries
      WHERE kind IN ('order_freeze', 'order_release', 'algo_freeze', 'algo_release')`)
    .all() as Array<Record<string, string>>) {
    assert.ok(
      new Big(e.avail_delta as string).plus(e.frozen_delta as string).eq(0),
      `${e.kind} entry ${e.id} moves funds in or out`,
    );
  }

  // What each algo holds is what its own entries froze less what they released (never below zero).
  const byAlgo = new Map<string, Big>();
  for (const e of db
    .prepare(`SELECT ref, ccy, frozen_delta FROM ledger_entries WHERE kind IN ('algo_freeze', 'algo_release')`)
    .all() as Array<{ ref: string; ccy: string; frozen_delta: string }>) {
    const k = `${e.ref}:${e.ccy}`;
    byAlgo.set(k, (byAlgo.get(k) ?? new Big(0)).plus(e.frozen_delta));
  }
  const algos = db.prepare('SELECT algo_id, frozen, frozen_ccy, state FROM algo_orders').all() as Array<{
    algo_id: string;
    frozen: string;
    frozen_ccy: string;
    state: string;
  }>;
  const seen = new Set<string>();
  for (const a of algos) {
    const k = `${a.algo_id}:${a.frozen_ccy}`;
    seen.add(k);
    const held = a.frozen_ccy === '' ? new Big(0) : (byAlgo.get(k) ?? new Big(0));
    assert.equal(
      new Big(a.frozen).toFixed(),
      held.toFixed(),
      `algo ${a.algo_id} (${a.state}) frozen against its entries`,
    );
    if (a.state !== 'live') assert.ok(new Big(a.frozen).eq(0), `${a.state} algo ${a.algo_id} still holds ${a.frozen}`);
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
