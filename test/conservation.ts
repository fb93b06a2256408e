import assert from 'node:assert/strict';
import Big from 'big.js';
import type { Runtime } from '../src/runtime.js';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

/** sum of balances + fees collected == deposits - withdrawals, per currency, read from the database. */
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
}
