import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressBook } from './address-book.js';
import { addUser, memoryStore, ruleError, T0 } from './test-store.test-helpers.js';

const store = memoryStore();
after(() => store.close());
const book = new AddressBook(store);
const TRON = 'TXYZabcdefghijklmnopqrstuvwx12345';

test('addresses are checked, normalised, kept per account, refused twice, and removed by their owner only', async () => {
  const user = await addUser(store, 'book@example.com');
  const other = await addUser(store, 'other-book@example.com');
  const added = await book.add(user.id, { ccy: 'usdt', chain: 'usdt-trc20', address: ` ${TRON} `, label: ' cold ' }, T0);
  assert.deepEqual({ ...added, id: 0 }, { id: 0, userId: user.id, ccy: 'USDT', chain: 'USDT-TRC20', address: TRON, label: 'cold', createdAt: T0 });
  assert.deepEqual(await book.list(user.id), [added]);
  assert.deepEqual(await book.list(other.id), []);

  await assert.rejects(book.add(user.id, { ccy: 'USDT', chain: 'USDT-TRC20', address: TRON, label: 'again' }, T0), ruleError('51000', 'address'));
  await assert.rejects(book.add(user.id, { ccy: 'DOGE', chain: 'DOGE', address: TRON, label: '' }, T0), ruleError('51000', 'ccy'));
  await assert.rejects(book.add(user.id, { ccy: 'USDT', chain: 'BTC-Bitcoin', address: TRON, label: '' }, T0), ruleError('51000', 'chain'));
  await assert.rejects(book.add(user.id, { ccy: 'USDT', chain: 'USDT-ERC20', address: 'short', label: '' }, T0), ruleError('51000', 'address'));
  assert.throws(() => book.validate({ ccy: 'USDT', chain: 'USDT-ERC20', address: TRON, label: 'x'.repeat(51) }), ruleError('51000', 'label'));
  assert.equal(book.validate({ ccy: 'btc', chain: 'BTC-Bitcoin', address: TRON, label: '' }).ccy, 'BTC');
  await book.add(other.id, { ccy: 'USDT', chain: 'USDT-TRC20', address: TRON, label: '' }, T0);

  assert.equal(await book.remove(other.id, added.id), false, 'not the owner');
  assert.equal(await book.remove(user.id, added.id), true);
  assert.equal(await book.remove(user.id, added.id), false, 'already gone');
  assert.deepEqual(await book.list(user.id), []);
  assert.equal((await book.list(other.id)).length, 1);
});
