import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from './helpers.js';

const SCRIPT = join(ROOT, 'scripts', 'build-if-stale.mjs');

/**
 * A checkout in a temporary directory whose tsc and vite are stand-ins that write the outputs the
 * real ones write and log each run: the script under test is the real one, run as `npm start` does.
 */
function checkout(): { root: string; runs: () => string[]; write: (path: string, text: string) => void } {
  const root = tempDir('signet-build-');
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const builder = (name: string, output: string, failWhen: string) =>
    `const fs = require('node:fs');
fs.appendFileSync('runs.log', '${name}\\n');
fs.mkdirSync(require('node:path').dirname('${output}'), { recursive: true });
if (fs.existsSync('${failWhen}')) { fs.writeFileSync('${output}', 'broken'); process.exit(2); }
fs.writeFileSync('${output}', 'built');\n`;
  write('node_modules/typescript/bin/tsc', builder('tsc', 'dist/cli/bin.js', 'src/BROKEN'));
  write('node_modules/vite/bin/vite.js', builder('vite', 'web/dist/index.html', 'web/src/BROKEN'));
  write('src/main.ts', 'export {};\n');
  write('src/main.test.ts', 'export {};\n');
  write('tsconfig.json', '{}\n');
  write('web/src/app.tsx', 'export {};\n');
  write('web/index.html', '<!doctype html>\n');
  const runs = () =>
    existsSync(join(root, 'runs.log')) ? readFileSync(join(root, 'runs.log'), 'utf8').trim().split('\n') : [];
  return { root, runs, write };
}

function start(root: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT], {
    env: { ...process.env, SIGNET_BUILD_ROOT: root },
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Dates the build output 5 s before a source file, as a build followed by an edit leaves them. */
function editedAfter(root: string, path: string, output: string): void {
  const t = statSync(join(root, path)).mtimeMs / 1000 - 5;
  utimesSync(join(root, output), t, t);
}

test('build-if-stale builds what is missing, then skips until a source changes', () => {
  const { root, runs } = checkout();
  assert.equal(start(root).status, 0);
  assert.deepEqual(runs(), ['tsc', 'vite'], 'nothing built yet: both build');

  const again = start(root);
  assert.equal(again.status, 0);
  assert.deepEqual(runs(), ['tsc', 'vite'], 'nothing changed: no build');
  assert.match(again.out, /server \(tsc\) is up to date/);
  assert.match(again.out, /console \(vite\) is up to date/);

  editedAfter(root, 'src/main.ts', 'dist/cli/bin.js');
  assert.equal(start(root).status, 0);
  assert.deepEqual(runs(), ['tsc', 'vite', 'tsc'], 'a server source changed: tsc only');

  editedAfter(root, 'web/index.html', 'web/dist/index.html');
  assert.equal(start(root).status, 0);
  assert.deepEqual(runs(), ['tsc', 'vite', 'tsc', 'vite'], 'a console source changed: vite only');

  const later = statSync(join(root, 'dist/cli/bin.js')).mtimeMs / 1000 + 5;
  utimesSync(join(root, 'src/main.test.ts'), later, later);
  assert.equal(start(root).status, 0);
  assert.deepEqual(runs(), ['tsc', 'vite', 'tsc', 'vite'], 'a test file is not compiled: no build');
});

test('build-if-stale fails the start when a build fails, and builds again next time', () => {
  const { root, runs, write } = checkout();
  write('src/BROKEN', '');
  const failed = start(root);
  assert.equal(failed.status, 2, 'npm start stops on a failed build, with its status');
  assert.match(failed.out, /building server \(tsc\) failed/);
  assert.deepEqual(runs(), ['tsc'], 'the console is not built after the server failed');
  // The failed tsc left an output behind (tsc emits despite errors): it does not count as built.
  assert.equal(start(root).status, 2);
  assert.deepEqual(runs(), ['tsc', 'tsc'], 'still broken: it tries again');
});
