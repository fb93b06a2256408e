import { serve } from '../../main.js';
import { flags, intFlag } from '../args.js';
import { type CliIo, DATA, session } from '../io.js';

/** signet serve: listens until SIGINT or SIGTERM (resolves once listening). */
export async function serveCommand(argv: string[], io: CliIo): Promise<void> {
  const { print } = session(io);
  const f = flags(argv, { ...DATA, host: { type: 'string' }, port: { type: 'string' } });
  const { url, stop } = await serve({
    host: f.host,
    port: intFlag('port', f.port),
    dataDir: f.data,
    databaseUrl: f.db,
  });
  print(`signet listening on ${url}`);
  print(`console: ${url}/ (sign up or log in there)`);
  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
