/**
 * The indexes that walk keys by last use (the sweep's and warnings' api_keys_idle, the warm-up's
 * api_keys_used) index `used_hour`, never `last_used_at` itself. Last use is written at most once
 * a minute per key; with 100,000 keys in use that is ~1,700 writes a second, and each one moving
 * two index entries cost ~120 µs on a million-key SQLite table (random index pages): ~20% of a
 * saturated server, and 20-30 ms stalls. With `used_hour` a write within the key's hour changes
 * only the row (~10 µs on SQLite; on PostgreSQL a HOT update, no index entry written), and the
 * index entries move once an hour per key in use.
 *
 * `used_hour` is the start of the key's own hour containing `last_used_at`: each key's hours are
 * shifted by a phase taken from its API key, so that 100,000 keys in use cross into a new hour
 * spread over the hour (~28 a second) rather than all in the minute after the clock's hour turns.
 * Always `used_hour <= last_used_at < used_hour + USE_BUCKET_MS`: readers of the indexes take
 * candidates a bucket wide and apply the exact rule (core/expiry) to each row.
 *
 * These functions define stored data (migrations compute the same in SQL): never change them.
 */
export const USE_BUCKET_MS = 3_600_000;

const PHASE_CHARS = 4;
const PHASE_MUL = 131;
const PHASE_STEPS = 3600;
const PHASE_STEP_MS = USE_BUCKET_MS / PHASE_STEPS;

/** The key's phase, ms in [0, USE_BUCKET_MS): a hash of its first characters' codes. */
function usePhase(apiKey: string): number {
  let h = 0;
  for (let i = 0; i < PHASE_CHARS; i++) h = h * PHASE_MUL + (apiKey.charCodeAt(i) || 0);
  return (h % PHASE_STEPS) * PHASE_STEP_MS;
}

/** `used_hour` of a key last used at `at` (null: never used). */
export function useBucket(apiKey: string, at: number | null): number | null {
  return at === null ? null : at - ((at + usePhase(apiKey)) % USE_BUCKET_MS);
}

/** A dialect's code of the `i`-th (from 1) character of a text expression, 0 past its end. */
export type CharCode = (text: string, i: number) => string;
export const SQLITE_CHAR_CODE: CharCode = (text, i) => `COALESCE(unicode(substr(${text}, ${i}, 1)), 0)`;
export const PG_CHAR_CODE: CharCode = (text, i) => `ascii(substr(${text}, ${i}, 1))::bigint`;

/** useBucket in SQL, over the expressions `apiKey` and `at` (non-null). */
export function useBucketSql(apiKey: string, at: string, code: CharCode): string {
  let h = '0';
  for (let i = 1; i <= PHASE_CHARS; i++) h = `(${h}) * ${PHASE_MUL} + ${code(apiKey, i)}`;
  return `(${at} - ((${at} + ((${h}) % ${PHASE_STEPS}) * ${PHASE_STEP_MS}) % ${USE_BUCKET_MS}))`;
}
