import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Pool } from 'undici';
import type { OkxCode } from '../../core/errors.js';
import { errorEnvelope } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import { admitted, authenticate } from '../auth.js';
import { downstreamHeaders, identityHeaders, upstreamHeaders } from './identity.js';
import type { GatewayConfig, GatewayMethod, GatewayRoute } from './routes-file.js';
import { GATEWAY_METHODS } from './routes-file.js';

/** Connections kept open to each upstream at most (keep-alive, one request at a time on each). */
const CONNECTIONS_PER_UPSTREAM = 128;

/**
 * An upstream that does not answer in time (its headers or body stall past responseTimeoutMs:
 * 50004), or that is down, refuses, resets or does not even accept the connection in time (50001).
 */
function upstreamFailure(error: unknown): OkxCode {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? '50004' : '50001';
}

/** A client connection's end, as undici takes an abort signal (an EventEmitter with `aborted`). */
interface Departure extends EventEmitter {
  aborted: boolean;
}
const departures = new WeakMap<Socket, Departure>();

/**
 * The signal that cancels the upstream requests of a client connection when it closes (a client
 * that leaves before the upstream answered; after that, undici stops on the failed write anyway).
 * One per connection, not per request: an AbortController and its listeners per request cost
 * about 5% of a forwarded request's CPU; with HTTP/1.1 a connection has one request in flight.
 */
function departure(socket: Socket): Departure {
  let d = departures.get(socket);
  if (d === undefined) {
    const emitter = Object.assign(new EventEmitter(), { aborted: false });
    // Pipelined requests on one connection each listen while in flight.
    emitter.setMaxListeners(0);
    socket.once('close', () => {
      emitter.aborted = true;
      emitter.emit('abort');
    });
    departures.set(socket, emitter);
    d = emitter;
  }
  return d;
}

/** The upstream path of a request: the route's base path, then the raw target after the prefix, byte for byte. */
function upstreamPath(base: string, rawTarget: string, cut: number): string {
  const rest = rawTarget.slice(cut);
  return rest.charCodeAt(0) === 47 /* "/" */ ? base + rest : `${base}/${rest}`;
}

/**
 * One route's handler: authenticates the request exactly as a V5 request (same checks, counters,
 * activity, rejection log and metrics) with the permission the route gives its method (a method
 * it does not list is refused, 50115, before any check), then forwards it on the route's pool.
 */
function forwarder(deps: AppDeps, route: GatewayRoute, pool: Pool) {
  const target = new URL(route.upstream);
  const base = (route.rewritePrefix ?? target.pathname).replace(/\/+$/, '');
  const cut = route.prefix.length - 1;

  async function forward(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const key = request.apiKey;
    const leaving = departure(request.raw.socket);
    try {
      // undici writes the answer straight into the client's response: no stream in between, and
      // Fastify steps aside once the upstream's headers are in (its onResponse hooks, the
      // request metrics among them, still run when the response finishes).
      await pool.stream(
        {
          method: request.method as GatewayMethod,
          // The raw target: the query string goes upstream exactly as the client sent (and signed) it.
          path: upstreamPath(base, request.raw.url ?? '/', cut),
          headers: upstreamHeaders(request.raw.rawHeaders, key === null ? [] : identityHeaders(key), request.ip),
          body: request.rawBody ?? null,
          signal: leaving,
        },
        ({ statusCode, headers }) => {
          reply.hijack();
          reply.raw.writeHead(statusCode, downstreamHeaders(headers));
          return reply.raw;
        },
      );
      return undefined;
    } catch (error) {
      if (leaving.aborted) {
        reply.log.debug({ upstream: route.upstream }, 'gateway client left before the upstream answered');
        // Nothing to send to a closed connection (and Fastify must not try).
        reply.hijack();
        return undefined;
      }
      const err = error instanceof Error ? error.message : String(error);
      // After the upstream's headers went out a failure can only cut the client's response short;
      // most often it is the client that went away (undici then aborts the upstream request).
      if (reply.raw.headersSent) {
        reply.log.debug({ upstream: route.upstream, err }, 'gateway response cut short');
        return undefined;
      }
      reply.log.warn({ upstream: route.upstream, err }, 'gateway upstream failed');
      const { status, body } = errorEnvelope(upstreamFailure(error));
      return reply.code(status).send(body);
    }
  }

  return function gatewayRequest(
    request: FastifyRequest,
    reply: FastifyReply,
  ): FastifyReply | Promise<FastifyReply | undefined> {
    const access = route.perm[request.method as GatewayMethod];
    if (access === undefined) {
      const { status, body } = errorEnvelope('50115');
      return reply.code(status).send(body);
    }
    // Callback style, not async: a cached key is checked synchronously, with no promise per request.
    const result = authenticate(deps, access, request);
    if (result instanceof Promise)
      return result.then((outcome) => (admitted(deps, request, reply, outcome) ? forward(request, reply) : reply));
    return admitted(deps, request, reply, result) ? forward(request, reply) : reply;
  };
}

/**
 * Proxy mode (issue 20): every request under a route's prefix is authenticated as a V5 request,
 * then forwarded to the route's upstream with undici (a keep-alive pool per upstream), the
 * response streamed back. The request body is read whole first, up to `bodyLimit` (50008 beyond):
 * OKX signs the whole body, so nothing may reach the upstream before the signature over its last
 * byte checks out; those raw bytes are what the upstream receives.
 */
export function gatewayProxy(app: FastifyInstance, deps: AppDeps, gateway: GatewayConfig): void {
  const pools: Pool[] = [];
  app.addHook('onClose', async () => {
    await Promise.all(pools.map((pool) => pool.destroy()));
  });
  for (const route of gateway.routes) {
    const pool = new Pool(new URL(route.upstream).origin, {
      connections: CONNECTIONS_PER_UPSTREAM,
      pipelining: 1,
      connectTimeout: gateway.connectTimeoutMs,
      headersTimeout: gateway.responseTimeoutMs,
      bodyTimeout: gateway.responseTimeoutMs,
    });
    pools.push(pool);
    const handler = forwarder(deps, route, pool);
    void app.register(async (scope) => {
      // The raw bytes, signed by the client and forwarded as they came: never parsed.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: gateway.bodyLimit }, (request, body, done) => {
        const raw = body as Buffer;
        request.rawBody = raw.length === 0 ? undefined : raw;
        done(null, undefined);
      });
      const method = [...GATEWAY_METHODS];
      scope.route({ method, url: route.prefix.slice(0, -1), handler });
      scope.route({ method, url: `${route.prefix}*`, handler });
    });
  }
}
