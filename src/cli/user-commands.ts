import { loadConfig } from '../config.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { flags, secretFlag, UsageError } from './args.js';

/** Where a user command reads and writes (the shape of main.ts's CliIo). */
export interface UserCommandIo {
  env: Readonly<Record<string, string | undefined>>;
  stdin: AsyncIterable<Buffer | string>;
  out: (text: string) => void;
}

const DATA = { data: { type: 'string' }, db: { type: 'string' } } as const;

/** The operator's account commands (beside `user create`, which main.ts runs). */
export const USER_COMMANDS_HELP = `  signet user list [--json]
  signet user set-password --user E --password P|-   (ends the account's sessions)
  signet user reset-2fa --user E                      (turns 2FA off, ends the account's sessions)`;

async function withRuntime<T>(
  io: UserCommandIo,
  f: { data?: string | undefined; db?: string | undefined },
  run: (rt: Runtime) => Promise<T>,
): Promise<T> {
  const rt = await openRuntime(loadConfig(io.env, { dataDir: f.data, databaseUrl: f.db }));
  try {
    return await run(rt);
  } finally {
    await rt.close();
  }
}

/** `signet user list`: one account a line, or --json (ISO times, no internal ids). */
export async function userList(argv: string[], io: UserCommandIo): Promise<void> {
  const f = flags(argv, { ...DATA, json: { type: 'boolean' } });
  const list = await withRuntime(io, f, (rt) => rt.users.list());
  if (f.json === true) {
    io.out(`${JSON.stringify(list)}\n`);
    return;
  }
  const rows = [
    ['EMAIL', 'UID', 'CREATED', '2FA', 'KEYS', 'LAST LOGIN'],
    ...list.map((u) => [u.email, u.uid, u.createdAt, u.twoFactor ? 'on' : 'off', String(u.keys), u.lastLoginAt ?? '-']),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  io.out(`${list.length} account(s)\n`);
  for (const r of rows)
    io.out(
      `${r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
}

/** `signet user set-password`: the same rule as sign-up; every session of the account ends; audited (actor cli). */
export async function userSetPassword(argv: string[], io: UserCommandIo): Promise<void> {
  const f = flags(argv, { ...DATA, user: { type: 'string' }, password: { type: 'string' } }, ['user', 'password']);
  const password = await secretFlag(f.password ?? '', io.stdin);
  await withRuntime(io, f, async (rt) => {
    const user = await rt.users.byEmail(f.user ?? '');
    await rt.users.setPassword(user, password, 'cli', Date.now());
    io.out(`Set a new password for ${user.email}; its console sessions have ended.\n`);
  });
}

/** `signet user reset-2fa`: the account logs in with its password alone and can set up 2FA again. */
export async function userResetTwoFactor(argv: string[], io: UserCommandIo): Promise<void> {
  const f = flags(argv, { ...DATA, user: { type: 'string' } }, ['user']);
  await withRuntime(io, f, async (rt) => {
    const user = await rt.users.byEmail(f.user ?? '');
    await rt.totp.disable(user, 'cli', Date.now());
    io.out(
      `Turned two-factor authentication off for ${user.email}; its console sessions have ended. ` +
        'It can log in with its password and set up an authenticator again (Security).\n',
    );
  });
}

/**
 * Runs `signet user <sub>` for list, set-password and reset-2fa.
 *
 * @example await userCommand('list', ['--json'], io);
 */
export async function userCommand(sub: string | undefined, argv: string[], io: UserCommandIo): Promise<void> {
  switch (sub) {
    case 'list':
      return userList(argv, io);
    case 'set-password':
      return userSetPassword(argv, io);
    case 'reset-2fa':
      return userResetTwoFactor(argv, io);
    default:
      throw new UsageError(`unknown command "user ${sub ?? ''}"; use user create, list, set-password or reset-2fa`);
  }
}
