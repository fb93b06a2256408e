import type pg from 'pg';
import { composeStore } from '../compose.js';
import type { Store } from '../store.js';
import { PostgresAlgo } from './algo.js';
import { PostgresApps } from './apps.js';
import { PostgresCluster } from './cluster.js';
import { type Connection, migratePostgres, openPool } from './connection.js';
import { PostgresExchange } from './exchange.js';
import { PostgresFunding } from './funding.js';
import { PostgresGatewayTokens } from './gateway-tokens.js';
import { PostgresKeys } from './keys.js';
import { PostgresLedger } from './ledger.js';
import { PostgresSubTransfers } from './sub-transfers.js';
import { PostgresSubAccounts } from './subaccounts.js';
import { PostgresTimers } from './timers.js';
import { PostgresUsers } from './users.js';
import { PostgresWebhooks } from './webhooks.js';

export { migratePostgres } from './connection.js';

/** The Store on PostgreSQL: one pool; each multi-statement operation is one transaction with row locks. */
export interface PostgresStore extends Store {
  /** The pool, for tests that inspect raw rows. */
  readonly handle: pg.Pool;
}

/**
 * Opens the PostgreSQL database at `url` (a postgres:// connection string; the schema is the
 * first of its search_path, e.g. `?options=-c%20search_path%3Dsignet`) and migrates it.
 *
 * @example const store = await openPostgresStore({ url: 'postgres://127.0.0.1/signet' });
 */
export async function openPostgresStore(opts: { url: string; poolSize?: number }): Promise<PostgresStore> {
  const conn = await openPool(opts.url, opts.poolSize ?? 10);
  try {
    await migratePostgres(conn.pool);
  } catch (err) {
    await conn.pool.end();
    throw err;
  }
  return postgresStore(conn, opts.url);
}

/** The Store over an open, migrated pool: one object per aggregate, composed. */
export function postgresStore(conn: Connection, url: string): PostgresStore {
  const ledger = new PostgresLedger(conn);
  const parts = {
    users: new PostgresUsers(conn),
    keys: new PostgresKeys(conn),
    ledger,
    exchange: new PostgresExchange(conn, ledger),
    funding: new PostgresFunding(conn, ledger),
    cluster: new PostgresCluster(conn, url),
    timers: new PostgresTimers(conn),
    algo: new PostgresAlgo(conn, ledger),
    apps: new PostgresApps(conn),
    webhooks: new PostgresWebhooks(conn),
    subAccounts: new PostgresSubAccounts(conn),
    subTransfers: new PostgresSubTransfers(conn, ledger),
    gatewayTokens: new PostgresGatewayTokens(conn),
  };
  return { ...composeStore(parts), handle: conn.pool };
}
