import { RuleError } from '../core/errors.js';
import { UsageError } from './args.js';
import { addressCommand } from './commands/address.js';
import { migrateCommand, rotateMasterKeyCommand } from './commands/admin.js';
import { appCommand } from './commands/app.js';
import { depositCommand } from './commands/deposit.js';
import { gatewayCommand } from './commands/gateway.js';
import { keysCommand } from './commands/keys.js';
import { serveCommand } from './commands/serve.js';
import { subaccountCommand } from './commands/subaccount.js';
import { sweepCommand } from './commands/sweep.js';
import { userCommand } from './commands/user.js';
import { webhookCommand } from './commands/webhook.js';
import { commandHelp, GROUPS, TOP_LEVEL, topHelp } from './help.js';
import { type CliIo, processIo, session } from './io.js';
import { didYouMean } from './suggest.js';
import { version } from './version.js';

export type { CliIo } from './io.js';

/** Runs the command named by `path` ("keys create", "sweep", ...) with its flags. */
function dispatch(path: string, argv: string[], io: CliIo): Promise<void> {
  const [command, sub] = path.split(' ');
  switch (command) {
    case 'serve':
      return serveCommand(argv, io);
    case 'user':
      return userCommand(sub, argv, io);
    case 'keys':
      return keysCommand(sub, argv, io);
    case 'app':
      return appCommand(sub, argv, io);
    case 'address':
      return addressCommand(sub, argv, io);
    case 'deposit':
      return depositCommand(argv, io);
    case 'subaccount':
      return subaccountCommand(sub, argv, io);
    case 'sweep':
      return sweepCommand(argv, io);
    case 'webhook':
      return webhookCommand(sub, argv, io);
    case 'gateway':
      return gatewayCommand(path.slice('gateway '.length), argv, io);
    case 'migrate':
      return migrateCommand(argv, io);
    case 'rotate-master-key':
      return rotateMasterKeyCommand(argv, io);
    default:
      throw new UsageError(`unknown command "${path}"`);
  }
}

const HELP_FLAGS = new Set(['--help', '-h']);
/** Whether the flags ask for help (before a `--`, after which everything is a value). */
const asksHelp = (argv: readonly string[]): boolean => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => HELP_FLAGS.has(a));
};

/** A usage mistake, with the command it belongs to (for the hint). */
class CommandUsageError extends UsageError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Finds the command in argv, then prints help, or runs it. */
async function run(argv: string[], io: CliIo): Promise<void> {
  const { print } = session(io);
  const [command] = argv;
  // "gateway token create": a group's subcommand may be two words.
  const twoWords = argv[1] !== undefined && argv[2] !== undefined ? `${argv[1]} ${argv[2]}` : undefined;
  const long = command !== undefined && twoWords !== undefined && GROUPS[command]?.includes(twoWords) === true;
  const sub = long ? twoWords : argv[1];
  if (command === undefined || command === 'help' || HELP_FLAGS.has(command)) return print(topHelp(version()));
  if (command === '--version' || command === '-V' || command === 'version') return print(version());
  if (!TOP_LEVEL.includes(command)) {
    const hint = command.startsWith('-') ? '' : didYouMean(command, TOP_LEVEL, (c) => `signet ${c}`);
    throw new CommandUsageError('', `unknown command "${command}"${hint}`);
  }
  const subs = GROUPS[command];
  let path = command;
  let rest = argv.slice(1);
  if (subs !== undefined) {
    if (sub === undefined || sub.startsWith('-')) {
      if (asksHelp(argv.slice(1))) return print(commandHelp(command) ?? '');
      throw new CommandUsageError(command, `a command is missing: ${subs.join(', ')}`);
    }
    if (!subs.includes(sub)) {
      // "gateway token --help": the group's help.
      if (subs.some((s) => s.startsWith(`${sub} `)) && asksHelp(argv.slice(2)))
        return print(commandHelp(command) ?? '');
      const hint = didYouMean(sub, subs, (c) => `signet ${command} ${c}`);
      throw new CommandUsageError(command, `unknown command "${command} ${sub}"${hint || `; use ${subs.join(', ')}`}`);
    }
    path = `${command} ${sub}`;
    rest = argv.slice(long ? 3 : 2);
  }
  if (asksHelp(rest)) return print(commandHelp(path) ?? '');
  try {
    await dispatch(path, rest, io);
  } catch (err) {
    if (err instanceof UsageError && !(err instanceof CommandUsageError))
      throw new CommandUsageError(path, err.message);
    throw err;
  }
}

/**
 * Runs one command line and resolves to its exit code (`serve` resolves once listening): 0 done,
 * 1 refused or failed, 2 a usage mistake (one line on stderr naming the command, and where its help is).
 * bin.ts runs it on the process's streams (bin/signet.js, compiled); a test can capture them:
 *   const code = await main(['keys', 'list', '--user', 'a@example.com'], { ...io, out: (t) => { text += t; } });
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    await run(argv, io);
    return 0;
  } catch (err: unknown) {
    if (err instanceof UsageError) {
      const path = err instanceof CommandUsageError ? err.path : '';
      io.err(
        `signet: ${path === '' ? '' : `${path}: `}${err.message} (see: signet ${path === '' ? '' : `${path} `}--help)\n`,
      );
      return 2;
    }
    if (err instanceof RuleError) {
      io.err(`signet: ${err.message} (OKX code ${err.code})\n`);
      return 1;
    }
    io.err(`signet: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
