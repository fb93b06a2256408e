import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type OkxCode, RuleError } from './errors.js';
import {
  type AccountKeys,
  applyKeyChange,
  isApiKeyFormat,
  MAX_KEYS_PER_ACCOUNT,
  MAX_LABEL_LENGTH,
  type NewKeyInput,
  validateKeyChange,
  validateLabel,
  validateNewKey,
  validatePassphrase,
} from './key-rules.js';
import type { PermissionSet } from './permissions.js';

const GOOD_PASSPHRASE = 'Passw0rd!';
const NO_KEYS: AccountKeys = { count: 0, labels: [] };

function assertRule(fn: () => unknown, code: OkxCode, field: string, check?: (message: string) => void): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RuleError, `expected a RuleError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.field, field);
    if (check !== undefined) check(e.message);
    return true;
  });
}

function newKey(overrides: Partial<NewKeyInput> = {}): NewKeyInput {
  return { label: 'my bot', passphrase: GOOD_PASSPHRASE, env: 'live', ...overrides };
}

describe('isApiKeyFormat', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  test('accepts issued keys; refuses other lengths, upper case, misplaced dashes, non-hex', () => {
    for (let i = 0; i < 200; i++) assert.equal(isApiKeyFormat(crypto.randomUUID()), true);
    for (const bad of [
      '',
      'abc',
      '0e3c8f5a-3b1c-4d2e-9f6a-1b2c3d4e5f6',
      '0e3c8f5a-3b1c-4d2e-9f6a-1b2c3d4e5f6a7',
      '0E3C8F5A-3B1C-4D2E-9F6A-1B2C3D4E5F6A',
      '0e3c8f5a3-b1c-4d2e-9f6a-1b2c3d4e5f6a',
      '0e3c8f5a-3b1c-4d2e-9f6a-1b2c3d4e5f6g',
      '0e3c8f5a-3b1c-4d2e-9f6a 1b2c3d4e5f6a',
    ]) {
      assert.equal(isApiKeyFormat(bad), false, bad);
    }
  });
  test('agrees with the UUID pattern on random near-UUIDs', () => {
    const alphabet = '0123456789abcdefABG-_ ';
    for (let i = 0; i < 5000; i++) {
      const chars = [...crypto.randomUUID()];
      const at = Math.floor(Math.random() * 36);
      chars[at] = alphabet[Math.floor(Math.random() * alphabet.length)] ?? '0';
      const text = chars.join('');
      assert.equal(isApiKeyFormat(text), UUID.test(text), text);
    }
  });
});

describe('validateLabel', () => {
  test('the limit is 50 characters', () => {
    assert.equal(MAX_LABEL_LENGTH, 50);
  });

  test('an empty or blank name is refused with 50014', () => {
    for (const label of ['', ' ', '     ', '\t', '\n']) assertRule(() => validateLabel(label), '50014', 'name');
  });

  test('50 characters are accepted, 51 refused with 51000', () => {
    const fifty = 'a'.repeat(50);
    assert.equal(validateLabel(fifty), fifty);
    assertRule(
      () => validateLabel(`${fifty}b`),
      '51000',
      'name',
      (m) => assert.match(m, /\b51\b/),
    );
    assertRule(() => validateLabel('x'.repeat(500)), '51000', 'name');
  });

  test('letters, digits, spaces, "-" and "_" are accepted and returned unchanged', () => {
    for (const label of ['a', 'Z', '7', 'my bot', 'Bot-1_prod', 'ALL CAPS 2024', '-_-', '0123456789']) {
      assert.equal(validateLabel(label), label);
    }
  });

  test('any other character is refused with 51000', () => {
    const bad = [
      'bot!',
      'bot.1',
      'a/b',
      'bot,2',
      'bot;',
      '<b>',
      'bøt',
      'ключ',
      'bot🚀',
      'tab\there',
      'line\nbreak',
      'bot\n',
      'a+b',
      'a@b',
      "o'neil",
      '"q"',
    ];
    for (const label of bad) assertRule(() => validateLabel(label), '51000', 'name');
  });

  test('the refusal message names the allowed characters', () => {
    assertRule(
      () => validateLabel('bot!'),
      '51000',
      'name',
      (m) => {
        assert.match(m, /letters/);
        assert.match(m, /digits/);
      },
    );
  });
});

describe('validatePassphrase', () => {
  test('a passphrase with every class and 8 to 32 characters is accepted unchanged', () => {
    for (const p of ['Abcdef1!', 'Passw0rd!', `Aa1!${'x'.repeat(28)}`, 'Zz9 zzzz', 'Ab1-Ab1-Ab1-']) {
      assert.equal(validatePassphrase(p), p);
    }
  });

  test('7 characters are refused, 8 accepted', () => {
    assertRule(
      () => validatePassphrase('Abcde1!'),
      '59505',
      'passphrase',
      (m) => assert.match(m, /8 to 32 characters/),
    );
    assert.equal(validatePassphrase('Abcde1!x'), 'Abcde1!x');
  });

  test('32 characters are accepted, 33 refused', () => {
    const thirtyTwo = `Aa1!${'b'.repeat(28)}`;
    assert.equal(thirtyTwo.length, 32);
    assert.equal(validatePassphrase(thirtyTwo), thirtyTwo);
    assertRule(
      () => validatePassphrase(`${thirtyTwo}b`),
      '59505',
      'passphrase',
      (m) => assert.match(m, /8 to 32 characters/),
    );
  });

  const missing: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['ABCDEFG1!', 'a lowercase letter', /a lowercase letter/],
    ['abcdefg1!', 'an uppercase letter', /an uppercase letter/],
    ['Abcdefgh!', 'a digit', /a digit/],
    ['Abcdefgh1', 'a special character', /a special character/],
  ];
  const allProblems = [
    /8 to 32 characters/,
    /a lowercase letter/,
    /an uppercase letter/,
    /a digit/,
    /a special character/,
  ];
  for (const [passphrase, name, pattern] of missing) {
    test(`a passphrase without ${name} is refused, naming only that`, () => {
      assertRule(
        () => validatePassphrase(passphrase),
        '59505',
        'passphrase',
        (m) => {
          assert.match(m, pattern);
          for (const other of allProblems) if (other.source !== pattern.source) assert.doesNotMatch(m, other);
        },
      );
    });
  }

  test('an empty passphrase names every rule', () => {
    assertRule(
      () => validatePassphrase(''),
      '59505',
      'passphrase',
      (m) => {
        for (const p of allProblems) assert.match(m, p);
      },
    );
  });

  test('several problems are named together', () => {
    assertRule(
      () => validatePassphrase('abc'),
      '59505',
      'passphrase',
      (m) => {
        assert.match(m, /8 to 32 characters/);
        assert.match(m, /an uppercase letter/);
        assert.match(m, /a digit/);
        assert.match(m, /a special character/);
        assert.doesNotMatch(m, /a lowercase letter/);
      },
    );
  });

  test('the refusal never echoes the passphrase', () => {
    const secret = 'hunter2hunter2';
    assertRule(
      () => validatePassphrase(secret),
      '59505',
      'passphrase',
      (m) => assert.ok(!m.includes(secret)),
    );
  });

  test('a leading or trailing space or tab is refused: HTTP trims header values, so it could never sign in', () => {
    for (const p of [' Abcdef1!', 'Abcdef1! ', '\tAbcdef1!', 'Abcdef1!\t', '  Abcdef1!  ']) {
      assertRule(
        () => validatePassphrase(p),
        '59505',
        'passphrase',
        (m) => assert.match(m, /cannot start or end with a space/),
      );
    }
    assert.equal(validatePassphrase('Abc def1!'), 'Abc def1!', 'a space inside is allowed');
  });
});

describe('validateNewKey', () => {
  test('the limit is 50 keys per account', () => {
    assert.equal(MAX_KEYS_PER_ACCOUNT, 50);
  });

  test('defaults: read permission, no IP binding', () => {
    const key = validateNewKey(newKey(), NO_KEYS);
    assert.deepEqual(key, {
      label: 'my bot',
      passphrase: GOOD_PASSPHRASE,
      perms: { read: true, trade: false, withdraw: false },
      ips: [],
      env: 'live',
    });
  });

  test('perm, ip and env are parsed and normalised', () => {
    const key = validateNewKey(
      newKey({ perm: 'read_only,Trade', ip: '10.1.2.3/8, ::ffff:1.2.3.4', env: 'demo' }),
      NO_KEYS,
    );
    assert.deepEqual(key.perms, { read: true, trade: true, withdraw: false });
    assert.deepEqual(key.ips, ['10.0.0.0/8', '1.2.3.4']);
    assert.equal(key.env, 'demo');
    const fromArrays = validateNewKey(newKey({ perm: ['withdraw'], ip: ['2001:db8::1'] }), NO_KEYS);
    assert.deepEqual(fromArrays.perms, { read: true, trade: false, withdraw: true });
    assert.deepEqual(fromArrays.ips, ['2001:db8::1']);
  });

  test('the 50th key is allowed, the 51st refused with 59501', () => {
    assert.equal(validateNewKey(newKey(), { count: 49, labels: [] }).label, 'my bot');
    assertRule(
      () => validateNewKey(newKey(), { count: 50, labels: [] }),
      '59501',
      'keys',
      (m) => assert.match(m, /50/),
    );
    assertRule(() => validateNewKey(newKey(), { count: 51, labels: [] }), '59501', 'keys');
  });

  test('a name already in the account is refused with 59502', () => {
    assertRule(
      () => validateNewKey(newKey({ label: 'bot' }), { count: 2, labels: ['other', 'bot'] }),
      '59502',
      'name',
      (m) => assert.match(m, /"bot"/),
    );
  });

  test('names are case-sensitive: "Bot" and "bot" are distinct', () => {
    assert.equal(validateNewKey(newKey({ label: 'Bot' }), { count: 1, labels: ['bot'] }).label, 'Bot');
    assert.equal(validateNewKey(newKey({ label: 'bot' }), { count: 1, labels: ['Bot'] }).label, 'bot');
    assert.equal(validateNewKey(newKey({ label: 'BOT' }), { count: 2, labels: ['bot', 'Bot'] }).label, 'BOT');
  });

  test('each rule is enforced on creation', () => {
    assertRule(() => validateNewKey(newKey({ label: '' }), NO_KEYS), '50014', 'name');
    assertRule(() => validateNewKey(newKey({ label: 'a'.repeat(51) }), NO_KEYS), '51000', 'name');
    assertRule(() => validateNewKey(newKey({ label: 'bad!' }), NO_KEYS), '51000', 'name');
    assertRule(() => validateNewKey(newKey({ passphrase: 'short' }), NO_KEYS), '59505', 'passphrase');
    assertRule(() => validateNewKey(newKey({ perm: 'admin' }), NO_KEYS), '51000', 'perm');
    assertRule(() => validateNewKey(newKey({ ip: '1.2.3' }), NO_KEYS), '51000', 'ip');
    const ips = Array.from({ length: 21 }, (_, i) => `198.51.100.${i + 1}`);
    assertRule(() => validateNewKey(newKey({ ip: ips }), NO_KEYS), '59503', 'ip');
  });
});

describe('validateKeyChange', () => {
  test('nothing to change is refused with 50014', () => {
    assertRule(() => validateKeyChange({}, []), '50014', 'change');
    assertRule(() => validateKeyChange({ label: undefined, perm: undefined, ip: undefined }, ['x']), '50014', 'change');
  });

  test('a new name is validated and returned alone', () => {
    assert.deepEqual(validateKeyChange({ label: 'renamed' }, ['other']), { label: 'renamed' });
    assertRule(() => validateKeyChange({ label: '  ' }, []), '50014', 'name');
    assertRule(() => validateKeyChange({ label: 'x'.repeat(51) }, []), '51000', 'name');
    assertRule(() => validateKeyChange({ label: 'no/slash' }, []), '51000', 'name');
  });

  test('a name used by another key of the account is refused with 59502', () => {
    assertRule(() => validateKeyChange({ label: 'taken' }, ['free', 'taken']), '59502', 'name');
  });

  test('the duplicate check is case-sensitive', () => {
    assert.deepEqual(validateKeyChange({ label: 'Taken' }, ['taken']), { label: 'Taken' });
  });

  test('perm is parsed, Read included', () => {
    assert.deepEqual(validateKeyChange({ perm: 'trade' }, []), { perms: { read: true, trade: true, withdraw: false } });
    assertRule(() => validateKeyChange({ perm: 'root' }, []), '51000', 'perm');
  });

  test('ip "" unbinds the key', () => {
    assert.deepEqual(validateKeyChange({ ip: '' }, []), { ips: [] });
    assert.deepEqual(validateKeyChange({ ip: [] }, []), { ips: [] });
  });

  test('ip is parsed and normalised; over 20 is refused with 59503', () => {
    assert.deepEqual(validateKeyChange({ ip: '10.1.2.3/8,10.0.0.0/8' }, []), { ips: ['10.0.0.0/8'] });
    const ips = Array.from({ length: 21 }, (_, i) => `198.51.100.${i + 1}`);
    assertRule(() => validateKeyChange({ ip: ips.join(',') }, []), '59503', 'ip');
    assertRule(() => validateKeyChange({ ip: 'abc' }, []), '51000', 'ip');
  });

  test('several changes at once', () => {
    assert.deepEqual(validateKeyChange({ label: 'n', perm: 'read,withdraw', ip: '1.2.3.4' }, ['m']), {
      label: 'n',
      perms: { read: true, trade: false, withdraw: true },
      ips: ['1.2.3.4'],
    });
  });
});

test('a name may not start or end with a space (a typo that would make "bot " and "bot" two keys)', () => {
  for (const label of [' bot', 'bot ', ' bot ']) {
    assert.throws(
      () => validateLabel(label),
      (e: unknown) => e instanceof RuleError && e.code === '51000',
      JSON.stringify(label),
    );
  }
  assert.equal(validateLabel('my bot 2'), 'my bot 2');
  assert.equal(validateLabel('a'), 'a');
});

describe('applyKeyChange', () => {
  const readOnly: PermissionSet = { read: true, trade: false, withdraw: false };
  const current = { apiKey: 'k', label: 'old', perms: readOnly, ips: ['1.2.3.4'], updatedAt: 1, lastUsedAt: 5 };

  test('replaces only the fields the change gives, stamps updatedAt, keeps everything else', () => {
    const trade: PermissionSet = { read: true, trade: true, withdraw: false };
    assert.deepEqual(applyKeyChange(current, { label: 'new' }, 9), { ...current, label: 'new', updatedAt: 9 });
    const changed = applyKeyChange(current, { perms: trade, ips: [] }, 9);
    assert.deepEqual(changed, { ...current, perms: trade, ips: [], updatedAt: 9 });
    assert.deepEqual(applyKeyChange(current, {}, 9), { ...current, updatedAt: 9 });
  });

  test('leaves the current key untouched', () => {
    applyKeyChange(current, { label: 'new', ips: [] }, 9);
    assert.equal(current.label, 'old');
    assert.deepEqual(current.ips, ['1.2.3.4']);
  });
});
