import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  PG_CHAR_CODE,
  SQLITE_CHAR_CODE,
  USE_BUCKET_MS,
  useBucket,
  useBucketSql,
} from '../src/store/codecs/use-bucket.js';
import { PG_URL, postgresUnavailable } from './pg.js';

// The stored used_hour is written by TypeScript (SQLite touches, inserts) and by SQL (migrations,
// PostgreSQL touches): both must give the same value, or the idle walks' cursors would skip rows.
const samples = Array.from({ length: 2000 }, (_, i) => ({
  apiKey: i < 3 ? (['', 'a', 'ab'][i] ?? '') : randomUUID(),
  at: Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 400 * 86_400_000),
}));

test('a key hour holds its use, and keys cross into new hours spread over the hour', () => {
  const phases = new Set<number>();
  for (const { apiKey, at } of samples) {
    const b = useBucket(apiKey, at) ?? Number.NaN;
    assert.ok(b <= at && at < b + USE_BUCKET_MS, `${apiKey} at ${at}: ${b}`);
    assert.equal(useBucket(apiKey, b), b);
    assert.equal(useBucket(apiKey, b + USE_BUCKET_MS - 1), b);
    assert.equal(useBucket(apiKey, b + USE_BUCKET_MS), b + USE_BUCKET_MS);
    phases.add(Math.floor((b % USE_BUCKET_MS) / 60_000));
  }
  assert.equal(useBucket('k', null), null);
  // 2,000 random keys: their hours start in (nearly) every minute of the clock's hour.
  assert.ok(phases.size >= 55, `${phases.size} distinct minutes`);
});

test('SQLite computes the same key hour as TypeScript', () => {
  const db = new Database(':memory:');
  const stmt = db.prepare<{ k: string; at: number }, { b: number }>(
    `SELECT ${useBucketSql('@k', '@at', SQLITE_CHAR_CODE)} AS b`,
  );
  for (const { apiKey, at } of samples) assert.equal(stmt.get({ k: apiKey, at })?.b, useBucket(apiKey, at), apiKey);
  db.close();
});

test('PostgreSQL computes the same key hour as TypeScript', async (t) => {
  const unavailable = await postgresUnavailable();
  if (unavailable !== null) return t.skip(unavailable);
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const r = await c.query<{ k: string; b: string }>(
      `SELECT k, ${useBucketSql('k', 'at', PG_CHAR_CODE)} AS b FROM unnest($1::text[], $2::bigint[]) AS t(k, at)`,
      [samples.map((s) => s.apiKey), samples.map((s) => s.at)],
    );
    assert.deepEqual(
      r.rows.map((row) => Number(row.b)),
      samples.map((s) => useBucket(s.apiKey, s.at)),
    );
  } finally {
    await c.end();
  }
});
