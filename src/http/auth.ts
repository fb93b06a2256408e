import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preValidationHookHandler,
  RouteShorthandOptions,
} from 'fastify';
import type { RouteAccess } from '../core/permissions.js';
import { errorEnvelope } from '../okx/envelope.js';
import type { AuthOutcome } from '../services/authenticator.js';
import type { AppDeps } from '../services/container.js';
import type { ActiveKey } from '../services/keyring.js';
import { noteRejection } from './auth-rejections.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's raw bytes, as signed by the client (undefined when empty). */
    rawBody: Buffer | undefined;
    /** The authenticated key on private routes. */
    apiKey: ActiveKey | null;
  }
  interface FastifyContextConfig {
    /** What the route needs: declared next to every route definition. */
    access?: RouteAccess;
  }
}

/** The OKX authentication headers of a request. */
interface OkxHeaders {
  key: string | undefined;
  sign: string | undefined;
  timestamp: string | undefined;
  passphrase: string | undefined;
  demo: boolean;
}

const join = (prev: string | undefined, value: string): string => (prev === undefined ? value : `${prev}, ${value}`);

/** Header names are case-insensitive; clients send these in upper or lower case, so those skip toLowerCase. */
const named = (name: string, upper: string, lower: string): boolean =>
  name === upper || name === lower || name.toLowerCase() === lower;

/**
 * Reads the OK-ACCESS-* and x-simulated-trading headers straight from the raw header list, which
 * spares building Node's lower-cased headers object on every signed request. A repeated header is
 * joined with ", " as Node does (and then fails its check). Names are told apart by first letter
 * and length before any string comparison (no hashing, no lower-casing on the usual spellings).
 */
function okxHeaders(raw: readonly string[]): OkxHeaders {
  const h: OkxHeaders = { key: undefined, sign: undefined, timestamp: undefined, passphrase: undefined, demo: false };
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const first = name.charCodeAt(0) | 0x20;
    if (first !== 0x6f /* o */ && first !== 0x78 /* x */) continue;
    const value = raw[i + 1] as string;
    switch (name.length) {
      case 13:
        if (named(name, 'OK-ACCESS-KEY', 'ok-access-key')) h.key = join(h.key, value);
        break;
      case 14:
        if (named(name, 'OK-ACCESS-SIGN', 'ok-access-sign')) h.sign = join(h.sign, value);
        break;
      case 19:
        if (first === 0x78) {
          if (named(name, 'X-SIMULATED-TRADING', 'x-simulated-trading')) h.demo = value === '1';
        } else if (named(name, 'OK-ACCESS-TIMESTAMP', 'ok-access-timestamp')) {
          h.timestamp = join(h.timestamp, value);
        }
        break;
      case 20:
        if (named(name, 'OK-ACCESS-PASSPHRASE', 'ok-access-passphrase')) h.passphrase = join(h.passphrase, value);
        break;
      default:
        break;
    }
  }
  return h;
}

/** x-simulated-trading: 1 marks a demo-trading request (public calls too). */
export function isDemo(request: FastifyRequest): boolean {
  return request.headers['x-simulated-trading'] === '1';
}

/** The key of an authenticated request; only private routes reach handlers, so it is always set. */
export function keyOf(request: FastifyRequest): ActiveKey {
  if (request.apiKey === null) throw new Error('private route reached without authentication');
  return request.apiKey;
}

/** The OKX V5 check of a request as received (also the gateway's, src/http/gateway/proxy.ts). */
export function authenticate(
  deps: AppDeps,
  access: RouteAccess,
  request: FastifyRequest,
): AuthOutcome | Promise<AuthOutcome> {
  const h = okxHeaders(request.raw.rawHeaders);
  return deps.authenticator.authenticate(
    {
      apiKey: h.key,
      sign: h.sign,
      timestamp: h.timestamp,
      passphrase: h.passphrase,
      demo: h.demo,
      method: request.method,
      target: request.url,
      body: request.rawBody,
      ip: request.ip,
      needs: access,
    },
    deps.now(),
  );
}

/** For routes with a schema: authentication before validation, so a bad key is refused before a bad parameter. */
function authHook(deps: AppDeps, access: RouteAccess): preValidationHookHandler {
  // Callback style, not async: a cached key is checked synchronously, with no promise per request.
  return function authenticateRequest(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
    const result = authenticate(deps, access, request);
    if (result instanceof Promise) {
      result.then((outcome) => {
        if (admitted(deps, request, reply, outcome)) done();
      }, done);
    } else if (admitted(deps, request, reply, result)) {
      done();
    }
  };
}

/**
 * For routes without a schema (the polled balance route among them): authentication in front of
 * the handler, which spares Fastify's hook runner on every request.
 */
function authenticated(deps: AppDeps, access: RouteAccess, handler: V5Route['handler']): V5Route['handler'] {
  return function authenticatedHandler(request: FastifyRequest, reply: FastifyReply) {
    const result = authenticate(deps, access, request);
    if (result instanceof Promise)
      return result.then((outcome) => (admitted(deps, request, reply, outcome) ? handler(request, reply) : reply));
    return admitted(deps, request, reply, result) ? handler(request, reply) : reply;
  };
}

/** Sets the request's key, or answers the refusal; true when the request may go on. */
export function admitted(deps: AppDeps, request: FastifyRequest, reply: FastifyReply, outcome: AuthOutcome): boolean {
  if (outcome.ok) {
    request.apiKey = outcome.key;
    return true;
  }
  noteRejection(deps, request.log, request.ip, request.routeOptions.url, outcome);
  const { status, body } = errorEnvelope(outcome.code, outcome.arg);
  reply.code(status).send(body);
  return false;
}

export interface V5Route {
  method: 'GET' | 'POST';
  url: string;
  /** The permission the route needs ('public': no key). */
  access: RouteAccess;
  schema?: RouteShorthandOptions['schema'];
  /** May answer synchronously (reply.send, returning undefined) or return a promise of the data. */
  handler: (request: FastifyRequest, reply: FastifyReply) => unknown;
}

/**
 * Declares a V5 route with its permission next to its definition; private routes get the OKX
 * authentication (before schema validation where there is a schema), public ones none.
 */
export function v5Route(app: FastifyInstance, deps: AppDeps, route: V5Route): void {
  const isPrivate = route.access !== 'public';
  const withSchema = route.schema !== undefined;
  app.route({
    method: route.method,
    url: route.url,
    config: { access: route.access },
    ...(route.schema === undefined ? {} : { schema: route.schema }),
    ...(isPrivate && withSchema ? { preValidation: authHook(deps, route.access) } : {}),
    handler: isPrivate && !withSchema ? authenticated(deps, route.access, route.handler) : route.handler,
  });
}
