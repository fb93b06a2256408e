import { createHmac, type KeyObject } from 'node:crypto';

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
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  let ms = 0;
  if (len > 20) {
    if (text[19] !== '.' || len === 21) return null;
    const frac = digits(text, 20, len - 21);
    if (frac < 0) return null;
    ms = len === 22 ? frac * 100 : len === 23 ? frac * 10 : frac;
  }
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  const value = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2026-02-30 over into March: refuse days the month does not have.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return null;
  return value;
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
export function sign(secret: string | KeyObject, timestamp: string, method: string, target: string, body: string | Buffer = ''): string {
  const hmac = createHmac('sha256', secret).update(timestamp + method + target);
  if (body.length > 0) hmac.update(body);
  return hmac.digest('base64');
}

/** Constant-time check of a client's OK-ACCESS-SIGN against the expected signature. */
export function signatureMatches(
  secret: KeyObject,
  timestamp: string,
  method: string,
  target: string,
  body: Buffer | undefined,
  provided: string,
): boolean {
  // A SHA-256 digest in Base64 is always 44 characters; anything else cannot match.
  if (provided.length !== 44) return false;
  return constantTimeEqual(sign(secret, timestamp, method, target, body), provided);
}
