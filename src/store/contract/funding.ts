import assert from 'node:assert/strict';
import { RuleError } from '../../core/errors.js';
import { holdEntries, releaseEntries, settleEntries, type Withdrawal } from '../../core/funding.js';
import { depositEntry } from '../../core/ledger.js';
import { type ContractCase, T0 } from './fixtures.js';

/** The contract of withdrawals, deposits and the address book. */
export function fundingContract({ withStore, user }: ContractCase): void {
  withStore(
    'withdrawals: address book, insert with its hold, one-way state transitions, history, deposits',
    async (store) => {
      const u = await user(store);
      await store.applyEntries([depositEntry(u.id, 'live', '6', 'USDT', '20')], T0);
      const w: Withdrawal = {
        wdId: '500',
        clientId: 'c1',
        userId: u.id,
        env: 'live',
        ccy: 'USDT',
        chain: 'USDT-TRC20',
        amt: '10',
        fee: '1',
        dest: '4',
        toAddr: 'T1',
        toUserId: null,
        state: '0',
        txId: '',
        createdAt: T0,
        updatedAt: T0,
      };
      await store.insertWithdrawal(w, holdEntries(w), T0);
      await assert.rejects(
        store.insertWithdrawal({ ...w, wdId: '501' }, holdEntries({ ...w, amt: '9' }), T0),
        (err: unknown) => err instanceof RuleError && err.code === '51008',
      );
      assert.equal(await store.findWithdrawal(u.id, 'live', '501'), null);
      assert.deepEqual(await store.findWithdrawal(u.id, 'live', '500'), w);
      assert.deepEqual(
        (await store.pendingWithdrawals(T0)).map((p) => p.wdId),
        ['500'],
      );
      assert.deepEqual(await store.pendingWithdrawals(T0 - 1), []);
      const sent = await store.transitionWithdrawal(
        '500',
        '0',
        { state: '2', txId: '0xabc' },
        settleEntries(w),
        T0 + 1,
      );
      assert.deepEqual([sent?.state, sent?.txId], ['2', '0xabc']);
      // Not pending any more: a cancel changes nothing.
      assert.equal(
        await store.transitionWithdrawal('500', '0', { state: '-2', txId: '' }, releaseEntries(w), T0 + 2),
        null,
      );
      assert.deepEqual(
        (await store.getBalances(u.id, 'live', '6')).map((r) => [r.avail, r.frozen]),
        [['9', '0']],
      );
      assert.deepEqual(
        (await store.listWithdrawals(u.id, 'live', { limit: 10 })).map((x) => x.wdId),
        ['500'],
      );
      assert.deepEqual(await store.listWithdrawals(u.id, 'live', { ccy: 'BTC', limit: 10 }), []);
      assert.deepEqual(
        (await store.listDeposits(u.id, 'live', { limit: 10 })).map((d) => [d.ccy, d.amt, d.kind]),
        [['USDT', '20', 'deposit']],
      );
    },
  );

  withStore(
    'withdrawal addresses: add under the count check, no duplicates, per account, delete own only',
    async (store) => {
      const u = await user(store);
      const v = await user(store);
      const entry = {
        userId: u.id,
        ccy: 'USDT',
        chain: 'USDT-TRC20',
        address: 'TXYZabcdefghij',
        label: 'cold',
        createdAt: T0,
      };
      const counts: number[] = [];
      const a = await store.addWithdrawalAddress(entry, (n) => {
        counts.push(n);
      });
      await store.addWithdrawalAddress({ ...entry, chain: 'USDT-ERC20', address: '0xabcdef0123456789' }, (n) => {
        counts.push(n);
      });
      assert.deepEqual(counts, [0, 1]);
      await assert.rejects(
        store.addWithdrawalAddress(entry, () => undefined),
        RuleError,
      );
      await assert.rejects(
        store.addWithdrawalAddress({ ...entry, address: 'other-address-1' }, () => {
          throw new RuleError('51000', 'full');
        }),
        RuleError,
      );
      await store.addWithdrawalAddress({ ...entry, userId: v.id }, () => undefined);
      assert.deepEqual(
        (await store.listWithdrawalAddresses(u.id)).map((x) => x.chain),
        ['USDT-ERC20', 'USDT-TRC20'],
      );
      assert.deepEqual(
        (await store.listWithdrawalAddresses(u.id)).find((x) => x.id === a.id),
        a,
      );
      assert.equal(await store.deleteWithdrawalAddress(v.id, a.id), false);
      assert.equal(await store.deleteWithdrawalAddress(u.id, a.id), true);
      assert.equal((await store.listWithdrawalAddresses(u.id)).length, 1);
      assert.equal((await store.listWithdrawalAddresses(v.id)).length, 1);
    },
  );
}
