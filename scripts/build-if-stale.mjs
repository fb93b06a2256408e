// `npm start`'s prestart: compiles the server (tsc) and builds the console (vite) only when their
// sources are newer than what was built, instead of ~30 s of compiling on every start.
// SIGNET_BUILD_ROOT points it at another checkout (its test uses a temporary one).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = process.env.SIGNET_BUILD_ROOT ?? new URL('..', import.meta.url).pathname;

/** The newest modification time among files and directory trees (0 when none exist). */
function newest(root, paths, skip = () => false) {
  let max = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (!skip(path)) {
      max = Math.max(max, st.mtimeMs);
    }
  };
  for (const p of paths) visit(join(root, p));
  return max;
}

const STEPS = [
  {
    name: 'server (tsc)',
    // Tests are not compiled (tsconfig.json excludes them), so changing one needs no build.
    sources: ['src', 'tsconfig.json'],
    skip: (path) => /\.test(-helpers)?\.ts$/.test(path),
    output: 'dist/cli/bin.js',
    command: ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'],
  },
  {
    name: 'console (vite)',
    sources: ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts'],
    skip: () => false,
    output: 'web/dist/index.html',
    command: ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
  },
];

for (const step of STEPS) {
  const output = join(ROOT, step.output);
  const built = existsSync(output) ? statSync(output).mtimeMs : 0;
  const changed = newest(ROOT, step.sources, step.skip);
  if (built > 0 && changed <= built) {
    console.log(`build-if-stale: ${step.name} is up to date`);
    continue;
  }
  console.log(`build-if-stale: building ${step.name} (${built === 0 ? 'not built yet' : 'sources changed'})`);
  const [script, ...args] = step.command;
  const r = spawnSync(process.execPath, [join(ROOT, script), ...args], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    // tsc writes its output even with errors: mark it old so the next start builds again.
    if (existsSync(output)) utimesSync(output, 0, 0);
    console.error(`build-if-stale: building ${step.name} failed`);
    process.exit(r.status ?? 1);
  }
}
