import { RuleError } from './errors.js';

/**
 * OKX trade/cancel-all-after: `timeOut` in seconds, 0 (disable) or 10 to 120; `tag` optional,
 * up to 16 letters and digits (then only orders placed with that tag are canceled, a countdown
 * of its own; without it, every open order of the account). At most 20 live tag-level countdowns
 * per account (51071).
 */
export const CANCEL_AFTER_MIN_S = 10;
export const CANCEL_AFTER_MAX_S = 120;
export const MAX_TAG_TIMERS = 20;

const TAG = /^[A-Za-z0-9]{1,16}$/;

export interface CancelAfterRequest {
  /** Seconds; 0 disables. */
  timeoutS: number;
  /** '' for the account-level countdown. */
  tag: string;
}

/** Checks a cancel-all-after body: 50014 when timeOut is missing, 51000 for a bad timeOut or tag. */
export function parseCancelAfter(body: Record<string, unknown>): CancelAfterRequest {
  const raw = body.timeOut;
  if (raw === undefined || raw === null || raw === '') throw new RuleError('50014', 'timeOut: required', 'timeOut');
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const n = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n === 0 || (n >= CANCEL_AFTER_MIN_S && n <= CANCEL_AFTER_MAX_S)))
    throw new RuleError(
      '51000',
      `timeOut: 0 or ${CANCEL_AFTER_MIN_S} to ${CANCEL_AFTER_MAX_S} seconds, got ${JSON.stringify(raw)}`,
      'timeOut',
    );
  const tagRaw = body.tag ?? '';
  if (typeof tagRaw !== 'string' || (tagRaw !== '' && !TAG.test(tagRaw)))
    throw new RuleError('51000', 'tag: up to 16 letters and digits', 'tag');
  return { timeoutS: n, tag: tagRaw };
}
