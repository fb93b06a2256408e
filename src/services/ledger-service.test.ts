import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FUNDING, TRADING } from '../core/ledger.js';
import { LedgerService } from './ledger-service.js';
import { addUser, balanceOf, memoryStore, ruleError, T0 } from './test-store.test-helpers.js';

const store = memoryStore();
after(() => store.close());

test('a deposit credits the account and type it names, and the served balance follows it', async () => {
  const ledger = new LedgerService(store);
  await ledger.start();
  const user = await addUser(store, 'deposit@example.com');
  await ledger.deposit(user.id, 'live', TRADING, 'usdt', '100.5', T0);
  await ledger.deposit(user.id, 'live', TRADING, 'USDT', '0.5', T0 + 1);
  assert.deepEqual(await balanceOf(ledger, user.id, 'live', TRADING, 'USDT'), { avail: '101', frozen: '0' });
  assert.deepEqual(await balanceOf(ledger, user.id, 'live', FUNDING, 'USDT'), { avail: '0', frozen: '0' });
  assert.deepEqual(await balanceOf(ledger, user.id, 'demo', TRADING, 'USDT'), { avail: '0', frozen: '0' });
  const snap = await ledger.snapshot(user.id, 'live', TRADING, T0 + 2);
  assert.equal(snap.uTime, T0 + 1, 'uTime is the newest change');
  assert.equal(ledger.snapshot(user.id, 'live', TRADING, T0 + 3), snap, 'served from the snapshot, synchronously');
});

test('an entry that would overdraw is refused with 51008 and changes nothing', async () => {
  const ledger = new LedgerService(store);
  await ledger.start();
  const user = await addUser(store, 'overdraft@example.com');
  await ledger.deposit(user.id, 'live', TRADING, 'BTC', '1', T0);
  const spend = (amt: string) => ({
    userId: user.id,
    env: 'live' as const,
    account: TRADING,
    ccy: 'BTC',
    availDelta: `-${amt}`,
    frozenDelta: '0',
    kind: 'test',
    ref: '',
  });
  const credit = { ...spend('0'), ccy: 'USDT', availDelta: '5' };
  await assert.rejects(ledger.apply([credit, spend('1.00000001')], T0 + 1), ruleError('51008'));
  assert.deepEqual(await balanceOf(ledger, user.id, 'live', TRADING, 'BTC'), { avail: '1', frozen: '0' });
  assert.deepEqual(
    await balanceOf(ledger, user.id, 'live', TRADING, 'USDT'),
    { avail: '0', frozen: '0' },
    'all or nothing',
  );
  await ledger.apply([spend('1')], T0 + 2);
  assert.deepEqual(await balanceOf(ledger, user.id, 'live', TRADING, 'BTC'), { avail: '0', frozen: '0' });
});

test('a deposit of an unlisted currency or a malformed amount is refused with 51000', async () => {
  const ledger = new LedgerService(store);
  const user = await addUser(store, 'refused@example.com');
  await assert.rejects(ledger.deposit(user.id, 'live', TRADING, 'DOGE', '1', T0), ruleError('51000', 'ccy'));
  for (const amt of ['0', '-1', '1e3', '0.0000000000000000001']) {
    await assert.rejects(ledger.deposit(user.id, 'live', TRADING, 'BTC', amt, T0), ruleError('51000', 'amt'), amt);
  }
  assert.deepEqual(await balanceOf(ledger, user.id, 'live', TRADING, 'BTC'), { avail: '0', frozen: '0' });
});

test('sync() drops snapshots of accounts another process changed, and tells the listeners', async () => {
  const here = new LedgerService(store);
  const elsewhere = new LedgerService(store);
  await here.start();
  const user = await addUser(store, 'sync@example.com');
  await here.deposit(user.id, 'demo', FUNDING, 'ETH', '2', T0);
  assert.deepEqual(await balanceOf(here, user.id, 'demo', FUNDING, 'ETH'), { avail: '2', frozen: '0' });
  const changed: string[] = [];
  here.onChange((userId, env) => changed.push(`${userId}:${env}`));
  await elsewhere.deposit(user.id, 'demo', FUNDING, 'ETH', '3', T0 + 1);
  assert.deepEqual(
    await balanceOf(here, user.id, 'demo', FUNDING, 'ETH'),
    { avail: '2', frozen: '0' },
    'stale until sync',
  );
  assert.equal(await here.sync(), 1, 'one account changed (by both deposits)');
  assert.ok(changed.includes(`${user.id}:demo`));
  assert.deepEqual(await balanceOf(here, user.id, 'demo', FUNDING, 'ETH'), { avail: '5', frozen: '0' });
  assert.equal(await here.sync(), 0, 'nothing new');
});
