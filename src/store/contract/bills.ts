import assert from 'node:assert/strict';
import type { BillQuery } from '../../core/bills.js';
import { depositEntry, type LedgerEntry } from '../../core/ledger.js';
import type { Fill } from '../../core/matching.js';
import type { Store } from '../store.js';
import { type ContractCase, freeze, orderRow, record, T0 } from './fixtures.js';

const entry = (userId: number, over: Partial<LedgerEntry>): LedgerEntry => ({
  ...depositEntry(userId, 'live', '18', 'USDT', '0'),
  ...over,
});

/** A limit buy of 1 BTC at 100 USDT filled at 90 (10 USDT refunded), 0.001 BTC fee, as matching writes it. */
async function buyFilled(store: Store, userId: number, at: number): Promise<string> {
  const o = orderRow(userId, { px: '100', sz: '1' });
  const fill: Fill = {
    tradeId: `t${o.ordId}`,
    instId: 'BTC-USDT',
    ordId: o.ordId,
    clOrdId: 'c1',
    tag: '',
    userId,
    env: 'live',
    side: 'buy',
    px: '90',
    sz: '1',
    fee: '-0.001',
    feeCcy: 'BTC',
    execType: 'M',
    ts: at,
  };
  await record(store, { orders: [o], fills: [], entries: [freeze(o, '100')] }, at - 1);
  await record(
    store,
    {
      orders: [{ ...o, state: 'filled', accFillSz: '1', frozen: '0' }],
      fills: [fill],
      entries: [
        entry(userId, { ccy: 'USDT', availDelta: '10', frozenDelta: '-100', kind: 'trade', ref: fill.tradeId }),
        entry(userId, { ccy: 'BTC', availDelta: '1', kind: 'trade', ref: fill.tradeId }),
        entry(userId, { ccy: 'BTC', availDelta: '-0.001', kind: 'fee', ref: fill.tradeId }),
      ],
    },
    at,
  );
  return o.ordId;
}

/** The contract of bills (ledger entries read as OKX bills), transfers, deposit addresses and deposits. */
export function billsContract({ withStore, user }: ContractCase): void {
  withStore('bills: one per balance change, fees merged, freezes left out, newest first, cursors', async (store) => {
    const u = await user(store);
    await store.applyEntries([depositEntry(u.id, 'live', '6', 'USDT', '500')], T0);
    await store.applyEntries(
      [
        entry(u.id, { account: '6', availDelta: '-300', kind: 'transfer', ref: '77', clientId: 'abc1' }),
        entry(u.id, { account: '18', availDelta: '300', kind: 'transfer', ref: '77', clientId: 'abc1' }),
      ],
      T0 + 1,
    );
    const ordId = await buyFilled(store, u.id, T0 + 3);
    const q: BillQuery = { userId: u.id, env: 'live', account: '18', minTs: 0, limit: 100 };
    const bills = await store.listBills(q);
    assert.deepEqual(
      bills.map((b) => [b.kind, b.ccy, b.balChg, b.bal, b.fee]),
      [
        ['trade', 'BTC', '0.999', '0.999', '-0.001'],
        ['trade', 'USDT', '-90', '210', '0'],
        ['transfer', 'USDT', '300', '300', '0'],
      ],
    );
    assert.deepEqual(bills[0]?.fill, {
      instId: 'BTC-USDT',
      ordId,
      clOrdId: 'c1',
      tag: '',
      side: 'buy',
      px: '90',
      execType: 'M',
    });
    assert.equal(bills[2]?.clientId, 'abc1');
    assert.ok(Number(bills[0]?.billId) > Number(bills[1]?.billId));
    // The sum of the changes is each balance (avail + frozen).
    for (const b of await store.getBalances(u.id, 'live', '18')) {
      const sum = bills.filter((x) => x.ccy === b.ccy).reduce((s, x) => s + Number(x.balChg), 0);
      assert.equal(sum, Number(b.avail) + Number(b.frozen));
    }
    const [newest, middle, oldest] = bills.map((b) => Number(b.billId));
    assert.deepEqual(
      (await store.listBills({ ...q, afterId: newest ?? 0, limit: 1 })).map((b) => Number(b.billId)),
      [middle],
    );
    assert.deepEqual(
      (await store.listBills({ ...q, beforeId: oldest ?? 0, limit: 1 })).map((b) => Number(b.billId)),
      [middle],
    );
    assert.deepEqual(
      (await store.listBills({ ...q, beforeId: oldest ?? 0 })).map((b) => Number(b.billId)),
      [newest, middle],
    );
    assert.deepEqual((await store.listBills({ ...q, ccy: 'BTC' })).length, 1);
    assert.deepEqual((await store.listBills({ ...q, minTs: T0 + 2 })).length, 2);
    assert.deepEqual((await store.listBills({ ...q, maxTs: T0 + 1 })).length, 1);
    assert.deepEqual((await store.listBills({ ...q, instId: 'BTC-USDT' })).length, 2);
    assert.deepEqual((await store.listBills({ ...q, conditions: [{ kind: 'trade', side: 'sell' }] })).length, 0);
    assert.deepEqual((await store.listBills({ ...q, conditions: [{ kind: 'transfer', sign: 'in' }] })).length, 1);
    assert.deepEqual((await store.listBills({ ...q, conditions: [{ kind: 'transfer', sign: 'out' }] })).length, 0);
    const funding = await store.listBills({ ...q, account: '6' });
    assert.deepEqual(
      funding.map((b) => [b.kind, b.balChg, b.bal]),
      [
        ['transfer', '-300', '200'],
        ['deposit', '500', '500'],
      ],
    );
    assert.equal((await store.listBills({ ...q, account: '6', afterTs: T0 + 1 })).length, 1);
    assert.equal((await store.listBills({ ...q, account: '6', clientId: 'abc1' })).length, 1);
    // Another account and environment see none of them.
    const v = await user(store);
    assert.deepEqual(await store.listBills({ ...q, userId: v.id }), []);
    assert.deepEqual(await store.listBills({ ...q, env: 'demo' }), []);
  });

  withStore('transfers: found by id or by client id, with both sides', async (store) => {
    const u = await user(store);
    await store.applyEntries([depositEntry(u.id, 'live', '18', 'BTC', '2')], T0);
    const move = (ref: string, clientId: string) => [
      entry(u.id, { account: '18', ccy: 'BTC', availDelta: '-0.5', kind: 'transfer', ref, clientId }),
      entry(u.id, { account: '6', ccy: 'BTC', availDelta: '0.5', kind: 'transfer', ref, clientId }),
    ];
    await store.applyEntries(move('901', 'x1'), T0 + 1);
    await store.applyEntries(move('902', 'x1'), T0 + 2);
    const want = { transId: '901', clientId: 'x1', ccy: 'BTC', amt: '0.5', from: '18', to: '6', ts: T0 + 1 };
    assert.deepEqual(await store.findTransfer(u.id, 'live', { transId: '901' }), want);
    assert.deepEqual(await store.findTransfer(u.id, 'live', { clientId: 'x1' }), {
      ...want,
      transId: '902',
      ts: T0 + 2,
    });
    assert.equal(await store.findTransfer(u.id, 'demo', { transId: '901' }), null);
    assert.equal(await store.findTransfer(u.id, 'live', { transId: '999' }), null);
  });

  withStore(
    'deposit addresses: one per account, environment and chain; a deposit keeps where it came in',
    async (store) => {
      const u = await user(store);
      const a = { userId: u.id, env: 'live' as const, ccy: 'USDT', chain: 'USDT-TRC20', addr: 'Taaa', createdAt: T0 };
      assert.deepEqual(await store.ensureDepositAddress(a), a);
      // A second request keeps the first address.
      assert.deepEqual(await store.ensureDepositAddress({ ...a, addr: 'Tbbb', createdAt: T0 + 5 }), a);
      assert.deepEqual(await store.findDepositAddress('Taaa'), a);
      assert.equal(await store.findDepositAddress('Tbbb'), null);
      const demo = await store.ensureDepositAddress({ ...a, env: 'demo', addr: 'Tccc' });
      assert.equal(demo.addr, 'Tccc');
      const depId = await store.creditDeposit(
        depositEntry(u.id, 'live', '6', 'USDT', '25'),
        { chain: 'USDT-TRC20', toAddr: 'Taaa', txId: '0xabc' },
        T0 + 9,
      );
      const [dep] = await store.listDeposits(u.id, 'live', { limit: 10 });
      assert.equal(dep?.depId, depId);
      assert.deepEqual([dep?.chain, dep?.toAddr, dep?.txId, dep?.amt], ['USDT-TRC20', 'Taaa', '0xabc', '25']);
      assert.deepEqual(
        (await store.getBalances(u.id, 'live', '6')).map((r) => r.avail),
        ['25'],
      );
    },
  );
}
