import { flags, UsageError } from '../args.js';
import { type CliIo, confirm, DATA, JSON_OPT, session } from '../io.js';

/**
 * `signet gateway token create|list|delete`: the service tokens of the gateway's verify API (the
 * token printed once at creation, stored only as its SHA-256).
 *
 * @example await gatewayCommand('token create', ['--name', 'billing', '--json'], io);
 */
export async function gatewayCommand(sub: string, argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  switch (sub) {
    case 'token create': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, name: { type: 'string' } }, ['name']);
      return withRuntime(f, async (rt) => {
        const made = await rt.gatewayTokens.create(f.name ?? '', Date.now());
        if (f.json === true) return printJson({ ...made.view, token: made.token });
        print(`Created gateway token ${made.view.id} (${made.view.name})`);
        print(`  token (shown once; send it as Authorization: Bearer …): ${made.token}`);
      });
    }
    case 'token list': {
      const f = flags(argv, { ...DATA, ...JSON_OPT });
      return withRuntime(
        f,
        async (rt) => {
          const list = await rt.gatewayTokens.list();
          if (f.json === true) return printJson(list);
          print(`${list.length} gateway token${list.length === 1 ? '' : 's'}`);
          for (const t of list) print(`  ${t.id}  ${t.name}  created ${t.createdAt}`);
        },
        'read',
      );
    }
    case 'token delete': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, id: { type: 'string' }, yes: { type: 'boolean' } }, ['id']);
      return withRuntime(f, async (rt) => {
        if (!(await confirm(io, `Delete gateway token ${f.id}?`, f.yes))) {
          io.err('Not deleted.\n');
          return;
        }
        const gone = await rt.gatewayTokens.remove(f.id ?? '');
        if (f.json === true) return printJson(gone);
        print(`Deleted gateway token ${gone.id} (${gone.name})`);
      });
    }
    default:
      throw new UsageError(`unknown command "gateway ${sub}"`);
  }
}
