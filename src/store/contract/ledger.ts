import assert from 'node:assert/strict';
import { RuleError } from '../../core/errors.js';
import { depositEntry } from '../../core/ledger.js';
import { type ContractCase, T0 } from './fixtures.js';

/** The contract of balances, ledger entries and the ledger change feed. */
export function ledgerContract({ withStore, user }: ContractCase): void {
  withStore('ledger: entries apply atomically, exact decimals, never negative', async (store) => {
    const u = await user(store);
    await store.applyEntries(
      [depositEntry(u.id, 'live', '18', 'USDT', '0.1'), depositEntry(u.id, 'live', '18', 'USDT', '0.2')],
      T0,
    );
    await store.applyEntries([depositEntry(u.id, 'demo', '18', 'USDT', '5')], T0);
    const live = await store.getBalances(u.id, 'live', '18');
    assert.deepEqual(
      live.map((r) => [r.ccy, r.avail, r.frozen]),
      [['USDT', '0.3', '0']],
    );
    assert.deepEqual(
      (await store.getBalances(u.id, 'demo', '18')).map((r) => r.avail),
      ['5'],
    );
    assert.deepEqual(await store.getBalances(u.id, 'live', '6'), []);
    // The second entry would overdraw: neither applies.
    await assert.rejects(
      store.applyEntries(
        [
          depositEntry(u.id, 'live', '18', 'BTC', '1'),
          { ...depositEntry(u.id, 'live', '18', 'USDT', '0'), availDelta: '-0.31', kind: 'withdrawal' },
        ],
        T0,
      ),
      (err: unknown) => err instanceof RuleError && err.code === '51008',
    );
    assert.deepEqual(
      (await store.getBalances(u.id, 'live', '18')).map((r) => [r.ccy, r.avail]),
      [['USDT', '0.3']],
    );
  });

  withStore('ledger change feed: accounts changed after the cursor, once each', async (store) => {
    const u = await user(store);
    const v = await user(store);
    const start = await store.latestLedgerId();
    await store.applyEntries(
      [depositEntry(u.id, 'live', '18', 'USDT', '1'), depositEntry(u.id, 'live', '6', 'BTC', '1')],
      T0,
    );
    await store.applyEntries([depositEntry(v.id, 'demo', '18', 'ETH', '1')], T0);
    const changes = await store.ledgerChangesSince(start);
    assert.deepEqual(changes.accounts, [
      { userId: u.id, env: 'live' },
      { userId: v.id, env: 'demo' },
    ]);
    assert.equal(changes.cursor, await store.latestLedgerId());
    assert.deepEqual((await store.ledgerChangesSince(changes.cursor)).accounts, []);
  });
}
