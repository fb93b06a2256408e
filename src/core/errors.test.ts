import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OKX_ERRORS, type OkxCode, okxMessage, RuleError } from './errors.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const contractPath = path.join(repoRoot, '..', 'shared', 'okx-v5.md');

interface ContractRow {
  code: string;
  status: number;
  msg: string;
}

/**
 * Reads the "Error codes" table of okx-v5.md. Every table line in that section must be the
 * header, the separator or a well-formed row; anything else fails loudly rather than being skipped.
 */
function parseErrorTable(markdown: string): ContractRow[] {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => /^##\s+Error codes\b/.test(line));
  if (start === -1) throw new Error('okx-v5.md has no "## Error codes" section');
  const rows: ContractRow[] = [];
  let seenTable = false;
  for (const raw of lines.slice(start + 1)) {
    const line = raw.trim();
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) {
      if (seenTable) break;
      continue;
    }
    seenTable = true;
    const cells = line
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split('|')
      .map((cell) => cell.trim());
    if (cells[0] === 'code') continue;
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
    const [code, status, msg] = cells;
    if (
      cells.length !== 4 ||
      code === undefined ||
      status === undefined ||
      msg === undefined ||
      !/^\d+$/.test(code) ||
      !/^\d{3}$/.test(status) ||
      msg === ''
    ) {
      throw new Error(`unparseable error-table row: ${raw}`);
    }
    rows.push({ code, status: Number(status), msg });
  }
  return rows;
}

/** okx-v5.md names placeholders ({ip}); the catalogue numbers them ({0}). Compare the text around them. */
function withNeutralPlaceholders(msg: string): string {
  return msg.replace(/\{[^{}]*\}/g, '{}');
}

function isOkxCode(code: string): code is OkxCode {
  return Object.hasOwn(OKX_ERRORS, code);
}

describe('OKX_ERRORS against ../shared/okx-v5.md', () => {
  test('every row of the error-code table has the same HTTP status and message', async (t) => {
    if (!existsSync(contractPath)) {
      const reason = `${contractPath} not found; the wire contract lives beside the repository`;
      console.log(`skipping: ${reason}`);
      t.skip(reason);
      return;
    }
    const rows = parseErrorTable(readFileSync(contractPath, 'utf8'));
    assert.ok(rows.length > 0, 'the error-code table yielded no rows');
    assert.ok(
      rows.some((row) => row.code === '50113'),
      'the table should at least list 50113 Invalid signature.',
    );
    for (const row of rows) {
      await t.test(`${row.code} ${row.msg}`, () => {
        assert.ok(isOkxCode(row.code), `code ${row.code} is missing from OKX_ERRORS`);
        const entry = OKX_ERRORS[row.code];
        assert.equal(entry.status, row.status, `HTTP status of ${row.code}`);
        assert.equal(withNeutralPlaceholders(entry.msg), withNeutralPlaceholders(row.msg), `message of ${row.code}`);
      });
    }
  });

  test('the table parser refuses a malformed row instead of skipping it', () => {
    const doc =
      '## Error codes\n| code | HTTP | message | ccxt |\n|---|---|---|---|\n| 50113 | 401 | Invalid signature. | AuthenticationError |\n| 5011x | 401 | Oops | X |\n';
    assert.throws(() => parseErrorTable(doc), /unparseable error-table row/);
    const good = parseErrorTable(doc.split('\n').slice(0, 4).join('\n'));
    assert.deepEqual(good, [{ code: '50113', status: 401, msg: 'Invalid signature.' }]);
  });
});

describe('OKX_ERRORS shape', () => {
  test('every code is numeric, every status a real HTTP status, every message non-empty', () => {
    for (const [code, entry] of Object.entries(OKX_ERRORS)) {
      assert.match(code, /^\d+$/, `code ${code}`);
      assert.ok(
        Number.isInteger(entry.status) && entry.status >= 200 && entry.status <= 599,
        `status of ${code}: ${entry.status}`,
      );
      assert.notEqual(entry.msg.trim(), '', `message of ${code}`);
    }
  });

  test('messages use at most one placeholder, always spelled {0} (okxMessage fills one)', () => {
    for (const [code, entry] of Object.entries(OKX_ERRORS)) {
      const placeholders = entry.msg.match(/\{[^{}]*\}/g) ?? [];
      assert.ok(placeholders.length <= 1, `${code} has ${placeholders.length} placeholders`);
      for (const p of placeholders) assert.equal(p, '{0}', `${code} placeholder`);
    }
  });
});

describe('okxMessage', () => {
  test('returns the plain message when no argument is given', () => {
    assert.equal(okxMessage('50113'), 'Invalid signature.');
    assert.equal(okxMessage('59503'), 'Each API key can bind up to 20 IP addresses');
  });

  test('fills {0} with the argument', () => {
    assert.equal(
      okxMessage('50110', '203.0.113.7'),
      "Your IP 203.0.113.7 is not included in your API key's IP whitelist.",
    );
    assert.equal(
      okxMessage('50110', '2001:db8::1'),
      "Your IP 2001:db8::1 is not included in your API key's IP whitelist.",
    );
    assert.equal(okxMessage('50014', 'instId'), 'Parameter instId cannot be empty.');
    assert.equal(okxMessage('51000', 'perm'), 'Parameter perm error');
    assert.equal(okxMessage('51008', 'USDT'), 'Order failed. Insufficient USDT balance in account.');
  });

  test('an empty argument still replaces the placeholder', () => {
    assert.equal(okxMessage('50014', ''), 'Parameter  cannot be empty.');
  });

  test('leaves {0} in place when no argument is given', () => {
    assert.equal(okxMessage('50014'), 'Parameter {0} cannot be empty.');
  });

  test('ignores an argument for a message without a placeholder', () => {
    assert.equal(okxMessage('50113', 'anything'), 'Invalid signature.');
    assert.equal(okxMessage('59501', '{0}'), 'Each account can create up to 50 API keys');
  });
});

describe('RuleError', () => {
  test('carries code, message and field', () => {
    const err = new RuleError('59505', 'passphrase: too short', 'passphrase');
    assert.ok(err instanceof Error);
    assert.ok(err instanceof RuleError);
    assert.equal(err.name, 'RuleError');
    assert.equal(err.code, '59505');
    assert.equal(err.message, 'passphrase: too short');
    assert.equal(err.field, 'passphrase');
    assert.equal(typeof err.stack, 'string');
    assert.match(String(err), /^RuleError: passphrase: too short$/);
  });

  test('field is undefined when not given', () => {
    const err = new RuleError('50014', 'change: give something');
    assert.equal(err.field, undefined);
    assert.ok(Object.hasOwn(err, 'field'));
  });

  test('survives throw and catch with its fields', () => {
    assert.throws(
      () => {
        throw new RuleError('59502', 'name: taken', 'name');
      },
      (e: unknown) => {
        assert.ok(e instanceof RuleError);
        assert.equal(e.code, '59502');
        assert.equal(e.field, 'name');
        assert.equal(e.message, 'name: taken');
        return true;
      },
    );
  });
});

test('okxMessage inserts the argument literally, even when it contains $ patterns', () => {
  assert.equal(okxMessage('51000', '$&'), 'Parameter $& error');
  assert.equal(okxMessage('51008', "$'"), "Order failed. Insufficient $' balance in account.");
});
