import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type ConfigOverrides, loadConfig } from './config.js';
import { IpWhitelist } from './core/ip-whitelist.js';
import { buildApp } from './http/app.js';
import { capConnectionsPerIp } from './http/connection-cap.js';
import { type GatewayConfig, loadGatewayConfig } from './http/gateway/routes-file.js';
import { listenMetrics } from './http/metrics-server.js';
import { openRuntime } from './runtime.js';
import type { AppDeps } from './services/container.js';
import { installWebSocket } from './ws/server.js';

/**
 * The HTTP app with the WebSocket API on its port (/ws/v5/public, /private, /business); never
 * listens. The two edges know nothing of each other: they meet here. Connections are capped per
 * client IP (SIGNET_HTTP_CONNECTIONS_PER_IP); one upgraded to a WebSocket leaves that count for
 * the WebSocket API's own (SIGNET_WS_CONNECTIONS_PER_IP).
 */
export function buildServer(deps: AppDeps, gateway: GatewayConfig | null = null): FastifyInstance {
  const app = buildApp(deps, { gateway });
  const { trustProxy, http } = deps.config;
  const cap = capConnectionsPerIp(app.server, {
    perIp: http.connectionsPerIp,
    trusted: trustProxy.length > 0 ? new IpWhitelist(trustProxy) : null,
    log: app.log,
  });
  app.server.prependListener('upgrade', (_req, socket) => cap.release(socket as Socket));
  installWebSocket(app, deps);
  return app;
}

/**
 * loadConfig -> openRuntime (store, services) -> buildApp + WebSocket API -> listen (and the
 * metrics port, if any). Returns a stop function: the clean stop. Readiness turns false at once;
 * after SIGNET_DRAIN_MS the server closes (no new connections, WebSockets told 64008 and closed
 * with 1001 "going away", requests in flight answered), then background jobs stop and the store closes.
 */
export async function serve(overrides: ConfigOverrides = {}): Promise<{
  app: FastifyInstance;
  url: string;
  metricsUrl: string | null;
  gateway: GatewayConfig | null;
  stop: () => Promise<void>;
}> {
  const config = loadConfig(process.env, overrides);
  // Read and validated before anything opens: a bad file stops the start with its problems listed.
  const gateway = config.gatewayFile === null ? null : loadGatewayConfig(config.gatewayFile);
  const runtime = await openRuntime(config);
  const app = buildServer(runtime.appDeps, gateway);
  await runtime.startBackground((deleted) => {
    for (const k of deleted) app.log.info({ apiKey: k.apiKey, label: k.label }, 'expired key deleted');
  });
  const url = await app.listen({ host: config.host, port: config.port });
  const metricsServer =
    runtime.metrics !== null && config.metrics.port !== null
      ? await listenMetrics(runtime.metrics, config.host, config.metrics.port)
      : null;
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      runtime.health.stop();
      if (config.drainMs > 0) await new Promise((r) => setTimeout(r, config.drainMs));
      await app.close();
      await metricsServer?.close();
      await runtime.close();
    })();
    return stopping;
  };
  return { app, url, metricsUrl: metricsServer?.url ?? null, gateway, stop };
}
