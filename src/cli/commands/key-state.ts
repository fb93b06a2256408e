import { RuleError } from '../../core/errors.js';
import { DEFAULT_GRACE_MS, formatGrace, parseGrace } from '../../core/grace.js';
import type { Runtime } from '../../runtime.js';
import { flags } from '../args.js';
import { type CliIo, DATA, JSON_OPT, session } from '../io.js';

/** signet keys disable | enable | roll (see help.ts for the flags). */
export async function keyStateCommand(sub: 'disable' | 'enable' | 'roll', argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  const keyFlags = { ...DATA, ...JSON_OPT, user: { type: 'string' }, key: { type: 'string' } } as const;
  if (sub === 'roll') {
    const f = flags(argv, { ...keyFlags, grace: { type: 'string' } }, ['key']);
    // Read before opening the database: a bad grace is said at once.
    const graceMs = f.grace === undefined ? DEFAULT_GRACE_MS : parseGrace(f.grace);
    await withRuntime(f, async (rt) => {
      const rolled = await rt.keys.roll(await ownerOf(rt, f), f.key ?? '', graceMs, 'cli', Date.now());
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
  const f = flags(argv, keyFlags, ['key']);
  await withRuntime(f, async (rt) => {
    const change = sub === 'disable' ? rt.keys.disable.bind(rt.keys) : rt.keys.enable.bind(rt.keys);
    const k = await change(await ownerOf(rt, f), f.key ?? '', 'cli', Date.now());
    if (f.json === true) return printJson(k);
    print(
      sub === 'disable'
        ? `Disabled ${k.apiKey} (${k.label}): refused with 50100 everywhere within a second; its settings are kept.`
        : `Enabled ${k.apiKey} (${k.label}) with the settings it had.`,
    );
  });
}

/**
 * The account that owns `--key`: `--user`'s account when given (another account's key is then
 * refused as unknown), else whichever account holds the key (the operator names keys by API key).
 */
async function ownerOf(rt: Runtime, f: { user?: string | undefined; key?: string | undefined }): Promise<number> {
  if (f.user !== undefined) return (await rt.users.byEmail(f.user)).id;
  const key = await rt.store.getKey(f.key ?? '');
  if (key === null) throw new RuleError('59506', `key: no API key ${f.key ?? ''}`, 'key');
  return key.userId;
}

/** The key-state subcommands of `signet keys`. */
export function isKeyStateCommand(sub: string | undefined): sub is 'disable' | 'enable' | 'roll' {
  return sub === 'disable' || sub === 'enable' || sub === 'roll';
}
