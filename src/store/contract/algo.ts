import assert from 'node:assert/strict';
import { holdEntry } from '../../core/algo-funds.js';
import { type AlgoOrder, blankAlgo } from '../../core/algo-orders.js';
import { RuleError } from '../../core/errors.js';
import { depositEntry } from '../../core/ledger.js';
import { type ContractCase, T0 } from './fixtures.js';

function algoRow(userId: number, algoId: string, over: Partial<AlgoOrder> = {}): AlgoOrder {
  return {
    ...blankAlgo({ algoId, userId, env: 'live', instId: 'BTC-USDT', cTime: T0 }),
    side: 'sell',
    sz: '0.1',
    slTriggerPx: '90',
    slTriggerPxType: 'last',
    slOrdPx: '-1',
    tgtCcy: 'base_ccy',
    frozen: '0.1',
    frozenCcy: 'BTC',
    ...over,
  };
}

/** The contract of algo orders: funds frozen with them, conditional transitions, lists and paging. */
export function algoContract({ withStore, user }: ContractCase): void {
  withStore('algo: stored with its frozen funds in one transaction; 51008 stores nothing', async (store) => {
    const u = await user(store);
    await store.applyEntries([depositEntry(u.id, 'live', '18', 'BTC', '0.15')], T0);
    const a = algoRow(u.id, '1001', { algoClOrdId: 'mine' });
    await store.insertAlgos([a], [holdEntry(a, 'BTC', '0.1', 'algo_freeze')], T0);
    const b = algoRow(u.id, '1002');
    await assert.rejects(
      store.insertAlgos([b], [holdEntry(b, 'BTC', '0.1', 'algo_freeze')], T0),
      (err: unknown) => err instanceof RuleError && err.code === '51008',
    );
    assert.equal(await store.findAlgo(u.id, 'live', { algoId: '1002' }), null);
    assert.deepEqual(await store.findAlgo(u.id, 'live', { algoClOrdId: 'mine' }), a);
    assert.deepEqual(
      (await store.getBalances(u.id, 'live', '18')).map((r) => [r.ccy, r.avail, r.frozen]),
      [['BTC', '0.05', '0.1']],
    );
    // A pending algo's client id is taken: 51065.
    await assert.rejects(
      store.insertAlgos([algoRow(u.id, '1003', { algoClOrdId: 'mine', frozen: '0' })], [], T0),
      (err: unknown) => err instanceof RuleError && err.code === '51065',
    );
  });

  withStore('algo: a transition wins once (state, placing and uTime must still match)', async (store) => {
    const u = await user(store);
    const a = algoRow(u.id, '2001', { frozen: '0', frozenCcy: '' });
    await store.insertAlgos([a], [], T0);
    const fired = { ...a, state: 'effective' as const, placing: true, ordId: '77', uTime: T0 + 1 };
    const results = await Promise.all([
      store.transitionAlgo(fired, { state: 'live', uTime: T0 }, [], T0 + 1),
      store.transitionAlgo(fired, { state: 'live', uTime: T0 }, [], T0 + 1),
    ]);
    assert.deepEqual(results.sort(), [false, true]);
    assert.equal(
      await store.transitionAlgo({ ...fired, placing: false }, { state: 'effective', placing: false }, [], T0),
      false,
    );
    assert.deepEqual(await store.unfinishedAlgos(), [fired]);
    assert.equal(
      await store.transitionAlgo({ ...fired, placing: false }, { state: 'effective', placing: true }, [], T0),
      true,
    );
    assert.deepEqual(await store.unfinishedAlgos(), []);
    assert.deepEqual(await store.liveAlgos('live', 'BTC-USDT'), []);
  });

  withStore('algo: pending and history lists, types, states, paging by algoId, waiting ones hidden', async (store) => {
    const u = await user(store);
    const rows = [
      algoRow(u.id, '3001', { frozen: '0' }),
      algoRow(u.id, '3002', { frozen: '0', ordType: 'oco', tpTriggerPx: '110', tpOrdPx: '-1' }),
      algoRow(u.id, '3003', { frozen: '0', state: 'canceled' }),
      algoRow(u.id, '3004', { frozen: '0', ordType: 'trigger', triggerPx: '95', orderPx: '-1' }),
      algoRow(u.id, '3005', { frozen: '0', state: 'waiting', parentOrdId: '55' }),
      algoRow(u.id, '3006', { frozen: '0', instId: 'ETH-USDT' }),
    ];
    await store.insertAlgos(rows, [], T0);
    const ids = (l: AlgoOrder[]) => l.map((a) => a.algoId);
    const q = { pending: true, ordTypes: ['conditional', 'oco'] as const, limit: 100 };
    assert.deepEqual(ids(await store.listAlgos(u.id, 'live', q)), ['3006', '3002', '3001']);
    assert.deepEqual(ids(await store.listAlgos(u.id, 'live', { ...q, instId: 'BTC-USDT', limit: 1 })), ['3002']);
    assert.deepEqual(ids(await store.listAlgos(u.id, 'live', { ...q, after: '3006', limit: 1 })), ['3002']);
    assert.deepEqual(ids(await store.listAlgos(u.id, 'live', { ...q, before: '3001', limit: 1 })), ['3002']);
    assert.deepEqual(ids(await store.listAlgos(u.id, 'live', { ...q, ordTypes: ['trigger'] })), ['3004']);
    assert.deepEqual(ids(await store.listAlgos(u.id, 'live', { ...q, pending: false })), ['3003']);
    assert.deepEqual(ids(await store.listAlgos(u.id, 'live', { ...q, pending: false, state: 'effective' })), []);
    assert.equal(await store.findAlgo(u.id, 'live', { algoId: '3005' }), null);
    assert.deepEqual(ids(await store.childAlgos(u.id, 'live', '55')), ['3005']);
    assert.deepEqual(ids(await store.childAlgosOf(u.id, 'live', ['54', '55', '56'])), ['3005']);
    assert.deepEqual(ids(await store.childAlgosOf(u.id, 'live', [])), []);
    assert.deepEqual(ids(await store.childAlgosOf(u.id + 1, 'live', ['55'])), []);
    assert.deepEqual(ids(await store.liveAlgos('live', 'BTC-USDT')), ['3001', '3002', '3004']);
    assert.deepEqual(ids(await store.unfinishedAlgos()), ['3005']);
  });

  withStore('algo: changes since a cursor, in order, each once, none before the reader started', async (store) => {
    const u = await user(store);
    await store.insertAlgos([algoRow(u.id, '4001', { frozen: '0' })], [], T0);
    const start = await store.algoChangesSince('');
    assert.deepEqual(start.algos, []);
    const a = algoRow(u.id, '4002', { frozen: '0' });
    await store.insertAlgos([a], [], T0);
    await store.insertAlgos([algoRow(u.id, '4003', { frozen: '0' })], [], T0);
    // On PostgreSQL a change shows once every transaction in flight when it committed has ended,
    // across the whole server (other tests' too), so 4002 may show a read before 4003 does: follow
    // the cursor until both have shown, each once and in order, rather than expect them at once.
    const seen: string[] = [];
    let first = start;
    while (seen.length < 2) {
      const found = await store.algoChangesSince(first.cursor);
      if (found.algos.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      else {
        seen.push(...found.algos.map((x) => x.algoId));
        first = found;
      }
    }
    assert.deepEqual(seen, ['4002', '4003']);
    assert.deepEqual((await store.algoChangesSince(first.cursor)).algos, []);
    // A failed transition is no change; a won one is, with the algo as it is now.
    assert.equal(await store.transitionAlgo({ ...a, state: 'canceled' }, { state: 'effective' }, [], T0 + 1), false);
    assert.deepEqual((await store.algoChangesSince(first.cursor)).algos, []);
    assert.ok(await store.transitionAlgo({ ...a, state: 'canceled', uTime: T0 + 1 }, { state: 'live' }, [], T0 + 1));
    let second = await store.algoChangesSince(first.cursor);
    while (second.algos.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      second = await store.algoChangesSince(first.cursor);
    }
    assert.deepEqual(
      second.algos.map((x) => [x.algoId, x.state]),
      [['4002', 'canceled']],
    );
    assert.deepEqual((await store.algoChangesSince(second.cursor)).algos, []);
  });
}
