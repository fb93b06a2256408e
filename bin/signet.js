#!/usr/bin/env node
// The `signet` command: runs the compiled CLI (npm install builds it into dist/).
// SIGNET_CLI_ENTRY runs another module exporting the same `main` instead, without a build: the
// tests point it at src/cli/main.ts (through tsx, a devDependency) or at src/ as
// scripts/run-tests.mjs transpiles it, so that they never exercise a stale dist/.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const override = process.env.SIGNET_CLI_ENTRY ?? '';
const entry = override === '' ? new URL('../dist/cli/main.js', import.meta.url) : pathToFileURL(resolve(override));
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(override === ''
    ? 'signet: not built yet; run `npm install` (or `npm run build`) in the signet directory\n'
    : `signet: SIGNET_CLI_ENTRY: no file ${override}\n`);
  process.exit(1);
}
if (entry.pathname.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
