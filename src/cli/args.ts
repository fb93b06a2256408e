import { type ParseArgsConfig, parseArgs } from 'node:util';
import { didYouMean } from './suggest.js';

/** A usage mistake: printed as one line naming the command, with a pointer to its help; exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Node's parseArgs message as one line, with a suggestion for a mistyped option. */
function usageMessage(err: unknown, options: Options): string {
  const text = err instanceof Error ? err.message.replace(/^TypeError \[[A-Z_]+\]: /, '') : String(err);
  const unknown = /^Unknown option '(-{1,2})([^']*)'/.exec(text);
  if (unknown !== null) {
    const [, dashes = '--', name = ''] = unknown;
    return `Unknown option '${dashes}${name}'${didYouMean(name, Object.keys(options), (c) => `--${c}`)}`;
  }
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  // "Option '--amt' argument is ambiguous." + how to pass a value that starts with a dash.
  return `${(lines[0] ?? '').replace(/\.$/, '')}; ${(lines.at(-1) ?? '').replace(/^To specify/, 'to specify')}`;
}

/** Parses one command's flags strictly; unknown or missing flags become UsageErrors. */
export function flags<const O extends Options>(
  argv: string[],
  options: O,
  required: ReadonlyArray<keyof O & string> = [],
) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError(usageMessage(err, options));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  for (const name of required) {
    if (values[name] === undefined || values[name] === '') throw new UsageError(`--${name} is required`);
  }
  return parsed.values;
}

/** Reads one line from standard input (without its line ending); stops reading after it. */
export async function readLine(stdin: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  const it = stdin[Symbol.asyncIterator]();
  for (;;) {
    const next = await it.next();
    if (next.done === true) break;
    const chunk: Buffer | string = next.value;
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (chunks[chunks.length - 1]?.includes(0x0a) === true) {
      await it.return?.();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
}

/** A string flag's value: reads one line from standard input when the value is "-". */
export async function secretFlag(value: string, stdin: AsyncIterable<Buffer | string>): Promise<string> {
  if (value !== '-') return value;
  return readLine(stdin);
}

export function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}
