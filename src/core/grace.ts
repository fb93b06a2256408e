import { RuleError } from './errors.js';

/** The longest grace period a rolled secret's predecessor may keep working: 7 days, in ms. */
export const MAX_GRACE_MS = 7 * 86_400_000;
/** The grace period when none is given (CLI and console): 24 hours, in ms. */
export const DEFAULT_GRACE_MS = 86_400_000;

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a grace period such as "0", "90s", "30m", "24h" or "7d" (whole numbers) into ms; RuleError
 * (field 'grace') for anything else or for more than 7 days.
 *
 * @example parseGrace('24h') // 86_400_000
 */
export function parseGrace(text: string): number {
  const m = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  const amount = m?.[1];
  // A bare number is only allowed for 0 (no unit is needed to say "none").
  const unit = m?.[2] === '' && amount === '0' ? 's' : m?.[2];
  const size = unit === undefined ? undefined : UNIT_MS[unit];
  if (amount === undefined || size === undefined) {
    throw new RuleError(
      '51000',
      `grace: "${text}" is not a grace period; write a whole number with s, m, h or d (e.g. 0, 30m, 24h, 7d)`,
      'grace',
    );
  }
  return checkGrace(Number(amount) * size);
}

/** The grace period itself if it is between 0 and 7 days; RuleError (field 'grace') otherwise. */
export function checkGrace(ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RuleError('51000', 'grace: the grace period must be 0 or more', 'grace');
  }
  if (ms > MAX_GRACE_MS) {
    throw new RuleError('51000', 'grace: the grace period can be at most 7 days (7d)', 'grace');
  }
  return ms;
}

/** A grace period in words for people: "0" → "none", 86_400_000 → "24h", 604_800_000 → "7d". */
export function formatGrace(ms: number): string {
  if (ms === 0) return 'none';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (ms % size === 0 && ms / size >= (unit === 'd' ? 2 : 1)) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}
