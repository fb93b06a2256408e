import { FUNDING, TRADING } from '../../core/ledger.js';
import { flags, UsageError } from '../args.js';
import { type CliIo, DATA, JSON_OPT, session } from '../io.js';
import { accountOf, SUB_OPT } from './subaccount.js';

/** signet deposit: paper funds into an account, or a simulated on-chain deposit to a deposit address. */
export async function depositCommand(argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  const f = flags(argv, {
    ...DATA,
    ...JSON_OPT,
    ...SUB_OPT,
    user: { type: 'string' },
    ccy: { type: 'string' },
    amt: { type: 'string' },
    amount: { type: 'string' },
    demo: { type: 'boolean' },
    to: { type: 'string' },
    address: { type: 'string' },
    txid: { type: 'string' },
  });
  const amt = f.amount ?? f.amt;
  if (amt === undefined || amt === '') throw new UsageError('--amt (or --amount) is required');
  if (f.address !== undefined) {
    // A simulated on-chain deposit to one of signet's deposit addresses (GET /asset/deposit-address).
    const address = f.address;
    await withRuntime(f, async (rt) => {
      const d = await rt.ledger.depositToAddress(address, amt, f.txid ?? '', Date.now());
      if (f.json === true) {
        const { ccy, chain, addr, env } = d.address;
        return printJson({ ccy, chain, address: addr, env, amt: d.amt, depId: d.depId, txId: d.txId });
      }
      print(
        `Deposited ${d.amt} ${d.address.ccy} on ${d.address.chain} to ${d.address.addr} (${d.address.env} funding account), depId ${d.depId}, txId ${d.txId}`,
      );
    });
    return;
  }
  for (const name of ['user', 'ccy'] as const)
    if (f[name] === undefined || f[name] === '') throw new UsageError(`--${name} is required (or --address)`);
  const to = f.to ?? 'trading';
  if (to !== 'trading' && to !== 'funding') throw new UsageError(`--to must be trading or funding, got "${to}"`);
  await withRuntime(f, async (rt) => {
    const user = await accountOf(rt, f.user ?? '', f.sub);
    const env = f.demo === true ? 'demo' : 'live';
    const ccy = (f.ccy ?? '').toUpperCase();
    await rt.ledger.deposit(user.id, env, to === 'trading' ? TRADING : FUNDING, f.ccy ?? '', amt, Date.now());
    const who = f.sub === undefined ? user.email : `${f.user ?? ''} sub-account ${f.sub}`;
    if (f.json === true)
      return printJson({
        user: f.sub === undefined ? user.email : (f.user ?? '').trim().toLowerCase(),
        ...(f.sub === undefined ? {} : { sub: f.sub }),
        ccy,
        amt,
        env,
        account: to,
      });
    print(`Deposited ${amt} ${ccy} into ${who}'s ${env} ${to} account`);
  });
}
