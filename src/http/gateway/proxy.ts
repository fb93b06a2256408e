import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Dispatcher, Pool } from 'undici';
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

/**
 * The forwards in flight on each client connection, cancelled when it closes (a client that leaves
 * before the upstream answered, or while its answer streams). One set per connection, not a
 * listener per request: an AbortController and its listeners per request cost about 5% of a
 * forwarded request's CPU; a connection has one request in flight (a few when it pipelines).
 */
const inFlight = new WeakMap<Socket, Set<Forward>>();

function inFlightOn(socket: Socket): Set<Forward> {
  let set = inFlight.get(socket);
  if (set === undefined) {
    const forwards = new Set<Forward>();
    socket.once('close', () => {
      for (const forward of forwards) forward.clientLeft();
      forwards.clear();
    });
    inFlight.set(socket, forwards);
    set = forwards;
  }
  return set;
}

/**
 * One forwarded request, as an undici dispatch handler: the upstream's answer is written straight
 * into the client's response (no stream, no promise in between), with backpressure (the upstream
 * connection pauses while the client's socket is full). Fastify steps aside once the upstream's
 * headers are in; its onResponse hooks, the request metrics among them, still run when the
 * response finishes (not for a response cut short or a client that left: Fastify sees neither).
 */
class Forward implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private left = false;

  constructor(
    private readonly reply: FastifyReply,
    private readonly upstream: string,
    private readonly forwards: Set<Forward>,
  ) {}

  /** The client's connection closed: nothing more to send it, and the upstream request is cancelled. */
  clientLeft(): void {
    this.left = true;
    this.controller?.abort(new Error('the client left'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.left) this.clientLeft();
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // An informational answer (103 Early Hints, a 100 Continue) comes before the real one: not relayed.
    if (statusCode < 200) return;
    // A client gone in a way the connection's close did not tell (it closed before the forward began).
    if (this.reply.raw.destroyed) {
      this.clientLeft();
      return;
    }
    this.reply.hijack();
    this.reply.raw.writeHead(statusCode, downstreamHeaders(headers));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.reply.raw.write(chunk)) return;
    // A destroyed response never drains: pausing for it would hold the upstream connection for good.
    if (this.reply.raw.destroyed) {
      this.clientLeft();
      return;
    }
    controller.pause();
    this.reply.raw.once('drain', () => controller.resume());
  }

  onResponseEnd(): void {
    this.forwards.delete(this);
    this.reply.raw.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.forwards.delete(this);
    const { reply } = this;
    if (this.left) {
      reply.log.debug({ upstream: this.upstream }, 'gateway client left before the answer was through');
      // Nothing to send to a closed connection (and Fastify must not try).
      reply.hijack();
      return;
    }
    // After the upstream's headers went out a failure can only cut the client's response short.
    if (reply.raw.headersSent) {
      reply.log.debug({ upstream: this.upstream, err: error.message }, 'gateway response cut short');
      reply.raw.destroy();
      return;
    }
    reply.log.warn({ upstream: this.upstream, err: error.message }, 'gateway upstream failed');
    const { status, body } = errorEnvelope(upstreamFailure(error));
    void reply.code(status).send(body);
  }
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

  function forward(request: FastifyRequest, reply: FastifyReply): void {
    // The client left while its key was being looked up: its connection's close has passed, so
    // nothing would cancel the upstream request; there is nobody to answer.
    if (request.raw.socket.destroyed) {
      reply.hijack();
      return;
    }
    const key = request.apiKey;
    const forwards = inFlightOn(request.raw.socket);
    const handler = new Forward(reply, route.upstream, forwards);
    forwards.add(handler);
    pool.dispatch(
      {
        method: request.method as GatewayMethod,
        // The raw target: the query string goes upstream exactly as the client sent (and signed) it.
        path: upstreamPath(base, request.raw.url ?? '/', cut),
        headers: upstreamHeaders(request.raw.rawHeaders, key === null ? [] : identityHeaders(key), request.ip),
        body: request.rawBody ?? null,
      },
      handler,
    );
  }

  // A handler that returns nothing (not a promise: Fastify would send an empty reply when it
  // resolves) leaves the reply to the forward: the upstream's answer, or the gateway's error envelope.
  return function gatewayRequest(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    const access = route.perm[request.method as GatewayMethod];
    if (access === undefined) {
      const { status, body } = errorEnvelope('50115');
      return reply.code(status).send(body);
    }
    // Callback style, not async: a cached key is checked synchronously, with no promise per request.
    const result = authenticate(deps, access, request);
    if (result instanceof Promise) {
      result
        .then((outcome) => {
          if (admitted(deps, request, reply, outcome)) forward(request, reply);
        })
        .catch((error: unknown) => reply.send(error));
      return undefined;
    }
    if (admitted(deps, request, reply, result)) forward(request, reply);
    return undefined;
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
