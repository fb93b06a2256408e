import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { openRuntime, type Runtime } from '../runtime.js';
import type { CreatedKey, KeyView } from '../services/key-service.js';
import { readLine } from './args.js';

/** --data and --db, taken by every command. */
export const DATA = { data: { type: 'string' }, db: { type: 'string' } } as const;
export const JSON_OPT = { json: { type: 'boolean' } } as const;

/** Where a command reads and writes: the process's own by default; tests pass buffers instead. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdin: AsyncIterable<Buffer | string>;
  /** Whether standard input is a terminal (a person who can answer a question); false when absent. */
  interactive?: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: CliIo = {
  env: process.env,
  stdin: process.stdin,
  interactive: process.stdin.isTTY === true,
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
};

/** A read-only command on a SQLite data directory with no database in it: said, nothing created. */
export class NoDatabaseError extends Error {
  override name = 'NoDatabaseError';
}

type Where = { data?: string | undefined; db?: string | undefined };

/** A command's output lines and runtime, both bound to its io. */
export function session(io: CliIo) {
  const print = (line: string): void => io.out(`${line}\n`);
  return {
    print,
    /** Prints a value as one line of JSON. */
    printJson: (value: unknown): void => print(JSON.stringify(value)),
    /**
     * Opens the services on the command's database. 'read' refuses a SQLite database that does not
     * exist yet (opening would create an empty one, and a master key, in a mistyped --data).
     */
    withRuntime: async <T>(
      f: Where,
      run: (rt: Runtime) => Promise<T>,
      mode: 'read' | 'write' = 'write',
    ): Promise<T> => {
      const config = loadConfig(io.env, { dataDir: f.data, databaseUrl: f.db });
      if (mode === 'read' && config.databaseUrl === null && !existsSync(join(config.dataDir, 'signet.db'))) {
        throw new NoDatabaseError(`no database at ${config.dataDir} (run signet serve or signet migrate first)`);
      }
      const rt = await openRuntime(config);
      try {
        return await run(rt);
      } finally {
        await rt.close();
      }
    },
  };
}

/**
 * Asks a yes/no question on a terminal (default no). Without a terminal there is no one to ask
 * and the command goes ahead, as it did before the question existed: scripts that ran
 * `keys delete` keep working (`keys delete` is a public interface), and never hang.
 */
export async function confirm(io: CliIo, question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes === true || io.interactive !== true) return true;
  io.err(`${question} [y/N] `);
  const answer = (await readLine(io.stdin)).trim().toLowerCase();
  return answer === 'y' || answer === 'yes';
}

export function describeKey(k: KeyView | CreatedKey, expiryDays: number): string[] {
  return [
    `Name:         ${k.label}`,
    `Permissions:  ${k.perm}`,
    `IP addresses: ${k.ip === '' ? (k.env === 'demo' ? 'not bound' : `not bound (deleted automatically if unused for ${expiryDays} days)`) : k.ip}`,
    `Environment:  ${k.env}`,
  ];
}

/** The lines of a listed key (keys list, keys show). */
export function describeListedKey(k: KeyView, expiryDays: number): string[] {
  return [
    `API key:      ${k.apiKey}`,
    ...describeKey(k, expiryDays),
    `Created:      ${k.createdAt}`,
    `Last used:    ${k.lastUsedAt ?? 'never'}`,
    ...(k.expiresAt === null ? [] : [`Expires:      ${k.expiresAt} unless used before`]),
    ...(k.disabledAt === null ? [] : [`State:        DISABLED since ${k.disabledAt} (refused with 50100)`]),
    ...(k.graceUntil === null ? [] : [`Old secret:   still works until ${k.graceUntil} (rolled)`]),
  ];
}
