import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

const DIGIT0 = 48;

/** Reads `len` decimal digits at `at`, or -1 if any is not a digit. */
function digits(text: string, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const d = text.charCodeAt(i) - DIGIT0;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Unix ms of an OK-ACCESS-TIMESTAMP value, or null when it is not OKX's format: ISO-8601 UTC
 * with 0 to 3 fractional digits, e.g. 2020-12-08T09:08:57.715Z. Hand-parsed because it runs on
 * every request (a regex plus Date.parse costs several times more).
 */
export function parseRestTimestamp(text: string): number | null {
  const len = text.length;
  if (len < 20 || len > 24 || text.charCodeAt(len - 1) !== 90 /* Z */) return null;
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== 84 /* T */ ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  )
    return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  let ms = 0;
  if (len > 20) {
    if (text.charCodeAt(19) !== 46 /* . */ || len === 21) return null;
    const frac = digits(text, 20, len - 21);
    if (frac < 0) return null;
    ms = len === 22 ? frac * 100 : len === 23 ? frac * 10 : frac;
  }
  if (
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return null;
  // Impossible dates (2026-02-30), leap seconds (:60) and years before 1970 are refused.
  if (year < 1970 || day > daysInMonth(year, month)) return null;
  return ((daysSinceEpoch(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

const DASH = 45;
const COLON = 58;

/** Days from 1970-01-01 to a proleptic Gregorian date (year >= 1970), without a call into Date. */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Unix ms of a WebSocket login timestamp, or null: OKX's login takes Unix seconds as a decimal
 * string ("1538054050"; clients may add up to three fractional digits, "1538054050.975").
 */
export function parseWsTimestamp(text: string): number | null {
  const dot = text.indexOf('.');
  const whole = dot === -1 ? text : text.slice(0, dot);
  const frac = dot === -1 ? '' : text.slice(dot + 1);
  if (whole.length < 1 || whole.length > 11 || (dot !== -1 && (frac.length < 1 || frac.length > 3))) return null;
  const seconds = digits(whole, 0, whole.length);
  const fraction = frac === '' ? 0 : digits(frac, 0, frac.length);
  if (seconds < 0 || fraction < 0) return null;
  return seconds * 1000 + fraction * 10 ** (3 - frac.length);
}

/** True when `ts` lies within `windowMs` of `now`, in the past or the future. */
export function withinWindow(ts: number, now: number, windowMs: number): boolean {
  return ts >= now - windowMs && ts <= now + windowMs;
}

/**
 * Compares two strings in time that depends only on their lengths, never on where they differ
 * (no early exit). For signatures and remembered passphrases on the hot path, where it beats
 * allocating buffers for crypto.timingSafeEqual.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const len = a.length;
  let diff = len ^ b.length;
  for (let i = 0; i < len; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * OKX's signature: Base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)).
 * `target` is the request path with its query exactly as sent; `body` the raw bytes received.
 */
export function sign(
  secret: string | KeyObject,
  timestamp: string,
  method: string,
  target: string,
  body: string | Buffer = '',
): string {
  const hmac = createHmac('sha256', secret).update(timestamp + method + target);
  if (body.length > 0) hmac.update(body);
  return hmac.digest('base64');
}

/**
 * An API key's secret prepared for checking signatures: imported once into a node:crypto
 * KeyObject (kept outside the JavaScript heap), then HMAC-SHA256 by node:crypto per request.
 *
 * @example new SigningKey(secretKey).matches(timestamp, 'GET', '/api/v5/account/balance', undefined, sign)
 */
export class SigningKey {
  private readonly key: KeyObject;

  constructor(secret: string | Buffer) {
    this.key = createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
  }

  /**
   * True when `provided` is Base64(HMAC-SHA256(secret, timestamp + method + target + body)), the
   * prehash joined before encoding (a character split between parts is the one character),
   * compared in time that depends only on the lengths.
   */
  matches(timestamp: string, method: string, target: string, body: Buffer | undefined, provided: string): boolean {
    // A SHA-256 digest in Base64 is always 44 characters: anything else cannot match.
    if (provided.length !== 44) return false;
    return constantTimeEqual(sign(this.key, timestamp, method, target, body ?? ''), provided);
  }
}

/**
 * Constant-time check of a client's OK-ACCESS-SIGN against the expected signature, over the
 * request target exactly as received: OKX verifies the raw target, so a signature over any other
 * spelling of the query (decoded, re-encoded) is refused with 50113, as OKX refuses it.
 *
 * There used to be a fallback accepting a signature over the percent-decoded query, for okx-api,
 * which signs `key=value` joined unencoded while axios sends the query encoded. It is not needed
 * and made signet laxer than OKX: axios leaves `,` and `:` as they are (ccy=BTC,ETH is signed and
 * sent alike), and ccxt signs the very string it sends. Only values with a space or a reserved
 * character (`/`, `&`, `=`, …) differ, and OKX answers those 50113 too.
 */
export function signatureMatches(
  secret: SigningKey,
  timestamp: string,
  method: string,
  target: string,
  body: Buffer | undefined,
  provided: string,
): boolean {
  return secret.matches(timestamp, method, target, body, provided);
}
