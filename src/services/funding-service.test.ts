import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FUNDING, TRADING } from '../core/ledger.js';
import { AddressBook } from './address-book.js';
import { FundingService } from './funding-service.js';
import { LedgerService } from './ledger-service.js';
import { addUser, balanceOf, memoryStore, ruleError, T0 } from './test-store.test-helpers.js';

const SETTLE_MS = 60_000;
const TRON = 'TXYZabcdefghijklmnopqrstuvwx12345';

async function funding(t: { after: (fn: () => Promise<void>) => void }) {
  const store = memoryStore();
  t.after(() => store.close());
  const ledger = new LedgerService(store);
  const service = new FundingService(store, ledger, SETTLE_MS);
  await ledger.start();
  await service.start();
  const user = await addUser(store, 'funds@example.com');
  await ledger.deposit(user.id, 'live', FUNDING, 'USDT', '100', T0);
  const usdt = (userId: number, account = FUNDING) => balanceOf(ledger, userId, 'live', account, 'USDT');
  return { store, ledger, service, user, usdt };
}

test('a transfer moves funds between the funding and trading accounts; too much is refused with 58350', async (t) => {
  const { service, user, usdt } = await funding(t);
  const toTrading = { ccy: 'usdt', amt: '30', from: '6', to: '18', clientId: 'c1' };
  const moved = await service.transfer(user.id, 'live', toTrading, T0 + 1);
  assert.deepEqual(
    { ...moved, transId: '' },
    { transId: '', ccy: 'USDT', amt: '30', from: '6', to: '18', clientId: 'c1' },
  );
  assert.deepEqual(await usdt(user.id), { avail: '70', frozen: '0' });
  assert.deepEqual(await usdt(user.id, TRADING), { avail: '30', frozen: '0' });
  const transfer = (req: Record<string, string>) => service.transfer(user.id, 'live', { ccy: 'USDT', ...req }, T0 + 2);
  await assert.rejects(transfer({ amt: '30.000001', from: '18', to: '6' }), ruleError('58350'));
  await assert.rejects(transfer({ amt: '1', from: '6', to: '6' }), ruleError('58123', 'to'));
  await assert.rejects(transfer({ amt: '1', from: '6', to: '18', type: '5' }), ruleError('51000', 'type'));
  const back = await service.transfer(user.id, 'live', { ccy: 'USDT', amt: '30', from: '18', to: '6' }, T0 + 3);
  assert.ok(BigInt(back.transId) > BigInt(moved.transId), 'transfer ids increase');
  assert.deepEqual(await usdt(user.id), { avail: '100', frozen: '0' });
});

test('an on-chain withdrawal goes only to a listed address, holds amount and fee, can be canceled', async (t) => {
  const { store, service, user, usdt } = await funding(t);
  const req = { ccy: 'USDT', chain: 'USDT-TRC20', amt: '10', dest: '4', toAddr: TRON };
  await assert.rejects(service.withdraw(user.id, 'live', req, T0 + 1), ruleError('58207', 'toAddr'));
  await new AddressBook(store).add(user.id, { ccy: 'USDT', chain: 'USDT-TRC20', address: TRON, label: '' }, T0);
  const w = await service.withdraw(user.id, 'live', req, T0 + 1);
  assert.deepEqual([w.state, w.amt, w.fee, w.dest], ['0', '10', '1', '4']);
  assert.deepEqual(await usdt(user.id), { avail: '89', frozen: '11' });
  await assert.rejects(service.withdraw(user.id, 'live', { ...req, amt: '90' }, T0 + 1), ruleError('58350'));
  await assert.rejects(service.withdraw(user.id, 'live', { ...req, amt: '1' }, T0 + 1), ruleError('58206'));

  const canceled = await service.cancel(user.id, 'live', w.wdId, T0 + 2);
  assert.equal(canceled.state, '-2');
  assert.deepEqual(await usdt(user.id), { avail: '100', frozen: '0' });
  await assert.rejects(service.cancel(user.id, 'live', w.wdId, T0 + 3), ruleError('58216'));
  await assert.rejects(service.cancel(user.id, 'live', '123', T0 + 3), ruleError('58215'));
});

test('a pending withdrawal is sent once it has waited settleMs, and can no longer be canceled', async (t) => {
  const { store, service, user, usdt } = await funding(t);
  await new AddressBook(store).add(user.id, { ccy: 'USDT', chain: 'USDT-TRC20', address: TRON, label: '' }, T0);
  const req = { ccy: 'USDT', chain: 'USDT-TRC20', amt: '20', dest: '4', toAddr: TRON };
  const w = await service.withdraw(user.id, 'live', req, T0);
  assert.equal(await service.settlePending(T0 + SETTLE_MS - 1), 0, 'not yet');
  assert.equal(await service.settlePending(T0 + SETTLE_MS), 1);
  assert.equal(await service.settlePending(T0 + SETTLE_MS + 1), 0, 'sent once');
  const [sent] = await service.listWithdrawals(user.id, 'live', { limit: 10 });
  assert.equal(sent?.wdId, w.wdId);
  assert.equal(sent?.state, '2');
  assert.match(sent?.txId ?? '', /^0x[0-9a-f]{64}$/);
  assert.deepEqual(await usdt(user.id), { avail: '79', frozen: '0' });
  await assert.rejects(service.cancel(user.id, 'live', w.wdId, T0 + SETTLE_MS + 2), ruleError('58216'));
});

test('an internal withdrawal reaches another account by email at once, as its deposit', async (t) => {
  const { store, service, user, usdt } = await funding(t);
  const friend = await addUser(store, 'friend@example.com');
  const req = { ccy: 'USDT', amt: '25', dest: '3', toAddr: 'Friend@Example.com' };
  const w = await service.withdraw(user.id, 'live', req, T0 + 1);
  assert.deepEqual([w.state, w.fee, w.toUserId], ['2', '0', friend.id]);
  assert.deepEqual(await usdt(user.id), { avail: '75', frozen: '0' });
  assert.deepEqual(await usdt(friend.id), { avail: '25', frozen: '0' });
  const deposits = await service.listDeposits(friend.id, 'live', { limit: 10 });
  assert.deepEqual(
    deposits.map((d) => [d.ccy, d.amt, d.kind, d.ref]),
    [['USDT', '25', 'internal_in', w.wdId]],
  );
  const toNobody = { ccy: 'USDT', amt: '1', dest: '3', toAddr: 'nobody@example.com' };
  await assert.rejects(service.withdraw(user.id, 'live', toNobody, T0 + 2), ruleError('58207'));
  const toSelf = { ccy: 'USDT', amt: '1', dest: '3', toAddr: 'funds@example.com' };
  await assert.rejects(service.withdraw(user.id, 'live', toSelf, T0 + 2), ruleError('51000'));
  await assert.rejects(service.cancel(user.id, 'live', w.wdId, T0 + 3), ruleError('58216'), 'internal ones are final');
});
