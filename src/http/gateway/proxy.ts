import proxy from '@fastify/http-proxy';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OkxCode } from '../../core/errors.js';
import { errorEnvelope } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import { admitted, authenticate } from '../auth.js';
import { identityOf, upstreamHeaders } from './identity.js';
import type { GatewayConfig, GatewayMethod, GatewayRoute } from './routes-file.js';
import { GATEWAY_METHODS } from './routes-file.js';

/** An upstream that is down, resets or fails (50001), or does not answer in time (50004). */
function upstreamFailure(error: Error & { code?: string; statusCode?: number }): OkxCode {
  return error.statusCode === 504 || error.code === 'FST_REPLY_FROM_GATEWAY_TIMEOUT' ? '50004' : '50001';
}

/**
 * Authenticates a gateway request exactly as a V5 request (same checks, counters, activity,
 * rejection log and metrics), with the permission the route gives its method; a method the route
 * does not list is refused (50115) before any check.
 */
function gate(deps: AppDeps, route: GatewayRoute) {
  return function gatewayAuth(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    const access = route.perm[request.method as GatewayMethod];
    if (access === undefined) {
      const { status, body } = errorEnvelope('50115');
      reply.code(status).send(body);
      return;
    }
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
 * Proxy mode (issue 20): every request under a route's prefix is authenticated as a V5 request,
 * then forwarded to the route's upstream with @fastify/http-proxy (undici), the response streamed
 * back. The request body is read whole first, up to `bodyLimit` (50008 beyond): OKX signs the
 * whole body, so nothing may reach the upstream before the signature over its last byte checks out.
 */
export function gatewayProxy(app: FastifyInstance, deps: AppDeps, gateway: GatewayConfig): void {
  for (const route of gateway.routes) {
    void app.register(async (scope) => {
      // The raw bytes, signed by the client and forwarded as they came: never parsed.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: gateway.bodyLimit }, (request, body, done) => {
        const raw = body as Buffer;
        request.rawBody = raw.length === 0 ? undefined : raw;
        done(null, undefined);
      });
      await scope.register(proxy, {
        upstream: route.upstream,
        prefix: route.prefix.slice(0, -1),
        ...(route.rewritePrefix === null ? {} : { rewritePrefix: route.rewritePrefix }),
        proxyPayloads: false,
        httpMethods: [...GATEWAY_METHODS],
        disableRequestLogging: true,
        preHandler: gate(deps, route),
        undici: {
          connections: 128,
          pipelining: 1,
          connectTimeout: gateway.connectTimeoutMs,
          headersTimeout: gateway.responseTimeoutMs,
          bodyTimeout: gateway.responseTimeoutMs,
        },
        retryMethods: [],
        handler: (request, reply, dest, options) => {
          const raw = request.rawBody;
          if (raw === undefined) return reply.from(dest, options);
          const contentType = request.headers['content-type'] ?? 'application/octet-stream';
          return reply.from(dest, { ...options, body: raw, contentType });
        },
        replyOptions: {
          rewriteRequestHeaders: (request, headers) =>
            upstreamHeaders(headers, request.apiKey === null ? null : identityOf(request.apiKey), request.ip),
          onError: (reply, { error }) => {
            reply.log.warn({ upstream: route.upstream, err: error.message }, 'gateway upstream failed');
            const { status, body } = errorEnvelope(upstreamFailure(error));
            void reply.code(status).send(body);
          },
        },
      });
    });
  }
}
