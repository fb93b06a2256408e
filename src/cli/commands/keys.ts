import { flags, secretFlag, UsageError } from '../args.js';
import { type CliIo, confirm, DATA, describeKey, describeListedKey, JSON_OPT, session } from '../io.js';
import { withdrawWarning } from '../key-warnings.js';
import { isKeyStateCommand, keyStateCommand } from './key-state.js';
import { accountOf, SUB_OPT } from './subaccount.js';

/** signet keys create | list | show | modify | delete | disable | enable | roll (see help.ts for the flags). */
export async function keysCommand(sub: string | undefined, argv: string[], io: CliIo): Promise<void> {
  if (isKeyStateCommand(sub)) return keyStateCommand(sub, argv, io);
  const { print, printJson, withRuntime } = session(io);
  switch (sub) {
    case 'create': {
      const f = flags(
        argv,
        {
          ...DATA,
          ...SUB_OPT,
          user: { type: 'string' },
          name: { type: 'string' },
          passphrase: { type: 'string' },
          perm: { type: 'string' },
          ip: { type: 'string' },
          demo: { type: 'boolean' },
          json: { type: 'boolean' },
        },
        ['user', 'name', 'passphrase'],
      );
      const passphrase = await secretFlag(f.passphrase ?? '', io.stdin);
      await withRuntime(f, async (rt) => {
        const user = await accountOf(rt, f.user ?? '', f.sub);
        const key = await rt.keys.create(
          user.id,
          {
            label: f.name ?? '',
            passphrase,
            perm: f.perm,
            ip: f.ip,
            env: f.demo === true ? 'demo' : 'live',
          },
          'cli',
          Date.now(),
        );
        io.err(withdrawWarning(key) ?? '');
        if (f.json === true) return print(JSON.stringify(key));
        print(`API key:      ${key.apiKey}`);
        print(`Secret key:   ${key.secretKey}`);
        for (const line of describeKey(key, rt.config.expiry.periodMs / 86_400_000)) print(line);
        print('The secret key is shown only now: store it safely. Never share your API keys.');
      });
      return;
    }
    case 'list': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, ...SUB_OPT, user: { type: 'string' } }, ['user']);
      await withRuntime(
        f,
        async (rt) => {
          const list = await rt.keys.list((await accountOf(rt, f.user ?? '', f.sub)).id, Date.now());
          if (f.json === true) return printJson(list);
          print(`${list.length} / 50 keys`);
          for (const k of list) {
            print('');
            for (const line of describeListedKey(k, rt.config.expiry.periodMs / 86_400_000)) print(line);
          }
        },
        'read',
      );
      return;
    }
    case 'show': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, ...SUB_OPT, user: { type: 'string' }, key: { type: 'string' } }, [
        'user',
        'key',
      ]);
      await withRuntime(
        f,
        async (rt) => {
          const user = await accountOf(rt, f.user ?? '', f.sub);
          await rt.keys.owned(user.id, f.key ?? ''); // 59506 when the account has no such key
          const k = (await rt.keys.list(user.id, Date.now())).find((view) => view.apiKey === f.key);
          if (k === undefined) throw new Error(`key ${f.key} was deleted while reading it`);
          if (f.json === true) return printJson(k);
          for (const line of describeListedKey(k, rt.config.expiry.periodMs / 86_400_000)) print(line);
        },
        'read',
      );
      return;
    }
    case 'modify': {
      const f = flags(
        argv,
        {
          ...DATA,
          ...SUB_OPT,
          user: { type: 'string' },
          key: { type: 'string' },
          name: { type: 'string' },
          perm: { type: 'string' },
          ip: { type: 'string' },
          json: { type: 'boolean' },
        },
        ['user', 'key'],
      );
      await withRuntime(f, async (rt) => {
        const user = await accountOf(rt, f.user ?? '', f.sub);
        const k = await rt.keys.modify(
          user.id,
          f.key ?? '',
          { label: f.name, perm: f.perm, ip: f.ip },
          'cli',
          Date.now(),
        );
        io.err(withdrawWarning(k) ?? '');
        if (f.json === true) return print(JSON.stringify(k));
        print(`Modified ${k.apiKey}`);
        for (const line of describeKey(k, rt.config.expiry.periodMs / 86_400_000)) print(line);
      });
      return;
    }
    case 'delete': {
      const f = flags(
        argv,
        {
          ...DATA,
          ...JSON_OPT,
          ...SUB_OPT,
          user: { type: 'string' },
          key: { type: 'string' },
          yes: { type: 'boolean' },
        },
        ['user', 'key'],
      );
      await withRuntime(f, async (rt) => {
        const user = await accountOf(rt, f.user ?? '', f.sub);
        // A key that is not there is said before asking about it.
        const owned = await rt.keys.owned(user.id, f.key ?? '');
        if (!(await confirm(io, `Delete key ${owned.apiKey} (${owned.label})?`, f.yes))) {
          io.err('Not deleted.\n');
          return;
        }
        const k = await rt.keys.remove(user.id, f.key ?? '', 'cli', Date.now());
        if (f.json === true) return printJson(k);
        print(`Deleted ${k.apiKey} (${k.label})`);
      });
      return;
    }
    default:
      throw new UsageError(`unknown command "keys ${sub ?? ''}"`);
  }
}
