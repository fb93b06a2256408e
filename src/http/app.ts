import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { RuleError } from '../core/errors.js';
import { errorEnvelope, ruleErrorEnvelope } from '../okx/envelope.js';
import type { AppDeps } from '../services/container.js';
import { answerConsoleFrameworkError } from './console-edge.js';
import { gatewayProxy } from './gateway/proxy.js';
import type { GatewayConfig } from './gateway/routes-file.js';
import { lazyChildLogger } from './lazy-logger.js';
import { accountRoutes } from './routes/account.js';
import { assetRoutes } from './routes/asset.js';
import { billRoutes } from './routes/bills.js';
import { consoleApi } from './routes/console.js';
import { fundingRoutes } from './routes/funding.js';
import { gatewayRoutes } from './routes/gateway.js';
import { healthRoutes } from './routes/health.js';
import { marketRoutes } from './routes/market.js';
import { oauthRoutes } from './routes/oauth.js';
import { publicRoutes } from './routes/public.js';
import { subaccountFundsRoutes } from './routes/subaccount-funds.js';
import { subAccountKeyRoutes } from './routes/subaccount-keys.js';
import { subAccountRoutes } from './routes/subaccounts.js';
import { tradeRoutes } from './routes/trade.js';
import { tradeAlgoRoutes } from './routes/trade-algo.js';
import { tradeControlRoutes } from './routes/trade-controls.js';
import { tradeHistoryRoutes } from './routes/trade-history.js';
import { answerUnknownPage, webConsole } from './web-console.js';

/**
 * Builds the HTTP app (never listens): the V5 wire API with OKX's envelopes and error codes.
 * Tests drive it with `app.inject`; main.ts adds the WebSocket API and listens. With
 * `extras.gateway` (signet serve --gateway FILE), the gateway's proxied prefixes too.
 */
export function buildApp(deps: AppDeps, extras: { gateway?: GatewayConfig | null } = {}): FastifyInstance {
  const { config } = deps;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers["ok-access-sign"]', 'req.headers["ok-access-passphrase"]'],
    },
    // No log line per request: only rejections and faults are logged (and cost CPU).
    logController: new LogController({ disableRequestLogging: true }),
    // Each request's child logger (with its request id) is made only if the request logs.
    childLoggerFactory: lazyChildLogger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    // Ids for the logs and for the generic error message, never derived from the request.
    requestIdHeader: false,
    return503OnClosing: true,
    // A request that trickles in is cut off (408) rather than holding its connection open.
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveMs,
    // Node looks for requests past their timeouts every 30 s by default: a 30 s timeout would hold for up to 60.
    http: { connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.http.headersTimeoutMs / 4))) },
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  });
  // Node's own default (60 s) would outlast the request timeout, which Fastify sets after creating the server.
  app.server.headersTimeout = config.http.headersTimeoutMs;
  app.decorateRequest('rawBody', undefined);
  app.decorateRequest('apiKey', null);
  installBodyParser(app);
  installErrorHandling(app);
  installRequestMetrics(app, deps);

  healthRoutes(app, deps);
  publicRoutes(app, deps);
  accountRoutes(app, deps);
  assetRoutes(app, deps);
  billRoutes(app, deps);
  tradeRoutes(app, deps);
  tradeHistoryRoutes(app, deps);
  tradeControlRoutes(app, deps);
  tradeAlgoRoutes(app, deps);
  marketRoutes(app, deps);
  fundingRoutes(app, deps);
  subaccountFundsRoutes(app, deps);
  oauthRoutes(app, deps);
  subAccountRoutes(app, deps);
  subAccountKeyRoutes(app, deps);
  gatewayRoutes(app, deps);
  if (extras.gateway !== undefined && extras.gateway !== null) gatewayProxy(app, deps, extras.gateway);
  // Registered after the V5 routes, so the OpenAPI description covers the console API only.
  void app.register(swagger, {
    openapi: {
      info: {
        title: 'signet console API',
        version: '1',
        description: 'JSON API of the web console: session cookie plus X-CSRF-Token on state-changing calls.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'signet_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
  });
  void app.register(async (scope) => consoleApi(scope, deps), { prefix: '/console/api' });
  void app.register(webConsole);
  return app;
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (malformed request line or headers,
 * oversized headers): still an OKX envelope, then the connection is closed.
 */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(errorEnvelope('400').body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Errors the router raises before routes and hooks (a path parameter past maxParamLength, a bad
 * URL), answered in the surface's own shape; Fastify's default body would echo the path.
 */
function answerFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (request.url.startsWith('/console/api/')) {
    answerConsoleFrameworkError(err, reply);
    return;
  }
  const { status, body } = errorEnvelope('400');
  void reply.code(status).send(body);
}

/** Keeps the raw bytes for the signature check, then parses JSON (any content type). */
function installBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('remove', 'remove');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    if (raw.length === 0) {
      done(null, undefined);
      return;
    }
    request.rawBody = raw;
    parseJson(request, raw.toString('utf8'), (err, value) => {
      if (err !== null) done(new RuleError('50002', 'body: not valid JSON'), undefined);
      else done(null, value);
    });
  });
}

/** Counts every answered request by route pattern and status, with its latency (only when metrics are on). */
function installRequestMetrics(app: FastifyInstance, deps: AppDeps): void {
  const { metrics } = deps;
  if (metrics === null) return;
  app.addHook('onResponse', (request, reply, done) => {
    metrics.request(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime);
    done();
  });
}

/** The one place where errors become responses. */
function installErrorHandling(app: FastifyInstance): void {
  const knownPaths = new Set<string>();
  app.addHook('onRoute', (route) => {
    knownPaths.add(route.url);
  });

  app.setNotFoundHandler((request, reply) => {
    if (answerUnknownPage(request, reply)) return reply;
    const path = request.url.split('?', 1)[0] ?? '';
    const { status, body } = errorEnvelope(knownPaths.has(path) ? '50115' : '404');
    return reply.code(status).send(body);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof RuleError) {
      const { status, body } = ruleErrorEnvelope(err);
      return reply.code(status).send(body);
    }
    if (err.validation !== undefined) {
      const first = err.validation[0];
      const missing =
        first?.keyword === 'required'
          ? String((first.params as { missingProperty?: unknown }).missingProperty ?? '')
          : '';
      const param = missing !== '' ? missing : (first?.instancePath ?? '').replace(/^\//, '');
      const { status, body } = errorEnvelope(missing !== '' ? '50014' : '51000', param);
      return reply.code(status).send(body);
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const { status, body } = errorEnvelope('50008');
      return reply.code(status).send(body);
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      request.log.info({ code: err.code }, 'bad request');
      const { status, body } = errorEnvelope('400');
      return reply.code(status).send(body);
    }
    request.log.error({ err }, 'unexpected error');
    const { status, body } = errorEnvelope('50026');
    return reply.code(status).send({ ...body, msg: `${body.msg} (request id ${request.id})` });
  });
}
