import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuleError } from './errors.js';
import {
  checkNewSubAccount,
  checkSubAccountLabel,
  checkSubAccountName,
  checkSubAccountType,
  MAX_SUB_ACCOUNTS,
} from './subaccount-rules.js';

const code = (c: string, field?: string) => (err: unknown) =>
  err instanceof RuleError && err.code === c && (field === undefined || err.field === field);

test('subAcct: 6 to 20 letters and digits, at least one letter, case kept', () => {
  for (const ok of ['abcdef', 'Trader01', 'a23456', 'A'.repeat(20), '12345x'])
    assert.equal(checkSubAccountName(ok), ok);
  for (const bad of ['abcde', 'a'.repeat(21), '123456', 'bot 001', 'bot-001', 'bot_001', 'bötbot', 7])
    assert.throws(() => checkSubAccountName(bad), code('51000', 'subAcct'), String(bad));
  assert.throws(() => checkSubAccountName(undefined), code('50014', 'subAcct'));
  assert.throws(() => checkSubAccountName(''), code('50014', 'subAcct'));
});

test('label: optional, else 6 to 32 printable characters without spaces', () => {
  assert.equal(checkSubAccountLabel(undefined), '');
  assert.equal(checkSubAccountLabel(''), '');
  assert.equal(checkSubAccountLabel('desk*01'), 'desk*01');
  assert.equal(checkSubAccountLabel('x'.repeat(32)), 'x'.repeat(32));
  for (const bad of ['short', 'x'.repeat(33), 'has space', 5])
    assert.throws(() => checkSubAccountLabel(bad), code('51000', 'label'));
});

test("type: required; '1' only, with the reason for custody and managed types", () => {
  assert.equal(checkSubAccountType('1'), '1');
  assert.throws(() => checkSubAccountType(undefined), code('50014', 'type'));
  assert.throws(
    () => checkSubAccountType('5'),
    (e: unknown) => code('51000', 'type')(e) && /custodian/.test(String(e)),
  );
  assert.throws(
    () => checkSubAccountType('12'),
    (e: unknown) => code('51000', 'type')(e) && /custodian/.test(String(e)),
  );
  assert.throws(
    () => checkSubAccountType('2'),
    (e: unknown) => code('51000', 'type')(e) && /managed/.test(String(e)),
  );
  assert.throws(() => checkSubAccountType('9'), code('51000', 'type'));
  assert.throws(() => checkSubAccountType(1), code('51000', 'type'));
});

test('a master may have MAX_SUB_ACCOUNTS sub-accounts; one more is 59603', () => {
  const input = { name: 'bot001', label: undefined, type: '1' };
  assert.deepEqual(checkNewSubAccount(input, MAX_SUB_ACCOUNTS - 1), { name: 'bot001', type: '1', label: '' });
  assert.throws(() => checkNewSubAccount(input, MAX_SUB_ACCOUNTS), code('59603'));
  assert.throws(() => checkNewSubAccount(input, 2, 2), code('59603'));
  // The request's own mistakes are said before the limit.
  assert.throws(() => checkNewSubAccount({ ...input, name: '123456' }, MAX_SUB_ACCOUNTS), code('51000', 'subAcct'));
});
