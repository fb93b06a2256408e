import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/** A prepared statement taking positional values and returning rows of type `R`. */
export type Stmt<R = unknown> = Database.Statement<unknown[], R>;

export function prepare<R = unknown>(db: Db, sql: string): Stmt<R> {
  return db.prepare<unknown[], R>(sql);
}

/** Where a SQLite store lives: `signet.db` in a directory, or a private database in memory. */
export type SqliteLocation = { dir: string } | { memory: true };

/**
 * Opens (creating if needed) `signet.db` in `dir`, or a private in-memory database (for unit
 * tests: nothing on disk, so no directory, file mode or WAL journal).
 */
export function openDatabase(where: SqliteLocation): Db {
  if ('memory' in where) {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    return db;
  }
  const { dir } = where;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'signet.db');
  const db = new Database(file);
  chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Brings the database to the newest schema; returns how many migrations ran. */
export function migrate(db: Db): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const row = prepare<{ v: number }>(db, 'SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get();
  let ran = 0;
  for (let version = (row?.v ?? 0) + 1; version <= SQLITE_MIGRATIONS.length; version++) {
    const sql = SQLITE_MIGRATIONS[version - 1] ?? '';
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    }).immediate();
    ran++;
  }
  return ran;
}

/** Runs `body` in one write transaction (BEGIN IMMEDIATE: the write lock first, so no upgrade deadlock). */
export function inTransaction<T>(db: Db, body: () => T): T {
  return db.transaction(body).immediate();
}

/** A UNIQUE constraint failed; `column`, when given, must be named in the message. */
export function isUniqueViolation(err: unknown, column?: string): boolean {
  return (
    err instanceof Error &&
    'code' in err &&
    err.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    (column === undefined || err.message.includes(column))
  );
}
