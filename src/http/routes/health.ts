import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../services/container.js';

/**
 * Probes for load balancers, on the API port, without authentication or rate limits:
 * GET /healthz (the process answers: 200 {"status":"ok"}) and GET /readyz (200 {"status":"ready"},
 * or 503 {"status":"not ready","reason":…} when the database is unreachable, its schema is behind,
 * or the instance is shutting down). And GET /metrics (Prometheus text) when SIGNET_METRICS=1
 * without a port of its own.
 */
export function healthRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/healthz', (_request, reply) => {
    void reply.send({ status: 'ok' });
  });
  app.get('/readyz', async (_request, reply) => {
    const r = await deps.health.ready();
    if (r.ready) return reply.send({ status: 'ready' });
    return reply.code(503).send({ status: 'not ready', reason: r.reason });
  });
  const { metrics } = deps;
  if (metrics !== null && deps.config.metrics.port === null) {
    app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.scrape()));
  }
}
