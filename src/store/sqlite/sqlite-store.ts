import type Database from 'better-sqlite3';
import { composeStore } from '../compose.js';
import type { Store } from '../store.js';
import { SqliteAlgo } from './algo.js';
import { SqliteApps } from './apps.js';
import { Checkpointer } from './checkpointer.js';
import { SqliteCluster } from './cluster.js';
import { migrate, openDatabase, type SqliteLocation } from './connection.js';
import { SqliteExchange } from './exchange.js';
import { SqliteFunding } from './funding.js';
import { SqliteGatewayTokens } from './gateway-tokens.js';
import { SqliteKeys } from './keys.js';
import { SqliteLedger } from './ledger.js';
import { SqliteSubTransfers } from './sub-transfers.js';
import { SqliteSubAccounts } from './subaccounts.js';
import { SqliteTimers } from './timers.js';
import { SqliteUsers } from './users.js';
import { SqliteWebhooks } from './webhooks.js';

export { migrate } from './connection.js';

/** The Store on SQLite, with its database handle. */
export interface SqliteStore extends Store {
  /** The underlying handle, for `signet migrate` and tests that inspect raw rows. */
  readonly handle: Database.Database;
}

/**
 * Opens (creating if needed) the SQLite database `signet.db` in `dir` and migrates it; with
 * `memory: true`, a fresh in-memory database (nothing written to disk), for unit tests.
 *
 * @example const store = openSqliteStore({ memory: true });
 */
export function openSqliteStore(opts: SqliteLocation): SqliteStore {
  const db = openDatabase(opts);
  migrate(db);
  return sqliteStore(db, 'dir' in opts ? new Checkpointer(db) : null);
}

/** The Store over an open, migrated database: one object per aggregate, composed. */
export function sqliteStore(db: Database.Database, checkpointer: Checkpointer | null = null): SqliteStore {
  const ledger = new SqliteLedger(db);
  const parts = {
    users: new SqliteUsers(db),
    keys: new SqliteKeys(db),
    ledger,
    exchange: new SqliteExchange(db, ledger),
    funding: new SqliteFunding(db, ledger),
    cluster: new SqliteCluster(db, checkpointer),
    timers: new SqliteTimers(db),
    algo: new SqliteAlgo(db, ledger),
    apps: new SqliteApps(db),
    webhooks: new SqliteWebhooks(db),
    subAccounts: new SqliteSubAccounts(db),
    subTransfers: new SqliteSubTransfers(db, ledger),
    gatewayTokens: new SqliteGatewayTokens(db),
  };
  return { ...composeStore(parts), handle: db };
}
