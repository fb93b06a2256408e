import { randomInt } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { openRuntime } from '../src/runtime.js';
import type { Store } from '../src/store/store.js';

/** A sub-account as the tests need it: its name and its own account's id. */
export interface SeededSub {
  name: string;
  userId: number;
}

/**
 * Makes a sub-account of `masterId` straight in the store. The one place the sub-account tests
 * seed sub-accounts: once POST /api/v5/users/subaccount/create-subaccount exists (issue 18, task
 * E), this can call it instead.
 */
export async function seedSubAccount(store: Store, masterId: number, name: string): Promise<SeededSub> {
  const { account } = await store.createSubAccount({
    masterId,
    name,
    type: '1',
    label: '',
    uid: `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`,
    createdAt: Date.now(),
  });
  return { name, userId: account.id };
}

/**
 * Makes a sub-account of the master with that email through a runtime opened on a server's data
 * (`env`: SIGNET_DATA, or DATABASE_URL and SIGNET_MASTER_KEY), and deposits `funds` into its
 * trading account (live).
 */
export async function seedSubAccountOf(
  env: Record<string, string>,
  masterEmail: string,
  name: string,
  funds: Record<string, string> = {},
): Promise<SeededSub> {
  const rt = await openRuntime(loadConfig({ SIGNET_LOG_LEVEL: 'silent', SIGNET_MARKET_MAKER: '0', ...env }));
  try {
    const master = await rt.users.byEmail(masterEmail);
    const sub = await seedSubAccount(rt.store, master.id, name);
    for (const [ccy, amt] of Object.entries(funds))
      await rt.ledger.deposit(sub.userId, 'live', '18', ccy, amt, Date.now());
    return sub;
  } finally {
    await rt.close();
  }
}
