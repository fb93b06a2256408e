import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './signing.js';

/** The header that carries a delivery's signature. */
export const SIGNATURE_HEADER = 'Signet-Signature';
/** How old a signature's timestamp a receiver should accept, seconds (against replays). */
export const SIGNATURE_TOLERANCE_S = 300;

/**
 * The Signet-Signature value of `body` sent at `unixSeconds`:
 * `t=<unix s>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
 *
 * @example signWebhook('whsec_…', '{"id":"evt_1"}', 1767225600) // 't=1767225600,v1=3f…'
 */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * What a receiver does (the README's recipe): parse t and v1, recompute the HMAC over
 * `t + "." + raw body`, compare in constant time, and refuse a timestamp more than
 * `toleranceS` away from its clock.
 */
export function verifyWebhook(
  secret: string,
  header: string,
  body: string,
  nowSeconds: number,
  toleranceS = SIGNATURE_TOLERANCE_S,
): boolean {
  const parts = new Map(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || v1 === undefined || Math.abs(nowSeconds - t) > toleranceS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return constantTimeEqual(expected, v1);
}
