import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RejectionLog } from './rejection-log.js';

/** Feeds rejections through the log and returns the lines it would write. */
function lines(log: RejectionLog, rejections: Array<[string, string, number]>): string[] {
  const out: string[] = [];
  for (const [subject, code, at] of rejections) {
    const note = log.note(subject, code, at);
    for (const s of note.ended) out.push(`${s.subject} ${s.code} suppressed ${s.suppressed}`);
    if (note.log) out.push(`${subject} ${code}`);
  }
  return out;
}

test('1,000 rejections of one client in a minute: the first line, then one summary', () => {
  const log = new RejectionLog(60_000);
  const burst = Array.from({ length: 1000 }, (_, i): [string, string, number] => ['192.0.2.1', '50011', i * 50]);
  assert.deepEqual(lines(log, [...burst, ['192.0.2.9', '50113', 61_000]]), [
    '192.0.2.1 50011',
    '192.0.2.1 50011 suppressed 999',
    '192.0.2.9 50113',
  ]);
});

test('each (client, code) pair gets its first line; memory stays bounded under many clients', () => {
  const log = new RejectionLog(60_000, 100);
  const many = Array.from({ length: 5000 }, (_, i): [string, string, number] => [
    `10.0.${i >> 8}.${i & 255}`,
    '50113',
    i,
  ]);
  const out = lines(log, [...many, ['10.0.0.0', '50011', 5000], ['192.0.2.1', '50113', 120_000]]);
  assert.equal(out.length, 100 + 1 + 1, out.slice(-3).join('\n'));
  assert.ok(out.includes('* * suppressed 4901'), 'rejections beyond the bound are counted in one summary');
  assert.equal(out.at(-1), '192.0.2.1 50113');
});
