import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AddressBook } from './address-book.js';
import { addUser, memoryStore, ruleError, T0 } from './test-store.test-helpers.js';

const store = memoryStore();
after(() => store.close());
const book = new AddressBook(store);
const TRON = 'TXYZabcdefghijklmnopqrstuvwx12345';

test('addresses are checked, normalised, kept per account, refused twice, removed by their owner', async () => {
  const user = await addUser(store, 'book@example.com');
  const other = await addUser(store, 'other-book@example.com');
  const entry = (ccy: string, chain: string, address = TRON, label = '') => ({ ccy, chain, address, label });
  const added = await book.add(user.id, entry('usdt', 'usdt-trc20', ` ${TRON} `, ' cold '), T0);
  assert.deepEqual(
    { ...added, id: 0 },
    { id: 0, userId: user.id, ccy: 'USDT', chain: 'USDT-TRC20', address: TRON, label: 'cold', createdAt: T0 },
  );
  assert.deepEqual(await book.list(user.id), [added]);
  assert.deepEqual(await book.list(other.id), []);

  const again = book.add(user.id, entry('USDT', 'USDT-TRC20', TRON, 'again'), T0);
  await assert.rejects(again, ruleError('51000', 'address'));
  await assert.rejects(book.add(user.id, entry('DOGE', 'DOGE'), T0), ruleError('51000', 'ccy'));
  await assert.rejects(book.add(user.id, entry('USDT', 'BTC-Bitcoin'), T0), ruleError('51000', 'chain'));
  await assert.rejects(book.add(user.id, entry('USDT', 'USDT-ERC20', 'short'), T0), ruleError('51000', 'address'));
  assert.throws(() => book.validate(entry('USDT', 'USDT-ERC20', TRON, 'x'.repeat(51))), ruleError('51000', 'label'));
  assert.equal(book.validate(entry('btc', 'BTC-Bitcoin')).ccy, 'BTC');
  await book.add(other.id, entry('USDT', 'USDT-TRC20'), T0);

  assert.equal(await book.remove(other.id, added.id), false, 'not the owner');
  assert.equal(await book.remove(user.id, added.id), true);
  assert.equal(await book.remove(user.id, added.id), false, 'already gone');
  assert.deepEqual(await book.list(user.id), []);
  assert.equal((await book.list(other.id)).length, 1);
});
