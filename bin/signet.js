#!/usr/bin/env node
// The `signet` command: runs the compiled CLI (npm install builds it into dist/).
// SIGNET_FROM_SOURCE=1 runs src/ through tsx instead, without a build: the tests spawn it so, so
// that they never exercise a stale dist/ (tsx is a devDependency, there only in a checkout).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fromSource = process.env.SIGNET_FROM_SOURCE === '1';
const entry = new URL(fromSource ? '../src/cli/main.ts' : '../dist/cli/main.js', import.meta.url);
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
} else if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('signet: not built yet; run `npm install` (or `npm run build`) in the signet directory\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
