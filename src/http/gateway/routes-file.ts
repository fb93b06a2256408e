import { readFileSync } from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Permission } from '../../core/permissions.js';

/** The HTTP methods a gateway route may list. */
export const GATEWAY_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type GatewayMethod = (typeof GATEWAY_METHODS)[number];

/** Largest request body the gateway takes by default, bytes (the whole body is signed, so it is read before forwarding). */
export const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;
/** How long an upstream may take to connect, and to send its response headers, by default, ms. */
const CONNECT_TIMEOUT_MS = 3000;
const RESPONSE_TIMEOUT_MS = 30_000;

/** Paths signet answers itself: no gateway prefix may sit under them. */
const RESERVED = ['/api/', '/console/', '/ws/', '/gateway/', '/healthz', '/readyz', '/metrics', '/assets/'];

const PermissionSchema = Type.Union([Type.Literal('read'), Type.Literal('trade'), Type.Literal('withdraw')]);

const RouteSchema = Type.Object(
  {
    /** Path prefix, starting and ending with "/": every request under it is authenticated and forwarded. */
    prefix: Type.String({ pattern: "^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*/$", maxLength: 200 }),
    /** http:// or https:// origin (and optional path) of the platform's own API. */
    upstream: Type.String({ pattern: '^https?://[^\\s?#]+$' }),
    /** The path the prefix becomes upstream (default: the upstream URL's path, "/" for a bare origin). */
    rewritePrefix: Type.Optional(Type.String({ pattern: '^/', maxLength: 200 })),
    /** The permission each method needs; a method not listed is refused (50115). */
    perm: Type.Object(
      {
        GET: Type.Optional(PermissionSchema),
        HEAD: Type.Optional(PermissionSchema),
        POST: Type.Optional(PermissionSchema),
        PUT: Type.Optional(PermissionSchema),
        PATCH: Type.Optional(PermissionSchema),
        DELETE: Type.Optional(PermissionSchema),
        OPTIONS: Type.Optional(PermissionSchema),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);

const FileSchema = Type.Object(
  {
    routes: Type.Array(RouteSchema, { minItems: 1, maxItems: 100 }),
    /** Largest request body, bytes (default 10 MiB). */
    bodyLimit: Type.Optional(Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024 })),
    /** Upstream connect timeout, ms (default 3000). */
    connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 600_000 })),
    /** Upstream response-headers and body-idle timeout, ms (default 30000). */
    responseTimeoutMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 3_600_000 })),
  },
  { additionalProperties: false },
);

type GatewayFile = Static<typeof FileSchema>;

export interface GatewayRoute {
  readonly prefix: string;
  readonly upstream: string;
  readonly rewritePrefix: string | null;
  readonly perm: Readonly<Partial<Record<GatewayMethod, Permission>>>;
}

/** The gateway's routes and limits, validated. */
export interface GatewayConfig {
  readonly routes: readonly GatewayRoute[];
  readonly bodyLimit: number;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
}

/**
 * Validates a gateway file's parsed JSON; throws an Error naming the file and every problem.
 *
 * @example parseGatewayConfig({ routes: [{ prefix: '/partner/', upstream: 'http://127.0.0.1:9000', perm: { GET: 'read' } }] }, 'gw.json')
 */
export function parseGatewayConfig(json: unknown, source: string): GatewayConfig {
  const problems = [...Value.Errors(FileSchema, json)].map((e) => `${e.path === '' ? '(top)' : e.path}: ${e.message}`);
  if (problems.length === 0) {
    const file = json as GatewayFile;
    const seen = new Set<string>();
    file.routes.forEach((r, i) => {
      if (seen.has(r.prefix)) problems.push(`/routes/${i}/prefix: "${r.prefix}" is listed twice`);
      seen.add(r.prefix);
      const clash = RESERVED.find((p) => r.prefix.startsWith(p) || p.startsWith(r.prefix));
      if (clash !== undefined) problems.push(`/routes/${i}/prefix: "${r.prefix}" overlaps signet's own ${clash}`);
      if (r.prefix.includes('//') || /\/\.\.?\//.test(r.prefix))
        problems.push(`/routes/${i}/prefix: "${r.prefix}" has an empty or dot segment`);
      try {
        new URL(r.upstream);
      } catch {
        problems.push(`/routes/${i}/upstream: "${r.upstream}" is not a URL`);
      }
    });
  }
  if (problems.length > 0) throw new Error(`invalid gateway file ${source}:\n  ${problems.join('\n  ')}`);
  const file = json as GatewayFile;
  return Object.freeze({
    routes: Object.freeze(
      file.routes.map((r) =>
        Object.freeze({
          prefix: r.prefix,
          upstream: r.upstream,
          rewritePrefix: r.rewritePrefix ?? null,
          perm: Object.freeze({ ...r.perm }),
        }),
      ),
    ),
    bodyLimit: file.bodyLimit ?? GATEWAY_BODY_LIMIT,
    connectTimeoutMs: file.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    responseTimeoutMs: file.responseTimeoutMs ?? RESPONSE_TIMEOUT_MS,
  });
}

/** Reads and validates the gateway file (`signet serve --gateway FILE`, SIGNET_GATEWAY_FILE). */
export function loadGatewayConfig(path: string): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`gateway file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid gateway file ${path}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseGatewayConfig(json, path);
}
