/**
 * The ccxt coverage measurement of issue 15: starts a real `signet serve` on a fresh data
 * directory, gives a trader an account with more than a page (100 rows) of every history, then
 * calls every ccxt 4.5 `okx` / `pro.okx` unified method that applies to a spot + funding +
 * account user (scope: scripts/coverage/scope.ts) with its common parameters (`since`, `limit`,
 * `until`, `paginate`, trigger / stop-loss / take-profit / trailing params), each variant a small
 * check that the answer is right. Prints a table (method, variant, ok/fail, reason) and the ratio.
 *
 *   node --import tsx scripts/ccxt-coverage.ts [--out test-output/ccxt-coverage.md]
 *
 * test/ccxt-coverage.test.ts runs it and holds the ratio to a floor.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import ccxt from 'ccxt';
import { FUNDING_VARIANTS } from './coverage/funding-variants.js';
import { HISTORY_VARIANTS } from './coverage/history-variants.js';
import { MARKET_VARIANTS, OHLCV_UNTIL } from './coverage/market-variants.js';
import { DEADMAN_FIRED, ORDER_VARIANTS } from './coverage/order-variants.js';
import { EXCLUDED, supportedMethods } from './coverage/scope.js';
import { type Outcome, runVariants, type Variant } from './coverage/variant.js';
import { makeWorld } from './coverage/world.js';
import { WS_VARIANTS } from './coverage/ws-variants.js';

/** Every check, in the order they run (history checks after the orders they read; the dead man's switch last). */
export const VARIANTS: readonly Variant[] = [
  ...MARKET_VARIANTS,
  ...FUNDING_VARIANTS,
  ...ORDER_VARIANTS,
  ...HISTORY_VARIANTS,
  ...WS_VARIANTS,
  OHLCV_UNTIL,
  DEADMAN_FIRED,
];

export interface CoverageReport {
  ccxtVersion: string;
  outcomes: Outcome[];
  passed: number;
  total: number;
  ratio: number;
  /** Methods in scope whose every variant passed, and methods in scope. */
  methodsPassed: number;
  methods: number;
  seconds: number;
  /** Of which starting the server and making the history. */
  setupSeconds: number;
}

/**
 * Supported methods that are neither excluded nor checked: each counts as a failed variant
 * ("no check"), so the scope follows ccxt's own list.
 */
function unchecked(): Outcome[] {
  const has = [new ccxt.okx().has, new ccxt.pro.okx().has] as Array<Record<string, unknown>>;
  const checked = new Set(VARIANTS.map((x) => x.method));
  return supportedMethods(has)
    .filter((m) => !checked.has(m) && EXCLUDED[m] === undefined)
    .map((method) => ({ method, variant: '-', ok: false, reason: 'in scope, but no check written', ms: 0 }));
}

/** Runs the measurement end to end (about a minute and a half). */
export async function measureCoverage(onOutcome?: (o: Outcome) => void): Promise<CoverageReport> {
  const started = Date.now();
  const world = await makeWorld();
  const setupSeconds = Math.round((Date.now() - started) / 1000);
  let outcomes: Outcome[];
  try {
    outcomes = [...(await runVariants(world, VARIANTS, onOutcome)), ...unchecked()];
  } finally {
    await world.close();
  }
  const passed = outcomes.filter((o) => o.ok).length;
  const byMethod = new Map<string, boolean>();
  for (const o of outcomes) byMethod.set(o.method, (byMethod.get(o.method) ?? true) && o.ok);
  return {
    ccxtVersion: ccxt.version,
    outcomes,
    passed,
    total: outcomes.length,
    ratio: passed / outcomes.length,
    methodsPassed: [...byMethod.values()].filter(Boolean).length,
    methods: byMethod.size,
    seconds: Math.round((Date.now() - started) / 1000),
    setupSeconds,
  };
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The report as a Markdown table with the totals. */
export function formatReport(r: CoverageReport): string {
  const lines = [
    `# ccxt ${r.ccxtVersion} okx / pro.okx coverage of signet (spot + funding + account user)`,
    '',
    `Variants: ${r.passed} / ${r.total} ok (${(r.ratio * 100).toFixed(1)} %). ` +
      `Methods with every variant ok: ${r.methodsPassed} / ${r.methods}. Took ${r.seconds} s (setup ${r.setupSeconds} s).`,
    '',
    '| method | variant | result | ms | reason |',
    '|---|---|---|---|---|',
    ...r.outcomes.map(
      (o) => `| ${o.method} | ${cell(o.variant)} | ${o.ok ? 'ok' : 'FAIL'} | ${o.ms} | ${cell(o.reason)} |`,
    ),
    '',
    'Out of scope (supported by ccxt okx, but not for a spot + funding + account user):',
    '',
    ...Object.entries(EXCLUDED).map(([m, why]) => `- ${m}: ${why}`),
    '',
  ];
  return lines.join('\n');
}

/** Writes the report where asked (directories created). */
export function writeReport(path: string, r: CoverageReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatReport(r));
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? (process.argv[i + 1] ?? 'test-output/ccxt-coverage.md') : 'test-output/ccxt-coverage.md';
  const report = await measureCoverage((o) =>
    console.error(`${o.ok ? 'ok  ' : 'FAIL'} ${o.method} / ${o.variant}${o.ok ? '' : `: ${o.reason}`}`),
  );
  writeReport(out, report);
  console.log(formatReport(report));
  console.log(`written to ${out}`);
}
