import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OKX_ERRORS, okxMessage } from './errors.js';
import { wsLoginCode } from './ws-codes.js';

const KEY = '0f6e9a8c-5b7d-4e2a-9c1b-3d4e5f6a7b8c';

test('each REST refusal maps to its OKX login code', () => {
  const cases: Array<[string, string]> = [
    ['50103', '60001'],
    ['50106', '60002'],
    ['50104', '60003'],
    ['50107', '60004'],
    ['50112', '60004'],
    ['50102', '60006'],
    ['50113', '60007'],
    ['50105', '60024'],
    ['50101', '60032'],
    ['50011', '60014'],
    ['50110', '50110'],
  ];
  for (const [rest, ws] of cases) assert.equal(wsLoginCode(rest as keyof typeof OKX_ERRORS, KEY), ws, rest);
});

test('50111: a malformed key is 60005, a well-formed unknown key 60032', () => {
  assert.equal(wsLoginCode('50111', 'not-a-key'), '60005');
  assert.equal(wsLoginCode('50111', KEY), '60032');
});

test('the login codes and messages okx-v5.md lists are in the catalogue', (t) => {
  const contractPath = path.join(fileURLToPath(new URL('../../..', import.meta.url)), 'shared', 'okx-v5.md');
  if (!existsSync(contractPath)) {
    // As errors.test.ts: the wire contract lives beside the repository, not in a bare clone.
    const reason = `${contractPath} not found; the wire contract lives beside the repository`;
    console.log(`skipping: ${reason}`);
    t.skip(reason);
    return;
  }
  const contract = readFileSync(contractPath, 'utf8');
  const section = contract.slice(contract.indexOf('## WebSocket login'));
  const listed = /Login codes: ([\s\S]*?)\.\nClose codes/.exec(section)?.[1];
  assert.ok(listed !== undefined, 'okx-v5.md lists the login codes');
  const entries = [...listed.matchAll(/(6\d{4}) ([^,]+)/g)].map(
    (m) => [m[1] as string, (m[2] as string).trim()] as const,
  );
  assert.ok(entries.length >= 7);
  for (const [code, msg] of entries) {
    assert.ok(code in OKX_ERRORS, `${code} is in the catalogue`);
    assert.equal(okxMessage(code as keyof typeof OKX_ERRORS).replace(/\.$/, ''), msg.replace(/\.$/, ''), code);
  }
  assert.match(section, /"code":"60009","msg":"Login failed\."/);
  assert.equal(okxMessage('60009'), 'Login failed.');
});
