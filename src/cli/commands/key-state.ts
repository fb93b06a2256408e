import { DEFAULT_GRACE_MS, formatGrace, parseGrace } from '../../core/grace.js';
import { flags } from '../args.js';
import { type CliIo, DATA, JSON_OPT, session } from '../io.js';

/** signet keys disable | enable | roll (see help.ts for the flags). */
export async function keyStateCommand(sub: 'disable' | 'enable' | 'roll', argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  const keyFlags = { ...DATA, ...JSON_OPT, user: { type: 'string' }, key: { type: 'string' } } as const;
  if (sub === 'roll') {
    const f = flags(argv, { ...keyFlags, grace: { type: 'string' } }, ['user', 'key']);
    // Read before opening the database: a bad grace is said at once.
    const graceMs = f.grace === undefined ? DEFAULT_GRACE_MS : parseGrace(f.grace);
    await withRuntime(f, async (rt) => {
      const user = await rt.users.byEmail(f.user ?? '');
      const rolled = await rt.keys.roll(user.id, f.key ?? '', graceMs, 'cli', Date.now());
      if (f.json === true) return printJson(rolled);
      print(`API key:      ${rolled.apiKey}`);
      print(`Secret key:   ${rolled.secretKey}`);
      print(
        rolled.graceUntil === null
          ? 'The old secret key stopped working now.'
          : `The old secret key keeps working until ${rolled.graceUntil} (grace ${formatGrace(graceMs)}).`,
      );
      print('The new secret key is shown only now: store it safely. Never share your API keys.');
    });
    return;
  }
  const f = flags(argv, keyFlags, ['user', 'key']);
  await withRuntime(f, async (rt) => {
    const user = await rt.users.byEmail(f.user ?? '');
    const change = sub === 'disable' ? rt.keys.disable.bind(rt.keys) : rt.keys.enable.bind(rt.keys);
    const k = await change(user.id, f.key ?? '', 'cli', Date.now());
    if (f.json === true) return printJson(k);
    print(
      sub === 'disable'
        ? `Disabled ${k.apiKey} (${k.label}): refused with 50100 everywhere within a second; its settings are kept.`
        : `Enabled ${k.apiKey} (${k.label}) with the settings it had.`,
    );
  });
}

/** The key-state subcommands of `signet keys`. */
export function isKeyStateCommand(sub: string | undefined): sub is 'disable' | 'enable' | 'roll' {
  return sub === 'disable' || sub === 'enable' || sub === 'roll';
}
