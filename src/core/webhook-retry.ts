/** First retry delay, ms; each further retry waits twice as long, up to RETRY_CAP_MS. */
export const RETRY_FIRST_MS = 10_000;
export const RETRY_CAP_MS = 3_600_000;
/** A delivery is retried for this long after its first attempt, then marked failed, ms (a day). */
export const RETRY_WINDOW_MS = 86_400_000;

/**
 * When to try a delivery again after its `attempts`-th failed attempt (1 for the first), or null
 * when the retry window since `firstAttemptAt` is over (the delivery has failed).
 *
 * @example nextAttemptAt(t0, 1, t0) // t0 + 10 s; then + 20 s, + 40 s, … at most + 1 h
 */
export function nextAttemptAt(
  firstAttemptAt: number,
  attempts: number,
  now: number,
  firstMs = RETRY_FIRST_MS,
): number | null {
  const delay = Math.min(RETRY_CAP_MS, firstMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  const next = now + delay;
  return next > firstAttemptAt + RETRY_WINDOW_MS ? null : next;
}
