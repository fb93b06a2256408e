import type { IncomingHttpHeaders } from 'node:http';
import { formatPermissions } from '../../core/permissions.js';
import type { ActiveKey } from '../../services/keyring.js';

/** What the gateway tells an upstream about the authenticated caller. */
export interface GatewayIdentity {
  uid: string;
  apiKey: string;
  /** OKX's spelling: "read_only", "read_only,trade", "read_only,trade,withdraw". */
  perm: string;
  label: string;
  env: 'live' | 'demo';
}

export const identityOf = (key: ActiveKey): GatewayIdentity => ({
  uid: key.uid,
  apiKey: key.apiKey,
  perm: formatPermissions(key.perms),
  label: key.label,
  env: key.env,
});

/** A header value as sent: printable ASCII kept, anything else percent-encoded. */
export const headerValue = (text: string): string => (/^[\x20-\x7e]*$/.test(text) ? text : encodeURIComponent(text));

/**
 * The headers an upstream receives: the client's, without OK-ACCESS-* (the credentials stay at the
 * gateway) and without any x-signet-* the client sent (only the gateway says who the caller is),
 * plus the caller's identity and the client IP as the only X-Forwarded-For hop.
 */
export function upstreamHeaders(
  headers: IncomingHttpHeaders,
  who: GatewayIdentity | null,
  clientIp: string,
): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('ok-access-') || lower.startsWith('x-signet-') || lower === 'x-forwarded-for') continue;
    out[lower] = value;
  }
  out['x-forwarded-for'] = clientIp;
  if (who === null) return out;
  out['x-signet-uid'] = who.uid;
  out['x-signet-api-key'] = who.apiKey;
  out['x-signet-perm'] = who.perm;
  out['x-signet-label'] = headerValue(who.label);
  out['x-signet-env'] = who.env;
  return out;
}
