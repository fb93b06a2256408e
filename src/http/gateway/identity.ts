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
 * Hop-by-hop headers (RFC 9110 7.6.1), which belong to one connection and are never forwarded,
 * plus what the gateway sets itself: Host and Content-Length (undici writes them for the upstream
 * connection and the body as read), Expect (the body is already read) and X-Forwarded-For.
 */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'x-forwarded-for',
]);

/** The header names a Connection header lists: hop-by-hop too. */
const connectionTokens = (value: string): string[] => value.toLowerCase().split(/\s*,\s*/);

const identityCache = new WeakMap<ActiveKey, readonly string[]>();

/**
 * The identity headers of a key, as undici's flat [name, value, ...] list; built once per cached
 * key (an ActiveKey is immutable: a changed key is a new object), not once per request.
 */
export function identityHeaders(key: ActiveKey): readonly string[] {
  let flat = identityCache.get(key);
  if (flat === undefined) {
    const who = identityOf(key);
    flat = Object.freeze([
      'x-signet-uid',
      who.uid,
      'x-signet-api-key',
      who.apiKey,
      'x-signet-perm',
      who.perm,
      'x-signet-label',
      headerValue(who.label),
      'x-signet-env',
      who.env,
    ]);
    identityCache.set(key, flat);
  }
  return flat;
}

/**
 * The headers an upstream receives, as undici's flat [name, value, ...] list built straight from
 * the client's raw headers: without hop-by-hop ones, without OK-ACCESS-* (the credentials stay at
 * the gateway) and without any x-signet-* the client sent (only the gateway says who the caller
 * is); then the caller's identity (identityHeaders) and the client IP as the only X-Forwarded-For hop.
 */
export function upstreamHeaders(
  rawHeaders: readonly string[],
  identity: readonly string[],
  clientIp: string,
): string[] {
  const out: string[] = [];
  let named: string[] | null = null;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const lower = name.toLowerCase();
    if (lower === 'connection') named = [...(named ?? []), ...connectionTokens(rawHeaders[i + 1] ?? '')];
    if (NOT_FORWARDED.has(lower) || lower.startsWith('ok-access-') || lower.startsWith('x-signet-')) continue;
    out.push(name, rawHeaders[i + 1] ?? '');
  }
  const kept = named === null ? out : dropNamed(out, named);
  kept.push('x-forwarded-for', clientIp, ...identity);
  return kept;
}

function dropNamed(flat: string[], named: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i] ?? '';
    if (!named.includes(name.toLowerCase())) out.push(name, flat[i + 1] ?? '');
  }
  return out;
}

/** Hop-by-hop response headers: they belong to the upstream connection; Node writes the client's own. */
const HOP_BY_HOP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The upstream's response headers as the client receives them: hop-by-hop ones and those its
 * Connection header names removed. A new object, copied (deleting keys from the one undici
 * made would turn it into a slow dictionary object on every response).
 */
export function downstreamHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[] | undefined> {
  const connection = headers['connection'];
  const named =
    connection === undefined ? null : connectionTokens(Array.isArray(connection) ? connection.join(',') : connection);
  const out: Record<string, string | string[] | undefined> = {};
  for (const name in headers) {
    if (HOP_BY_HOP_RESPONSE.has(name) || named?.includes(name)) continue;
    out[name] = headers[name];
  }
  return out;
}
