// `npm test`: type-check, lint, then every *.test.ts under src/ and test/ with Node's test runner
// (Node 20 does not expand globs itself), on the sources through tsx: no tsc build of dist/.
// `npm test -- NAME [NAME...]` runs only the files whose path contains a NAME, at once: no
// type-check, no lint, no build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const ROOT = new URL('..', import.meta.url).pathname;
process.chdir(ROOT);

function find(dir, test) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(find(path, test));
    else if (test(name)) out.push(path);
  }
  return out;
}

/** The newest modification time under a directory (0 when it is missing). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  return Math.max(0, ...find(dir, () => true).map((f) => statSync(f).mtimeMs));
}

function step(label, command, args) {
  const started = Date.now();
  const r = spawnSync(command, args, { stdio: 'inherit' });
  const ok = r.status === 0;
  console.log(`${ok ? 'ok' : 'FAILED'}: ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return ok;
}

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const filters = process.argv.slice(2);
const files = ['src', 'test']
  .flatMap((d) => find(d, (name) => name.endsWith('.test.ts')))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test file matches ${filters.join(' or ')}`);
  process.exit(1);
}

const failed = [];
if (filters.length === 0) {
  // Incremental: a repeated run re-checks only what changed (~35 s first, ~8 s after, on 2 cores).
  const tsc = (project, info) => ['-p', project, '--incremental', '--tsBuildInfoFile', join('test-artifacts', info)];
  if (
    !step('typecheck', bin('tsc'), tsc('tsconfig.check.json', 'tsc-check.tsbuildinfo')) ||
    !step('typecheck web/', bin('tsc'), tsc('web/tsconfig.json', 'tsc-web.tsbuildinfo'))
  ) {
    process.exit(1);
  }
  // A lint failure does not hide the tests' results: the run goes on and fails at the end.
  if (!step('lint (biome check; `npm run format` fixes formatting and imports)', bin('biome'), ['check', '.']))
    failed.push('lint');
  // The console tests need the console built (vite, ~10 s): only when web/src changed since.
  if (newest('web/src') > newest('web/dist') || !existsSync('web/dist/index.html')) {
    if (
      !step('vite build of web/ (web/src is newer than web/dist)', bin('vite'), [
        'build',
        '--config',
        'web/vite.config.ts',
        '--logLevel',
        'warn',
      ])
    )
      process.exit(1);
  }
} else {
  console.log(
    `${files.length} test file(s) matching ${filters.join(' or ')}; typecheck and lint skipped (plain \`npm test\` runs them)`,
  );
  if (files.some((f) => f.includes('console-')) && newest('web/src') > newest('web/dist')) {
    console.log('note: web/dist is missing or older than web/src; `npm run build:web` rebuilds it');
  }
}

// The CLI and servers the tests spawn run src/ transpiled here by esbuild (0.5 s, no type check):
// a process started through tsx's loader takes ~2 s longer, and the suite starts dozens.
// At the depth of src/, so that paths relative to a module (../../web/dist) resolve alike.
const transpiled = join(ROOT, '.test-src');
rmSync(transpiled, { recursive: true, force: true });
mkdirSync(transpiled, { recursive: true });
await build({
  entryPoints: find('src', (name) => name.endsWith('.ts') && !name.endsWith('.test.ts')),
  outdir: transpiled,
  outbase: 'src',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});

// Files that assert on elapsed time (a push within 1 s, a lease taken over within an interval, an
// idle timeout) run two at a time, as many processes as cores; the rest, CPU-bound or waiting on
// nothing timed, run four at a time first.
const TIMED = [
  'test/clients.',
  'test/console-e2e.',
  'test/expiry.',
  'test/funding-clients.',
  'test/http-auth.',
  'test/http-transport.',
  'test/market-maker.',
  'test/scale-postgres.',
  'test/trading-crash.',
  'test/ws-clients.',
  'test/ws-raw.',
  'test/ws-scale-postgres.',
];
const timed = files.filter((f) => TIMED.some((t) => f.startsWith(t)));
const untimed = files.filter((f) => !timed.includes(f));
const env = { ...process.env, SIGNET_TEST_CLI: join(transpiled, 'cli', 'bin.js') };
// Besides the spec reporter on the terminal, a TAP copy of each group, whose totals make the one
// summary line at the end (the spec reporter prints each group's own).
const totals = { pass: 0, fail: 0, cancelled: 0, skipped: 0 };
const tapFile = join(ROOT, 'test-artifacts', 'last-run.tap');
mkdirSync(dirname(tapFile), { recursive: true });
for (const [group, concurrency] of [
  [untimed, 4],
  [timed, 2],
]) {
  if (group.length === 0) continue;
  const started = Date.now();
  rmSync(tapFile, { force: true });
  const suite = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapFile}`,
      ...group,
    ],
    { stdio: 'inherit', env },
  );
  const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
  for (const key of Object.keys(totals)) {
    // The runner's own totals close the TAP stream: `# pass 12` and so on.
    const found = [...tap.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))].at(-1);
    totals[key] += found === undefined ? 0 : Number(found[1]);
  }
  console.log(
    `${suite.status === 0 ? 'ok' : 'FAILED'}: ${group.length} test file(s), ${concurrency} at a time (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  if (suite.status !== 0) failed.push(`tests (${concurrency} at a time)`);
}
// A cancelled test (its file died or timed out) did not pass: it counts as failed.
console.log(`tests: ${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`);
if (failed.length > 0) console.log(`npm test failed: ${failed.join(', ')}`);
process.exit(failed.length === 0 ? 0 : 1);
