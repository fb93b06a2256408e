#!/usr/bin/env node
// The `signet` command: runs the compiled CLI (npm install builds it into dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('signet: not built yet; run `npm install` (or `npm run build`) in the signet directory\n');
  process.exit(1);
}
await import(entry.href);
