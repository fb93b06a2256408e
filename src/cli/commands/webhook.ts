import { flags, UsageError } from '../args.js';
import { type CliIo, confirm, DATA, JSON_OPT, session } from '../io.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * `signet webhook add|list|delete|deliveries`: an account's webhooks (the signing secret printed
 * once at creation) and its recent deliveries with their outcome.
 *
 * @example await webhookCommand('add', ['--user', 'a@b.c', '--url', 'https://example.com/hook'], io);
 */
export async function webhookCommand(sub: string | undefined, argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  switch (sub) {
    case 'add': {
      const f = flags(
        argv,
        { ...DATA, ...JSON_OPT, user: { type: 'string' }, url: { type: 'string' }, events: { type: 'string' } },
        ['user', 'url'],
      );
      return withRuntime(f, async (rt) => {
        const user = await rt.users.byEmail(f.user ?? '');
        const hook = await rt.webhooks.add(user.id, f.url ?? '', f.events ?? '', Date.now());
        if (f.json === true) return printJson({ ...hook, createdAt: iso(hook.createdAt) });
        print(`Added webhook ${hook.id} for ${user.email}: ${hook.url}`);
        print(`  events: ${hook.events.join(', ')}`);
        print(`  signing secret (shown once, keep it to verify the Signet-Signature header): ${hook.secret}`);
      });
    }
    case 'list': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, user: { type: 'string' } }, ['user']);
      return withRuntime(
        f,
        async (rt) => {
          const user = await rt.users.byEmail(f.user ?? '');
          const hooks = await rt.webhooks.list(user.id);
          if (f.json === true) return printJson(hooks.map((h) => ({ ...h, createdAt: iso(h.createdAt) })));
          print(`${hooks.length} webhook(s) for ${user.email}`);
          for (const h of hooks) print(`  ${h.id}  ${h.url}  ${h.events.join(',')}`);
        },
        'read',
      );
    }
    case 'delete': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, id: { type: 'string' }, yes: { type: 'boolean' } }, ['id']);
      const id = f.id ?? '';
      if (!(await confirm(io, `Delete webhook ${id} and its pending deliveries?`, f.yes))) {
        print('Nothing deleted.');
        return;
      }
      return withRuntime(f, async (rt) => {
        await rt.webhooks.removeAny(id);
        if (f.json === true) return printJson({ id, deleted: true });
        print(`Deleted webhook ${id}.`);
      });
    }
    case 'deliveries': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, user: { type: 'string' } }, ['user']);
      return withRuntime(
        f,
        async (rt) => {
          const user = await rt.users.byEmail(f.user ?? '');
          const list = await rt.webhooks.deliveries(user.id);
          if (f.json === true) {
            return printJson(
              list.map((d) => ({
                ...d,
                createdAt: iso(d.createdAt),
                nextAttemptAt: d.state === 'pending' ? iso(d.nextAttemptAt) : null,
                firstAttemptAt: iso(d.firstAttemptAt),
                deliveredAt: iso(d.deliveredAt),
              })),
            );
          }
          print(`${list.length} deliver(ies) for ${user.email}, newest first`);
          for (const d of list) {
            const outcome = d.lastError === '' ? (d.lastStatus === null ? '' : `HTTP ${d.lastStatus}`) : d.lastError;
            print(
              `  ${d.id}  ${d.kind}  ${d.event}  ${d.state}  attempts ${d.attempts}  ${d.target}  ${outcome}`.trimEnd(),
            );
          }
        },
        'read',
      );
    }
    default:
      throw new UsageError(`unknown command "webhook ${sub ?? ''}"; use webhook add, list, delete or deliveries`);
  }
}
