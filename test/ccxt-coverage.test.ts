import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport, measureCoverage, writeReport } from '../scripts/ccxt-coverage.js';

/**
 * The share of ccxt `okx` / `pro.okx` method variants that work for a spot + funding + account
 * user (scripts/ccxt-coverage.ts), held to issue 15's bar: at least 95 %. The table is written to
 * test-output/ccxt-coverage.md. About 90 s alone; the timeout leaves room for a machine busy with
 * the rest of the suite (it ran out at 240 s there).
 */
const FLOOR = 0.95;

test('ccxt okx / pro.okx coverage of a spot + funding + account user', { timeout: 480_000 }, async () => {
  const report = await measureCoverage();
  writeReport('test-output/ccxt-coverage.md', report);
  const failed = report.outcomes.filter((o) => !o.ok);
  console.log(
    `ccxt coverage: ${report.passed}/${report.total} variants ok (${(report.ratio * 100).toFixed(1)} %), ` +
      `${report.methodsPassed}/${report.methods} methods; ${failed.length} failing, table in test-output/ccxt-coverage.md`,
  );
  assert.ok(report.total >= 140, `only ${report.total} variants measured`);
  assert.ok(
    report.ratio >= FLOOR,
    `coverage ${report.ratio.toFixed(3)} below the floor ${FLOOR}\n${formatReport(report)}`,
  );
});
