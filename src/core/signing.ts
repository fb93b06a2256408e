import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/** OKX's REST timestamps: ISO-8601 UTC with milliseconds, e.g. 2020-12-08T09:08:57.715Z. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/** Unix ms of an OK-ACCESS-TIMESTAMP value, or null when it is not OKX's ISO format. */
export function parseRestTimestamp(text: string): number | null {
  if (text.length > 24 || !ISO_MS.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** True when `ts` lies within `windowMs` of `now`, in the past or the future. */
export function withinWindow(ts: number, now: number, windowMs: number): boolean {
  return ts >= now - windowMs && ts <= now + windowMs;
}

/**
 * OKX's signature: Base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)).
 * `target` is the request path with its query exactly as sent; `body` the raw bytes received.
 * Used by clients in tests and benchmarks; the server verifies with `signatureMatches`.
 */
export function sign(secret: string | KeyObject, timestamp: string, method: string, target: string, body: string | Buffer = ''): string {
  return createHmac('sha256', secret).update(timestamp).update(method).update(target).update(body).digest('base64');
}

/** Constant-time check of a client's OK-ACCESS-SIGN against the expected HMAC. */
export function signatureMatches(
  secret: KeyObject,
  timestamp: string,
  method: string,
  target: string,
  body: Buffer | undefined,
  provided: string,
): boolean {
  // A SHA-256 digest is 32 bytes: 44 Base64 characters with padding.
  if (provided.length !== 44) return false;
  const given = Buffer.from(provided, 'base64');
  if (given.length !== 32) return false;
  const hmac = createHmac('sha256', secret).update(timestamp).update(method).update(target);
  if (body !== undefined && body.length > 0) hmac.update(body);
  return timingSafeEqual(hmac.digest(), given);
}
