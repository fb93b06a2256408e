import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RuleError } from './errors.js';
import {
  formatPermissions,
  hasPermission,
  type PermissionSet,
  parsePermissions,
  type RouteAccess,
} from './permissions.js';

const READ_ONLY: PermissionSet = { read: true, trade: false, withdraw: false };
const READ_TRADE: PermissionSet = { read: true, trade: true, withdraw: false };
const READ_WITHDRAW: PermissionSet = { read: true, trade: false, withdraw: true };
const ALL: PermissionSet = { read: true, trade: true, withdraw: true };

function assertUnknownWord(input: string | readonly string[], word: string): void {
  assert.throws(
    () => parsePermissions(input),
    (e: unknown) => {
      assert.ok(e instanceof RuleError, `expected RuleError for ${JSON.stringify(input)}`);
      assert.equal(e.code, '51000');
      assert.equal(e.field, 'perm');
      assert.ok(e.message.includes(`"${word}"`), `message should name "${word}": ${e.message}`);
      return true;
    },
  );
}

describe('parsePermissions', () => {
  test('accepts read, read_only, trade and withdraw', () => {
    assert.deepEqual(parsePermissions('read'), READ_ONLY);
    assert.deepEqual(parsePermissions('read_only'), READ_ONLY);
    assert.deepEqual(parsePermissions('read,trade'), READ_TRADE);
    assert.deepEqual(parsePermissions('read_only,trade'), READ_TRADE);
    assert.deepEqual(parsePermissions('read_only,withdraw'), READ_WITHDRAW);
    assert.deepEqual(parsePermissions('read_only,trade,withdraw'), ALL);
  });

  test('always grants Read, even when it is not listed', () => {
    assert.deepEqual(parsePermissions('trade'), READ_TRADE);
    assert.deepEqual(parsePermissions('withdraw'), READ_WITHDRAW);
    assert.deepEqual(parsePermissions('withdraw,trade'), ALL);
  });

  test('empty input means read only', () => {
    assert.deepEqual(parsePermissions(''), READ_ONLY);
    assert.deepEqual(parsePermissions('   '), READ_ONLY);
    assert.deepEqual(parsePermissions(' , ,, '), READ_ONLY);
    assert.deepEqual(parsePermissions([]), READ_ONLY);
    assert.deepEqual(parsePermissions(['', '  ']), READ_ONLY);
  });

  test('is case-insensitive', () => {
    assert.deepEqual(parsePermissions('READ'), READ_ONLY);
    assert.deepEqual(parsePermissions('Read_Only,TRADE'), READ_TRADE);
    assert.deepEqual(parsePermissions('WithDraw'), READ_WITHDRAW);
  });

  test('ignores whitespace around words and empty items', () => {
    assert.deepEqual(parsePermissions('  trade ,\twithdraw\n'), ALL);
    assert.deepEqual(parsePermissions(',trade,,'), READ_TRADE);
  });

  test('accepts an array of words', () => {
    assert.deepEqual(parsePermissions(['read_only', 'trade']), READ_TRADE);
    assert.deepEqual(parsePermissions([' Withdraw ']), READ_WITHDRAW);
  });

  test('repeating a word is harmless', () => {
    assert.deepEqual(parsePermissions('trade,trade,TRADE'), READ_TRADE);
    assert.deepEqual(parsePermissions('read,read_only'), READ_ONLY);
  });

  test('refuses an unknown word with 51000, naming the word', () => {
    assertUnknownWord('admin', 'admin');
    assertUnknownWord('write', 'write');
    assertUnknownWord('readonly', 'readonly');
    assertUnknownWord('read only', 'read only');
    assertUnknownWord('*', '*');
    assertUnknownWord('trade;withdraw', 'trade;withdraw');
    assertUnknownWord(['trade', 'transfer'], 'transfer');
  });

  test('one unknown word refuses the whole list', () => {
    assertUnknownWord('read,trade,admin', 'admin');
    assertUnknownWord('admin,trade', 'admin');
  });

  test('the refusal names the word whatever its case', () => {
    assert.throws(
      () => parsePermissions('read,Superuser'),
      (e: unknown) => {
        assert.ok(e instanceof RuleError);
        assert.equal(e.code, '51000');
        assert.match(e.message, /superuser/i);
        return true;
      },
    );
  });
});

describe('formatPermissions', () => {
  test('spells permissions as OKX does, in the order read_only,trade,withdraw', () => {
    assert.equal(formatPermissions(READ_ONLY), 'read_only');
    assert.equal(formatPermissions(READ_TRADE), 'read_only,trade');
    assert.equal(formatPermissions(READ_WITHDRAW), 'read_only,withdraw');
    assert.equal(formatPermissions(ALL), 'read_only,trade,withdraw');
  });

  test('the order does not depend on the order the user typed', () => {
    assert.equal(formatPermissions(parsePermissions('withdraw,trade,read')), 'read_only,trade,withdraw');
  });

  test('round-trips through parsePermissions', () => {
    for (const perms of [READ_ONLY, READ_TRADE, READ_WITHDRAW, ALL]) {
      assert.deepEqual(parsePermissions(formatPermissions(perms)), perms);
    }
  });
});

describe('hasPermission', () => {
  const cases: ReadonlyArray<readonly [string, PermissionSet, Record<RouteAccess, boolean>]> = [
    ['read only', READ_ONLY, { public: true, read: true, trade: false, withdraw: false }],
    ['read+trade', READ_TRADE, { public: true, read: true, trade: true, withdraw: false }],
    ['read+withdraw', READ_WITHDRAW, { public: true, read: true, trade: false, withdraw: true }],
    ['all', ALL, { public: true, read: true, trade: true, withdraw: true }],
  ];
  for (const [name, perms, expected] of cases) {
    test(`a ${name} key`, () => {
      for (const access of ['public', 'read', 'trade', 'withdraw'] as const) {
        assert.equal(hasPermission(perms, access), expected[access], `${name} -> ${access}`);
      }
    });
  }
});
