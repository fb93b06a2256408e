import { serve } from '../../main.js';
import { flags, intFlag } from '../args.js';
import { type CliIo, DATA, session } from '../io.js';

/** signet serve: listens until SIGINT or SIGTERM (resolves once listening). */
export async function serveCommand(argv: string[], io: CliIo): Promise<void> {
  const { print } = session(io);
  const f = flags(argv, { ...DATA, host: { type: 'string' }, port: { type: 'string' }, gateway: { type: 'string' } });
  const { url, metricsUrl, gateway, stop } = await serve({
    host: f.host,
    port: intFlag('port', f.port),
    dataDir: f.data,
    databaseUrl: f.db,
    gatewayFile: f.gateway,
  });
  // The first signal stops cleanly (see serve()); a second one forces the exit. Installed before
  // the listening line: a supervisor may signal as soon as it reads it.
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) {
      print(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    signalled = true;
    print(`${signal}: stopping (not ready; draining requests, closing WebSockets with 1001)`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        io.err(`stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // Before the listening line, which callers wait for.
  if (metricsUrl !== null) print(`metrics on ${metricsUrl}/metrics`);
  for (const r of gateway?.routes ?? []) print(`gateway: ${url}${r.prefix} -> ${r.upstream}`);
  print(`signet listening on ${url}`);
  print(`console: ${url}/ (sign up or log in there)`);
}
