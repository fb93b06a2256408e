import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import { FUNDING, TRADING } from '../core/ledger.js';
import type { Store } from '../store/store.js';
import { FundingService } from './funding-service.js';
import { LedgerService } from './ledger-service.js';
import { addUser, balanceOf, memoryStore, ruleError, seedSubAccount, T0 } from './test-store.test-helpers.js';

/** A master with 100 USDT in funding, two sub-accounts (sub2 may not transfer out), a frozen one, and another master. */
async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const store = memoryStore();
  t.after(() => store.close());
  const ledger = new LedgerService(store);
  const service = new FundingService(store, ledger, 60_000);
  await ledger.start();
  await service.start();
  const master = await addUser(store, `master${Math.random()}@example.com`);
  const other = await addUser(store, `other${Math.random()}@example.com`);
  const sub1 = await seedSubAccount(store, master.id, `alpha${suffix()}`);
  const sub2 = await seedSubAccount(store, master.id, `bravo${suffix()}`, { canTransOut: false });
  const frozen = await seedSubAccount(store, master.id, `frozen${suffix()}`, { enabled: false });
  const foreign = await seedSubAccount(store, other.id, `delta${suffix()}`);
  await ledger.deposit(master.id, 'live', FUNDING, 'USDT', '100', T0);
  const usdt = async (userId: number, account = FUNDING) =>
    (await balanceOf(ledger, userId, 'live', account, 'USDT')).avail;
  return { store, ledger, service, master, other, sub1, sub2, frozen, foreign, usdt };
}

let n = 0;
const suffix = () => String(++n).padStart(3, '0');

/** Sum of USDT over every account of the given users, funding and trading. */
async function total(store: Store, userIds: number[]): Promise<string> {
  let sum = new Big(0);
  for (const id of userIds)
    for (const account of [FUNDING, TRADING])
      for (const r of await store.getBalances(id, 'live', account)) if (r.ccy === 'USDT') sum = sum.plus(r.avail);
  return sum.toFixed();
}

test('types 1 to 4 move money between master and sub-accounts and conserve it', async (t) => {
  const { store, service, master, sub1, sub2, usdt } = await setup(t);
  const all = [master.id, sub1.userId, sub2.userId];
  const move = (userId: number, req: Record<string, string>, at: number) =>
    service.transfer(userId, 'live', { ccy: 'USDT', from: '6', to: '6', ...req }, T0 + at);

  const one = await move(master.id, { type: '1', subAcct: sub1.name, amt: '40', to: '18', clientId: 'm2s' }, 1);
  assert.deepEqual(
    { ...one, transId: '' },
    { transId: '', ccy: 'USDT', amt: '40', from: '6', to: '18', clientId: 'm2s' },
  );
  assert.equal(await usdt(master.id), '60');
  assert.equal(await usdt(sub1.userId, TRADING), '40');

  await move(master.id, { type: '1', subAcct: sub2.name, amt: '10' }, 2);
  await move(master.id, { type: '2', subAcct: sub1.name, amt: '5', from: '18' }, 3);
  await move(sub1.userId, { type: '3', amt: '5', from: '18', to: '18' }, 4);
  assert.equal(await usdt(master.id, TRADING), '5');
  await move(sub1.userId, { type: '4', subAcct: sub2.name, amt: '30', from: '18' }, 5);
  assert.deepEqual(
    [await usdt(master.id), await usdt(sub1.userId, TRADING), await usdt(sub2.userId)],
    ['55', '0', '40'],
  );
  assert.equal(await total(store, all), '100');

  // transfer-state: both parties find it, by id or client id; the state names the sub-account.
  const byMaster = await service.subTransfers.find(master.id, 'live', { clientId: 'm2s' }, undefined);
  const bySub = await service.subTransfers.find(sub1.userId, 'live', { transId: one.transId }, '1');
  assert.equal(byMaster?.transId, one.transId);
  assert.deepEqual(
    [bySub?.subAcct, bySub?.type, bySub?.from, bySub?.to, bySub?.amt],
    [sub1.name, '1', '6', '18', '40'],
  );
  assert.equal(await service.subTransfers.find(sub1.userId, 'live', { transId: one.transId }, '2'), null);

  // The master's bills: type 0 master → sub, 1 sub → master; sub → sub is not among them.
  const bills = await service.subTransfers.bills(master.id, 'live', { limit: 100 });
  assert.deepEqual(
    bills.map((b) => [b.type, b.subAcct, b.amt]),
    [
      ['1', sub1.name, '5'],
      ['1', sub1.name, '5'],
      ['0', sub2.name, '10'],
      ['0', sub1.name, '40'],
    ],
  );
  const out = await service.subTransfers.bills(master.id, 'live', { type: '0', subAcct: sub2.name, limit: 100 });
  assert.deepEqual(
    out.map((b) => b.amt),
    ['10'],
  );
  const older = await service.subTransfers.bills(master.id, 'live', { afterTs: T0 + 3, limit: 1 });
  assert.deepEqual(
    older.map((b) => b.ts),
    [String(T0 + 2)],
  );
  const newer = await service.subTransfers.bills(master.id, 'live', { beforeTs: T0 + 1, limit: 2 });
  assert.deepEqual(
    newer.map((b) => b.ts),
    [String(T0 + 3), String(T0 + 2)],
  );
});

test('funding bills carry OKX types 20 to 23 on both sides', async (t) => {
  const { store, service, master, sub1 } = await setup(t);
  await service.transfer(
    master.id,
    'live',
    { type: '1', subAcct: sub1.name, ccy: 'USDT', amt: '7', from: '6', to: '6' },
    T0 + 1,
  );
  await service.transfer(sub1.userId, 'live', { type: '3', ccy: 'USDT', amt: '2', from: '6', to: '6' }, T0 + 2);
  const kinds = async (userId: number) =>
    (await store.listBills({ userId, env: 'live', account: FUNDING, minTs: 0, limit: 10 })).map((b) => [
      b.kind,
      b.balChg,
    ]);
  assert.deepEqual(await kinds(master.id), [
    ['from_sub', '2'],
    ['to_sub', '-7'],
    ['deposit', '100'],
  ]);
  assert.deepEqual(await kinds(sub1.userId), [
    ['to_master', '-2'],
    ['from_master', '7'],
  ]);
});

test('who may send which type, and every refusal code', async (t) => {
  const { service, master, sub1, sub2, frozen, foreign, usdt } = await setup(t);
  await service.transfer(
    master.id,
    'live',
    { type: '1', subAcct: sub1.name, ccy: 'USDT', amt: '10', from: '6', to: '6' },
    T0,
  );
  await service.transfer(
    master.id,
    'live',
    { type: '1', subAcct: sub2.name, ccy: 'USDT', amt: '10', from: '6', to: '6' },
    T0,
  );
  const send = (userId: number, req: Record<string, unknown>) =>
    service.transfer(userId, 'live', { ccy: 'USDT', amt: '1', from: '6', to: '6', ...req }, T0 + 1);

  await assert.rejects(send(sub1.userId, { type: '1', subAcct: sub2.name }), ruleError('58128', 'type'));
  await assert.rejects(send(sub1.userId, { type: '2', subAcct: sub2.name }), ruleError('58128', 'type'));
  await assert.rejects(send(master.id, { type: '3' }), ruleError('58127', 'type'));
  await assert.rejects(send(master.id, { type: '4', subAcct: sub1.name }), ruleError('58127', 'type'));
  await assert.rejects(send(master.id, { type: '1' }), ruleError('50014', 'subAcct'));
  await assert.rejects(send(master.id, { type: '2', subAcct: '' }), ruleError('50014', 'subAcct'));
  await assert.rejects(send(sub1.userId, { type: '4' }), ruleError('50014', 'subAcct'));
  await assert.rejects(send(master.id, { type: '1', subAcct: 'nosuchsub' }), ruleError('58115', 'subAcct'));
  // Another master's sub-account is unknown to this one, as is any name to another master's sub-account.
  await assert.rejects(send(master.id, { type: '1', subAcct: foreign.name }), ruleError('58115', 'subAcct'));
  await assert.rejects(send(sub1.userId, { type: '4', subAcct: foreign.name }), ruleError('58115', 'subAcct'));
  await assert.rejects(send(sub1.userId, { type: '4', subAcct: sub1.name }), ruleError('59507', 'subAcct'));
  await assert.rejects(send(master.id, { type: '1', subAcct: frozen.name }), ruleError('59508', 'subAcct'));
  await assert.rejects(send(master.id, { type: '2', subAcct: frozen.name }), ruleError('59508', 'subAcct'));
  await assert.rejects(send(sub1.userId, { type: '4', subAcct: frozen.name }), ruleError('59508', 'subAcct'));
  // canTransOut false: sub2 moves nothing out by itself, but its master may still take money back.
  await assert.rejects(send(sub2.userId, { type: '4', subAcct: sub1.name }), ruleError('58119'));
  await assert.rejects(send(sub2.userId, { type: '3' }), ruleError('58119'));
  await send(master.id, { type: '2', subAcct: sub2.name });
  // Too much: the funding code, and nothing moved.
  await assert.rejects(send(master.id, { type: '2', subAcct: sub1.name, amt: '10.5' }), ruleError('58350'));
  await assert.rejects(send(sub1.userId, { type: '3', from: '18' }), ruleError('58350'));
  await assert.rejects(send(master.id, { type: '1', subAcct: sub1.name, amt: '81.5' }), ruleError('58350'));
  assert.deepEqual([await usdt(master.id), await usdt(sub1.userId), await usdt(sub2.userId)], ['81', '10', '9']);
  // from == to is legal between accounts (ccxt's default 6 → 6); loanTrans/omitPosRisk are accepted.
  await send(master.id, { type: '1', subAcct: sub1.name, loanTrans: false, omitPosRisk: 'false' });
  await assert.rejects(
    send(master.id, { type: '1', subAcct: sub1.name, loanTrans: 'maybe' }),
    ruleError('51000', 'loanTrans'),
  );
  await assert.rejects(send(master.id, { type: '7', subAcct: sub1.name }), ruleError('51000', 'type'));
  // python-okx sends "" for type: within the account.
  await assert.rejects(send(master.id, { type: '' }), ruleError('58123', 'to'));
});

test('each environment has its own money: a demo transfer moves demo funds only', async (t) => {
  const { ledger, service, master, sub1, usdt } = await setup(t);
  await assert.rejects(
    service.transfer(
      master.id,
      'demo',
      { type: '1', subAcct: sub1.name, ccy: 'USDT', amt: '1', from: '6', to: '6' },
      T0,
    ),
    ruleError('58350'),
  );
  await ledger.deposit(master.id, 'demo', FUNDING, 'USDT', '5', T0);
  await service.transfer(
    master.id,
    'demo',
    { type: '1', subAcct: sub1.name, ccy: 'USDT', amt: '5', from: '6', to: '6' },
    T0,
  );
  assert.equal((await balanceOf(ledger, sub1.userId, 'demo', FUNDING, 'USDT')).avail, '5');
  assert.equal(await usdt(sub1.userId), '0');
});
