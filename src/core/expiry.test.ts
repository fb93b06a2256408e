import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canExpire,
  DAY_MS,
  DEFAULT_EXPIRY,
  type ExpiryFacts,
  type ExpiryPolicy,
  expiredKeys,
  expiresAt,
  isExpired,
} from './expiry.js';
import type { PermissionSet } from './permissions.js';

const ONE_DAY = 24 * 60 * 60 * 1000;
const CREATED = Date.UTC(2024, 0, 15, 12, 0, 0);
const READ_ONLY: PermissionSet = { read: true, trade: false, withdraw: false };
const TRADE: PermissionSet = { read: true, trade: true, withdraw: false };
const WITHDRAW: PermissionSet = { read: true, trade: false, withdraw: true };
const UNBOUND_TRADING_14: ExpiryPolicy = { scope: 'unbound-trading', periodMs: 14 * ONE_DAY };

function key(overrides: Partial<ExpiryFacts> = {}): ExpiryFacts {
  return { env: 'live', ips: [], perms: READ_ONLY, createdAt: CREATED, lastUsedAt: null, ...overrides };
}

describe('constants', () => {
  test('a day is 86 400 000 ms and the default policy is 30 days for every unbound key', () => {
    assert.equal(DAY_MS, ONE_DAY);
    assert.equal(DEFAULT_EXPIRY.scope, 'unbound');
    assert.equal(DEFAULT_EXPIRY.periodMs, 30 * ONE_DAY);
    assert.ok(Object.isFrozen(DEFAULT_EXPIRY));
  });
});

describe('isExpired with the default policy', () => {
  test('an unbound key idle for 29 days survives', () => {
    assert.equal(isExpired(key(), DEFAULT_EXPIRY, CREATED + 29 * ONE_DAY), false);
  });

  test('one millisecond before 30 days it still survives', () => {
    assert.equal(isExpired(key(), DEFAULT_EXPIRY, CREATED + 30 * ONE_DAY - 1), false);
  });

  test('an unbound key idle for exactly 30 days expires', () => {
    assert.equal(isExpired(key(), DEFAULT_EXPIRY, CREATED + 30 * ONE_DAY), true);
  });

  test('an unbound key idle for 31 days expires', () => {
    assert.equal(isExpired(key(), DEFAULT_EXPIRY, CREATED + 31 * ONE_DAY), true);
  });

  test('a fresh key is not expired', () => {
    assert.equal(isExpired(key(), DEFAULT_EXPIRY, CREATED), false);
  });

  test('lastUsedAt, not createdAt, starts the idle period', () => {
    const used = key({ lastUsedAt: CREATED + 20 * ONE_DAY });
    assert.equal(isExpired(used, DEFAULT_EXPIRY, CREATED + 31 * ONE_DAY), false);
    assert.equal(isExpired(used, DEFAULT_EXPIRY, CREATED + 49 * ONE_DAY), false);
    assert.equal(isExpired(used, DEFAULT_EXPIRY, CREATED + 50 * ONE_DAY), true);
  });

  test('a key bound to an IP never expires', () => {
    for (const ips of [['203.0.113.7'], ['10.0.0.0/8'], ['2001:db8::/32', '1.2.3.4']]) {
      const bound = key({ ips, perms: TRADE });
      assert.equal(isExpired(bound, DEFAULT_EXPIRY, CREATED + 10 * 365 * ONE_DAY), false, ips.join(','));
    }
  });

  test('a demo key never expires, even unbound with trade and withdraw', () => {
    const demo = key({ env: 'demo', perms: { read: true, trade: true, withdraw: true } });
    assert.equal(isExpired(demo, DEFAULT_EXPIRY, CREATED + 10 * 365 * ONE_DAY), false);
    assert.equal(isExpired(demo, UNBOUND_TRADING_14, CREATED + 10 * 365 * ONE_DAY), false);
  });

  test('the scope "unbound" covers read-only, trade and withdraw keys alike', () => {
    for (const perms of [READ_ONLY, TRADE, WITHDRAW]) {
      assert.equal(isExpired(key({ perms }), DEFAULT_EXPIRY, CREATED + 30 * ONE_DAY), true);
    }
  });
});

describe("the 'unbound-trading' scope", () => {
  test('an unbound read-only key never expires', () => {
    assert.equal(canExpire(key(), UNBOUND_TRADING_14), false);
    assert.equal(isExpired(key(), UNBOUND_TRADING_14, CREATED + 365 * ONE_DAY), false);
    assert.equal(expiresAt(key(), UNBOUND_TRADING_14), null);
  });

  test('unbound trade and withdraw keys expire after the configured period', () => {
    for (const perms of [TRADE, WITHDRAW, { read: true, trade: true, withdraw: true } as const]) {
      const k = key({ perms });
      assert.equal(canExpire(k, UNBOUND_TRADING_14), true);
      assert.equal(isExpired(k, UNBOUND_TRADING_14, CREATED + 13 * ONE_DAY), false);
      assert.equal(isExpired(k, UNBOUND_TRADING_14, CREATED + 14 * ONE_DAY), true);
    }
  });

  test('bound trade keys still never expire', () => {
    assert.equal(canExpire(key({ perms: TRADE, ips: ['1.2.3.4'] }), UNBOUND_TRADING_14), false);
  });
});

describe('canExpire', () => {
  test('only unbound live keys can expire under the default policy', () => {
    assert.equal(canExpire({ env: 'live', ips: [], perms: READ_ONLY }, DEFAULT_EXPIRY), true);
    assert.equal(canExpire({ env: 'live', ips: ['1.2.3.4'], perms: READ_ONLY }, DEFAULT_EXPIRY), false);
    assert.equal(canExpire({ env: 'demo', ips: [], perms: READ_ONLY }, DEFAULT_EXPIRY), false);
  });
});

describe('expiresAt', () => {
  test('is createdAt + period for a never-used unbound key', () => {
    assert.equal(expiresAt(key(), DEFAULT_EXPIRY), CREATED + 30 * ONE_DAY);
  });

  test('is lastUsedAt + period once the key has been used', () => {
    const lastUsed = CREATED + 3 * ONE_DAY + 12_345;
    assert.equal(expiresAt(key({ lastUsedAt: lastUsed }), DEFAULT_EXPIRY), lastUsed + 30 * ONE_DAY);
  });

  test('follows a custom period', () => {
    const policy: ExpiryPolicy = { scope: 'unbound', periodMs: 90 * 60 * 1000 };
    assert.equal(expiresAt(key(), policy), CREATED + 90 * 60 * 1000);
    assert.equal(isExpired(key(), policy, CREATED + 89 * 60 * 1000), false);
    assert.equal(isExpired(key(), policy, CREATED + 90 * 60 * 1000), true);
  });

  test('is null for bound keys and demo keys', () => {
    assert.equal(expiresAt(key({ ips: ['203.0.113.7'] }), DEFAULT_EXPIRY), null);
    assert.equal(expiresAt(key({ env: 'demo' }), DEFAULT_EXPIRY), null);
    assert.equal(expiresAt(key({ env: 'demo', ips: ['203.0.113.7'], perms: TRADE }), UNBOUND_TRADING_14), null);
  });
});

describe('expiredKeys', () => {
  test('keeps exactly the keys isExpired names, in order, with their own fields', () => {
    const now = CREATED + 31 * ONE_DAY;
    const keys = [
      { ...key(), name: 'idle' },
      { ...key({ lastUsedAt: now - ONE_DAY }), name: 'recent' },
      { ...key({ ips: ['1.2.3.4'] }), name: 'bound' },
      { ...key({ env: 'demo' }), name: 'demo' },
      { ...key({ lastUsedAt: CREATED + ONE_DAY }), name: 'idle-used' },
    ];
    const expired = expiredKeys(keys, DEFAULT_EXPIRY, now);
    assert.deepEqual(
      expired.map((k) => k.name),
      ['idle', 'idle-used'],
    );
    assert.deepEqual(
      expired,
      keys.filter((k) => isExpired(k, DEFAULT_EXPIRY, now)),
    );
    assert.deepEqual(expiredKeys(keys, UNBOUND_TRADING_14, now), []);
  });
});
