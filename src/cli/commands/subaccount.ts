import { FUNDING, TRADING } from '../../core/ledger.js';
import type { Runtime } from '../../runtime.js';
import type { SubAccountView } from '../../services/subaccount-service.js';
import type { UserRecord } from '../../store/store.js';
import { flags, UsageError } from '../args.js';
import { type CliIo, DATA, JSON_OPT, session } from '../io.js';

/**
 * The account a command acts on: the master's (`--user E`), or with `--sub S` its sub-account's
 * (RuleError 59510 when the master has no such sub-account).
 */
export async function accountOf(rt: Runtime, email: string, sub: string | undefined): Promise<UserRecord> {
  const master = await rt.users.byEmail(email);
  if (sub === undefined) return master;
  const view = await rt.subAccounts.get(master.id, sub);
  const account = await rt.users.byId(view.userId);
  if (account === null) throw new Error(`sub-account ${sub} has no account`);
  return account;
}

/** The `--sub S` flag shared by the commands that can act on a sub-account. */
export const SUB_OPT = { sub: { type: 'string' } } as const;

/** A sub-account as `subaccount list` shows it: ISO times, its key count and live balances. */
interface SubAccountListing {
  name: string;
  uid: string;
  label: string;
  state: 'active' | 'frozen';
  canTransOut: boolean;
  createdAt: string;
  keys: number;
  /** Live balances (available + frozen) by account and currency; zero ones left out. */
  balances: { trading: Record<string, string>; funding: Record<string, string> };
}

async function listing(rt: Runtime, s: SubAccountView, now: number): Promise<SubAccountListing> {
  const held = async (account: typeof TRADING | typeof FUNDING) => {
    const snap = await rt.ledger.snapshot(s.userId, 'live', account, now);
    return Object.fromEntries(
      snap.rows.filter((r) => Number(r.avail) !== 0 || Number(r.frozen) !== 0).map((r) => [r.ccy, r.avail]),
    );
  };
  return {
    name: s.name,
    uid: s.uid,
    label: s.label,
    state: s.enabled ? 'active' : 'frozen',
    canTransOut: s.canTransOut,
    createdAt: new Date(s.createdAt).toISOString(),
    keys: await rt.subAccounts.keyCount(s),
    balances: { trading: await held(TRADING), funding: await held(FUNDING) },
  };
}

const summary = (b: Record<string, string>): string =>
  Object.entries(b)
    .map(([ccy, amt]) => `${amt} ${ccy}`)
    .join(', ') || 'none';

/** signet subaccount create | list | freeze | unfreeze (see help.ts for the flags). */
export async function subaccountCommand(sub: string | undefined, argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  switch (sub) {
    case 'create': {
      const f = flags(
        argv,
        { ...DATA, ...JSON_OPT, user: { type: 'string' }, name: { type: 'string' }, label: { type: 'string' } },
        ['user', 'name'],
      );
      await withRuntime(f, async (rt) => {
        const master = await rt.users.byEmail(f.user ?? '');
        const s = await rt.subAccounts.create(master.id, { name: f.name, label: f.label, type: '1' }, Date.now());
        if (f.json === true) return printJson(await listing(rt, s, Date.now()));
        print(`Created sub-account ${s.name} (uid ${s.uid}) of ${master.email}.`);
        print('It has no console login: manage it from the master account (console, CLI --sub, or the API).');
      });
      return;
    }
    case 'list': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, user: { type: 'string' } }, ['user']);
      await withRuntime(
        f,
        async (rt) => {
          const master = await rt.users.byEmail(f.user ?? '');
          const now = Date.now();
          const list = await Promise.all(
            (await rt.subAccounts.list(master.id, { limit: 1000 })).map((s) => listing(rt, s, now)),
          );
          if (f.json === true) return printJson(list);
          print(`${list.length} sub-account${list.length === 1 ? '' : 's'} of ${master.email}`);
          for (const s of list) {
            print('');
            print(`Name:         ${s.name}${s.label === '' ? '' : ` (${s.label})`}`);
            print(`uid:          ${s.uid}`);
            print(`State:        ${s.state}${s.canTransOut ? '' : ', cannot transfer out'}`);
            print(`Created:      ${s.createdAt}`);
            print(`Keys:         ${s.keys}`);
            print(`Trading:      ${summary(s.balances.trading)}`);
            print(`Funding:      ${summary(s.balances.funding)}`);
          }
        },
        'read',
      );
      return;
    }
    case 'freeze':
    case 'unfreeze': {
      const f = flags(argv, { ...DATA, ...JSON_OPT, user: { type: 'string' }, name: { type: 'string' } }, [
        'user',
        'name',
      ]);
      await withRuntime(f, async (rt) => {
        const master = await rt.users.byEmail(f.user ?? '');
        const change =
          sub === 'freeze' ? rt.subAccounts.freeze.bind(rt.subAccounts) : rt.subAccounts.unfreeze.bind(rt.subAccounts);
        const s = await change(master.id, f.name ?? '', 'cli', Date.now());
        if (f.json === true) return printJson(await listing(rt, s, Date.now()));
        print(
          sub === 'freeze'
            ? `Froze ${s.name}: its API keys are refused with 50100 everywhere within a second, and its transfers are refused.`
            : `Unfroze ${s.name}: its API keys work again.`,
        );
      });
      return;
    }
    default:
      throw new UsageError(`unknown command "subaccount ${sub ?? ''}"`);
  }
}
