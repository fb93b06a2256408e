import pg from 'pg';
import { POSTGRES_MIGRATIONS } from './migrations.js';

export type Db = pg.Pool | pg.PoolClient;

const INT8_OID = 20;
/** bigint columns hold Unix ms and row ids, all within Number's exact range; ids of sequences are read as text. */
const getTypeParser = (oid: number, format?: 'text' | 'binary') =>
  oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text');
export const types = { getTypeParser: getTypeParser as typeof pg.types.getTypeParser };

/** The notification channel of key changes; the payload is the schema, so deployments sharing a database stay apart. */
export const KEY_CHANNEL = 'signet_keys';

/** SQLSTATEs after which a transaction is simply run again: serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

export function pgCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** A unique violation (23505); `constraint`, when given, must be the one violated. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return (
    pgCode(err) === '23505' &&
    (constraint === undefined || (err instanceof Error && 'constraint' in err && err.constraint === constraint))
  );
}

/** The rows of a query, typed as `R` (the row shapes of ../codecs.ts). */
export async function rows<R extends pg.QueryResultRow>(db: Db, text: string, values: unknown[] = []): Promise<R[]> {
  return (await db.query<R>(text, values)).rows;
}

/** The first row of a query, or undefined. */
export async function one<R extends pg.QueryResultRow>(
  db: Db,
  text: string,
  values: unknown[] = [],
): Promise<R | undefined> {
  return (await rows<R>(db, text, values))[0];
}

/** How many rows a statement changed. */
export async function changed(db: Db, text: string, values: unknown[] = []): Promise<number> {
  return (await db.query(text, values)).rowCount ?? 0;
}

/** The pool with what every aggregate needs to know about it. */
export interface Connection {
  pool: pg.Pool;
  /** The schema (first of search_path): names feed locks and key-change notifications. */
  schema: string;
}

/** Runs `body` in one transaction; runs it again after a deadlock or serialization failure. */
export async function tx<T>(pool: pg.Pool, body: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const c = await pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      const result = await body(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK').catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
      const code = pgCode(err);
      if (code !== undefined && RETRYABLE.has(code) && attempt < 5) continue;
      throw err;
    } finally {
      c.release(broken);
    }
  }
}

/**
 * Holds a feed lock until the transaction ends, so that rows of a change feed (audit log,
 * ledger entries) get their ids and commit in the same order: a reader never sees id n + 1
 * before id n, and a cursor never skips a row.
 */
export async function feedLock(c: pg.PoolClient, schema: string, feed: 'audit' | 'ledger' | 'apps'): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}:${feed}`]);
}

/** Inside a transaction: locks the account's row, so rules that count its keys or addresses hold. */
export async function lockUser(c: pg.PoolClient, userId: number): Promise<void> {
  await c.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
}

/** A pool on `url` whose schema exists; throws (and closes the pool) otherwise. */
export async function openPool(url: string, poolSize: number): Promise<Connection> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    const schema = await one<{ s: string | null }>(pool, 'SELECT current_schema() AS s');
    if (schema === undefined || schema.s === null) {
      throw new Error('the schema named in search_path does not exist: create it first (CREATE SCHEMA ...)');
    }
    return { pool, schema: schema.s };
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/** Brings the database to the newest schema; returns how many migrations ran. */
export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    // Instances starting together migrate one after the other.
    await c.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':migrate'))`);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations
      (version integer PRIMARY KEY, applied_at bigint NOT NULL)`);
    const row = await one<{ v: number }>(c, 'SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations');
    let ran = 0;
    for (let version = (row?.v ?? 0) + 1; version <= POSTGRES_MIGRATIONS.length; version++) {
      await c.query(POSTGRES_MIGRATIONS[version - 1] ?? '');
      await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, Date.now()]);
      ran++;
    }
    await c.query('COMMIT');
    return ran;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}
