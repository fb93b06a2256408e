import { main } from './main.js';

// The process entry of the `signet` command: bin/signet.js runs the compiled copy (dist/cli/bin.js);
// the tests run this file from the sources, so they never exercise a stale build.
process.exitCode = await main(process.argv.slice(2));
