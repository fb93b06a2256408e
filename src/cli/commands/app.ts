import type { AppView } from '../../services/app-service.js';
import { flags, UsageError } from '../args.js';
import { type CliIo, confirm, DATA, JSON_OPT, session } from '../io.js';

const describeApp = (a: AppView): string[] => [
  `Client id:     ${a.clientId}`,
  `Name:          ${a.name}`,
  `Redirect URIs: ${a.redirectUris.join(' ')}`,
  `IPs:           ${a.ips.join(',')}`,
  `Permissions:   ${a.perm}`,
  `Updated:       ${a.updatedAt}`,
];

const APP_FIELDS = {
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  ip: { type: 'string' },
  perm: { type: 'string' },
} as const;

/** signet app create | list | modify | delete: registered third-party apps (Connect; see help.ts). */
export async function appCommand(sub: string | undefined, argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  switch (sub) {
    case 'create': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, ...APP_FIELDS }, ['name', 'redirect-uri', 'ip']);
      await withRuntime(f, async (rt) => {
        const made = await rt.apps.register(
          { name: f.name ?? '', redirectUris: f['redirect-uri'] ?? [], ip: f.ip ?? '', perm: f.perm },
          Date.now(),
        );
        if (f.json === true) return printJson({ client_id: made.clientId, client_secret: made.clientSecret });
        print(`client_id:     ${made.clientId}`);
        print(`client_secret: ${made.clientSecret}`);
        for (const line of describeApp(made.app).slice(1)) print(line);
        print('The client secret is shown only now: give it to the app, which keeps it on its server.');
      });
      return;
    }
    case 'list': {
      const f = flags(argv, { ...DATA, ...JSON_OPT });
      await withRuntime(
        f,
        async (rt) => {
          const list = await rt.apps.list();
          if (f.json === true) return printJson(list);
          print(`${list.length} app${list.length === 1 ? '' : 's'}`);
          for (const a of list) {
            print('');
            for (const line of describeApp(a)) print(line);
          }
        },
        'read',
      );
      return;
    }
    case 'modify': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, ...APP_FIELDS, 'client-id': { type: 'string' } }, ['client-id']);
      await withRuntime(f, async (rt) => {
        const a = await rt.apps.modify(
          f['client-id'] ?? '',
          { name: f.name, redirectUris: f['redirect-uri'], ip: f.ip, perm: f.perm },
          Date.now(),
        );
        if (f.json === true) return printJson(a);
        print(`Modified ${a.clientId}; its keys follow the new settings within a second.`);
        for (const line of describeApp(a)) print(line);
      });
      return;
    }
    case 'delete': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, 'client-id': { type: 'string' }, yes: { type: 'boolean' } }, [
        'client-id',
      ]);
      await withRuntime(f, async (rt) => {
        // An app that is not there is said before asking about it.
        const app = await rt.apps.get(f['client-id'] ?? '');
        const question = `Delete app ${app.clientId} (${app.name}) and every key made for it?`;
        if (!(await confirm(io, question, f.yes))) {
          io.err('Not deleted.\n');
          return;
        }
        const done = await rt.apps.remove(app.clientId, Date.now());
        if (f.json === true) return printJson(done);
        print(`Deleted ${app.clientId} (${app.name}) and ${done.keysDeleted} key${done.keysDeleted === 1 ? '' : 's'}`);
      });
      return;
    }
    default:
      throw new UsageError(`unknown command "app ${sub ?? ''}"`);
  }
}
