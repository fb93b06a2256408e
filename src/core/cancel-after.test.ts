import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCancelAfter } from './cancel-after.js';
import { RuleError } from './errors.js';

const code = (body: Record<string, unknown>): string => {
  try {
    parseCancelAfter(body);
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof RuleError);
    return `${err.code}:${err.field}`;
  }
};

test('cancel-all-after: timeOut 0 or 10..120 seconds, tag up to 16 letters and digits', () => {
  assert.deepEqual(parseCancelAfter({ timeOut: '10' }), { timeoutS: 10, tag: '' });
  assert.deepEqual(parseCancelAfter({ timeOut: '120', tag: 'Bot7' }), { timeoutS: 120, tag: 'Bot7' });
  assert.deepEqual(parseCancelAfter({ timeOut: 0 }), { timeoutS: 0, tag: '' });
  assert.equal(code({}), '50014:timeOut');
  assert.equal(code({ timeOut: '' }), '50014:timeOut');
  for (const bad of ['9', '121', '-1', '1.5', 'ten', '1e2', true])
    assert.equal(code({ timeOut: bad }), '51000:timeOut', String(bad));
  for (const bad of ['a-b', 'x'.repeat(17), 5])
    assert.equal(code({ timeOut: '30', tag: bad }), '51000:tag', String(bad));
});
