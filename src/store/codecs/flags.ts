/*
 * The rows of both adapters' tables (snake_case, as stored) and their codecs, written once. The
 * two drivers differ in one way that matters here: SQLite returns booleans as 0/1 and binds only
 * numbers, PostgreSQL reads and binds booleans; int8 columns are parsed to numbers on PostgreSQL,
 * so ids and Unix ms are numbers on both. Rows are type aliases (not interfaces) so that they
 * satisfy the drivers' row constraints.
 */

/** A boolean column as read: 0/1 from SQLite, a boolean from PostgreSQL. */
export type Flag = 0 | 1 | boolean;

export function readFlag(value: Flag): boolean {
  return value === true || value === 1;
}

/** How an adapter binds a boolean: `sqliteFlag` (0/1) or `pgFlag` (the boolean itself). */
export type WriteFlag<F extends Flag> = (value: boolean) => F;

export const sqliteFlag: WriteFlag<0 | 1> = (value) => (value ? 1 : 0);

export const pgFlag: WriteFlag<boolean> = (value) => value;

/** Comma-separated lists (key IPs, recovery hashes): '' is the empty list. */
export function readList(text: string): string[] {
  return text === '' ? [] : text.split(',');
}

export function writeList(items: readonly string[]): string {
  return items.join(',');
}

/** A count or the newest id of a table (`COALESCE(MAX(id), 0) AS id`). */
export type IdRow = { id: number };
