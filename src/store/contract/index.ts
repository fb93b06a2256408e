import { describe } from 'node:test';
import type { Store } from '../store.js';
import { algoContract } from './algo.js';
import { appsContract } from './apps.js';
import { billsContract } from './bills.js';
import { clusterContract } from './cluster.js';
import { exchangeContract } from './exchange.js';
import { contractCase } from './fixtures.js';
import { fundingContract } from './funding.js';
import { gatewayTokensContract } from './gateway-tokens.js';
import { historyContract } from './history.js';
import { keyActorsContract } from './key-actors.js';
import { keySweepContract } from './key-sweep.js';
import { keysContract } from './keys.js';
import { ledgerContract } from './ledger.js';
import { publicTradesContract } from './public-trades.js';
import { subTransfersContract } from './sub-transfers.js';
import { subAccountsContract } from './subaccounts.js';
import { timersContract } from './timers.js';
import { usersContract } from './users.js';
import { webhooksContract } from './webhooks.js';

/**
 * The behaviour every Store adapter must have, run against each one (SQLite always, PostgreSQL
 * where a server is available), one file per aggregate. `open` returns a fresh, empty store.
 *
 * @example storeContract('sqlite', async () => openSqliteStore({ memory: true }));
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const cases = contractCase(open);
    usersContract(cases);
    keysContract(cases);
    keySweepContract(cases);
    keyActorsContract(cases);
    ledgerContract(cases);
    billsContract(cases);
    exchangeContract(cases);
    fundingContract(cases);
    historyContract(cases);
    publicTradesContract(cases);
    clusterContract(cases);
    timersContract(cases);
    algoContract(cases);
    appsContract(cases);
    subAccountsContract(cases);
    subTransfersContract(cases);
    webhooksContract(cases);
    gatewayTokensContract(cases);
  });
}
