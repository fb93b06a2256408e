import type { WithdrawalAddress } from '../../store/store.js';
import { flags, UsageError } from '../args.js';
import { type CliIo, confirm, DATA, JSON_OPT, session } from '../io.js';

/** An address book entry as the CLI prints it: its id (what `address remove --id` takes), ISO time. */
function addressView(a: WithdrawalAddress) {
  return {
    id: a.id,
    ccy: a.ccy,
    chain: a.chain,
    address: a.address,
    label: a.label,
    createdAt: new Date(a.createdAt).toISOString(),
  };
}

/** signet address add | list | remove (see help.ts for the flags). */
export async function addressCommand(sub: string | undefined, argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  switch (sub) {
    case 'add': {
      const f = flags(
        argv,
        {
          ...DATA,
          ...JSON_OPT,
          user: { type: 'string' },
          ccy: { type: 'string' },
          chain: { type: 'string' },
          addr: { type: 'string' },
        },
        ['user', 'ccy', 'chain', 'addr'],
      );
      await withRuntime(f, async (rt) => {
        const user = await rt.users.byEmail(f.user ?? '');
        const a = await rt.addresses.add(
          user.id,
          { ccy: f.ccy ?? '', chain: f.chain ?? '', address: f.addr ?? '', label: '' },
          Date.now(),
        );
        if (f.json === true) return printJson(addressView(a));
        print(`Added ${a.address} (${a.chain}) to ${user.email}'s withdrawal address book as id ${a.id}`);
      });
      return;
    }
    case 'list': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, user: { type: 'string' } }, ['user']);
      await withRuntime(
        f,
        async (rt) => {
          const list = await rt.addresses.list((await rt.users.byEmail(f.user ?? '')).id);
          if (f.json === true) return printJson(list.map(addressView));
          print(`${list.length} withdrawal address(es)`);
          for (const a of list) {
            print(
              `  ${String(a.id).padStart(4)}  ${a.chain.padEnd(12)} ${a.address}${a.label === '' ? '' : `  (${a.label})`}`,
            );
          }
        },
        'read',
      );
      return;
    }
    case 'remove': {
      const f = flags(
        argv,
        { ...DATA, ...JSON_OPT, user: { type: 'string' }, id: { type: 'string' }, yes: { type: 'boolean' } },
        ['user', 'id'],
      );
      const id = Number(f.id);
      if (!/^[1-9]\d*$/.test(f.id ?? '') || !Number.isSafeInteger(id)) {
        throw new UsageError(`--id must be an address id from signet address list, got "${f.id}"`);
      }
      await withRuntime(f, async (rt) => {
        const user = await rt.users.byEmail(f.user ?? '');
        const a = (await rt.addresses.list(user.id)).find((entry) => entry.id === id);
        if (a === undefined) throw new Error(`id: no saved address ${id} in ${user.email}'s address book`);
        if (!(await confirm(io, `Remove ${a.address} (${a.chain}) from ${user.email}'s address book?`, f.yes))) {
          io.err('Not removed.\n');
          return;
        }
        if (!(await rt.addresses.remove(user.id, id))) throw new Error(`id: address ${id} was removed meanwhile`);
        if (f.json === true) return printJson(addressView(a));
        print(`Removed ${a.address} (${a.chain}) from ${user.email}'s withdrawal address book`);
      });
      return;
    }
    default:
      throw new UsageError(`unknown command "address ${sub ?? ''}"`);
  }
}
