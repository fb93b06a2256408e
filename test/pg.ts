import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server the tests use (this machine kind runs one on 127.0.0.1:5432, trust auth). */
export const PG_URL = process.env.SIGNET_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Null if the server answers, else why not (the PostgreSQL tests are then skipped with this reason). */
export async function postgresUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return `no PostgreSQL server answers at ${PG_URL} (${err instanceof Error ? err.message : String(err)}); set SIGNET_TEST_DATABASE_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const created: string[] = [];

/** A fresh, empty schema; the URL selects it through search_path. */
export async function freshSchemaUrl(prefix = 'signet_t'): Promise<string> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  created.push(schema);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** Drops every schema made by freshSchemaUrl in this process. */
export async function dropSchemas(): Promise<void> {
  if (created.length === 0) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const schema of created.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
