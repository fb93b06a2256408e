import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Fill } from '../../core/matching.js';
import type { Order } from '../../core/orders.js';
import type { KeyRecord } from '../keys.js';
import { fillRow, orderRow, toFill, toOrder } from './exchange.js';
import { pgFlag, readFlag, readList, sqliteFlag, writeList } from './flags.js';
import { toWithdrawal, withdrawalRow } from './funding.js';
import { keyRow, toKey, toKeyChanges } from './keys.js';
import { toLedgerChanges } from './ledger.js';
import { toSession, toTotp } from './users.js';

const key: KeyRecord = {
  apiKey: '00000000-0000-4000-8000-000000000001',
  userId: 7,
  label: 'bot',
  perms: { read: true, trade: true, withdraw: false },
  ips: ['1.2.3.4', '10.0.0.0/8'],
  env: 'live',
  secretSealed: Buffer.from([1, 2, 3]),
  passphraseHash: 'scrypt$x',
  createdAt: 1,
  updatedAt: 2,
  lastUsedAt: null,
  appId: 'app-1',
  disabledAt: 5,
  prevSecretSealed: Buffer.from([4, 5]),
  prevSecretUntil: 9,
};

describe('row codecs', () => {
  test('flags: 0/1 from SQLite and booleans from PostgreSQL read the same; each adapter binds its own', () => {
    assert.deepEqual([readFlag(1), readFlag(0), readFlag(true), readFlag(false)], [true, false, true, false]);
    assert.deepEqual([sqliteFlag(true), sqliteFlag(false), pgFlag(true), pgFlag(false)], [1, 0, true, false]);
  });

  test('lists: the empty string is the empty list, and back', () => {
    assert.deepEqual(readList(''), []);
    assert.deepEqual(readList('a,b'), ['a', 'b']);
    assert.equal(writeList([]), '');
    assert.equal(writeList(['a', 'b']), 'a,b');
  });

  test('keys round-trip through the row of either adapter', () => {
    const sqlite = keyRow(key, sqliteFlag);
    assert.equal(sqlite.perm_trade, 1);
    assert.equal(sqlite.ips, '1.2.3.4,10.0.0.0/8');
    assert.deepEqual(toKey(sqlite), key);
    const pg = keyRow(key, pgFlag);
    assert.equal(pg.perm_withdraw, false);
    assert.deepEqual(toKey(pg), key);
    assert.deepEqual(toKey(keyRow({ ...key, ips: [] }, sqliteFlag)).ips, []);
  });

  test('orders, fills and withdrawals round-trip; book rows carry the book version', () => {
    const order: Order = {
      ordId: '12',
      clOrdId: 'c1',
      tag: 't',
      userId: 7,
      env: 'demo',
      instId: 'BTC-USDT',
      side: 'sell',
      ordType: 'limit',
      px: '100',
      sz: '1',
      tgtCcy: '',
      accFillSz: '0.5',
      accFillQuote: '50',
      fee: '0.05',
      feeCcy: 'USDT',
      frozen: '0.5',
      state: 'partially_filled',
      cancelSource: '',
      cTime: 1,
      uTime: 2,
      queuedAt: 1,
    };
    const row = orderRow(order, 9);
    assert.equal(row.book_seq, 9);
    assert.deepEqual(toOrder(row), order);
    const fill: Fill = {
      tradeId: '5',
      instId: 'BTC-USDT',
      ordId: '12',
      clOrdId: 'c1',
      tag: 't',
      userId: 7,
      env: 'demo',
      side: 'sell',
      px: '100',
      sz: '0.5',
      fee: '0.05',
      feeCcy: 'USDT',
      execType: 'M',
      ts: 3,
    };
    assert.equal(fillRow(fill, 9).book_seq, 9);
    assert.deepEqual(toFill(fillRow(fill, 9)), fill);
    const w = {
      wdId: '1',
      clientId: '',
      userId: 7,
      env: 'demo' as const,
      ccy: 'USDT',
      chain: 'USDT-TRC20',
      amt: '1',
      fee: '0',
      dest: '4' as const,
      toAddr: 'a@b.c',
      toUserId: 8,
      state: '0' as const,
      txId: '',
      createdAt: 1,
      updatedAt: 1,
    };
    assert.deepEqual(toWithdrawal(withdrawalRow(w)), w);
  });

  test('sessions and authenticators read flags and lists', () => {
    const s = toSession({ id_hash: 'h', user_id: 1, csrf_token: 'c', verified: 0, created_at: 1, expires_at: 2 });
    assert.equal(s.verified, false);
    const t = toTotp({ user_id: 1, secret_sealed: Buffer.from([1]), enabled: true, recovery_hashes: '', last_step: 4 });
    assert.equal(t.enabled, true);
    assert.deepEqual(t.recoveryHashes, []);
  });

  test('change feeds: the cursor moves to the last row read, or stays; accounts once each', () => {
    assert.deepEqual(toKeyChanges([], 5), { cursor: 5, apiKeys: [] });
    const keyFeed = [
      { id: 6, api_key: 'a' },
      { id: 8, api_key: 'a' },
    ];
    assert.deepEqual(toKeyChanges(keyFeed, 5), { cursor: 8, apiKeys: ['a', 'a'] });
    assert.deepEqual(toLedgerChanges([], 3), { cursor: 3, accounts: [] });
    const rows = [
      { id: 4, user_id: 1, env: 'live' as const },
      { id: 5, user_id: 2, env: 'demo' as const },
      { id: 6, user_id: 1, env: 'live' as const },
    ];
    const accounts = [
      { userId: 1, env: 'live' },
      { userId: 2, env: 'demo' },
    ];
    assert.deepEqual(toLedgerChanges(rows, 3), { cursor: 6, accounts });
  });
});
