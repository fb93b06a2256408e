import type { Store } from './store.js';

/**
 * The configured store: PostgreSQL when a connection string is given (`--db` or DATABASE_URL),
 * else SQLite in the data directory. Either is migrated to the current schema on opening. Each
 * driver is loaded only when used.
 *
 * @example const store = await openStore({ dataDir: './data', databaseUrl: process.env.DATABASE_URL ?? null });
 */
export async function openStore(opts: { dataDir: string; databaseUrl: string | null }): Promise<Store> {
  if (opts.databaseUrl !== null) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    return openPostgresStore({ url: opts.databaseUrl });
  }
  const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
  return openSqliteStore({ dir: opts.dataDir });
}
