import { flags, secretFlag, UsageError } from '../args.js';
import { type CliIo, DATA, JSON_OPT, session } from '../io.js';

/** `signet user list`: one account a line, or --json (ISO times, no internal ids). */
async function userList(argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  const f = flags(argv, { ...DATA, ...JSON_OPT });
  const list = await withRuntime(f, (rt) => rt.users.list(), 'read');
  if (f.json === true) return printJson(list);
  const rows = [
    ['EMAIL', 'UID', 'CREATED', '2FA', 'KEYS', 'LAST LOGIN'],
    ...list.map((u) => [u.email, u.uid, u.createdAt, u.twoFactor ? 'on' : 'off', String(u.keys), u.lastLoginAt ?? '-']),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  print(`${list.length} account(s)`);
  for (const r of rows)
    print(
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

/**
 * `signet user create|list|set-password|reset-2fa`. set-password and reset-2fa (the operator's
 * way back in for a locked-out person) end the account's console sessions and are audited (actor cli).
 *
 * @example await userCommand('list', ['--json'], io);
 */
export async function userCommand(sub: string | undefined, argv: string[], io: CliIo): Promise<void> {
  const { print, withRuntime } = session(io);
  switch (sub) {
    case 'create': {
      const f = flags(argv, { ...DATA, email: { type: 'string' }, password: { type: 'string' } }, [
        'email',
        'password',
      ]);
      const password = await secretFlag(f.password ?? '', io.stdin);
      return withRuntime(f, async (rt) => {
        const user = await rt.users.create(f.email ?? '', password, Date.now());
        print(`Created account ${user.email} (uid ${user.uid})`);
      });
    }
    case 'list':
      return userList(argv, io);
    case 'set-password': {
      const f = flags(argv, { ...DATA, user: { type: 'string' }, password: { type: 'string' } }, ['user', 'password']);
      const password = await secretFlag(f.password ?? '', io.stdin);
      return withRuntime(f, async (rt) => {
        const user = await rt.users.byEmail(f.user ?? '');
        await rt.users.setPassword(user, password, 'cli', Date.now());
        print(`Set a new password for ${user.email}; its console sessions have ended.`);
      });
    }
    case 'reset-2fa': {
      const f = flags(argv, { ...DATA, user: { type: 'string' } }, ['user']);
      return withRuntime(f, async (rt) => {
        const user = await rt.users.byEmail(f.user ?? '');
        await rt.totp.disable(user, 'cli', Date.now());
        print(
          `Turned two-factor authentication off for ${user.email}; its console sessions have ended. ` +
            'It can log in with its password and set up an authenticator again (Security).',
        );
      });
    }
    default:
      throw new UsageError(`unknown command "user ${sub ?? ''}"; use user create, list, set-password or reset-2fa`);
  }
}
