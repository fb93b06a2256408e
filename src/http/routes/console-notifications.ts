import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { WEBHOOK_EVENTS } from '../../core/webhook-events.js';
import type { AppDeps } from '../../services/container.js';
import type { DeliveryView } from '../../services/webhook-service.js';
import { userOf } from '../console-edge.js';

const AddBody = Type.Object(
  {
    url: Type.String({ maxLength: 2000 }),
    events: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ pattern: '^wh_[0-9a-f]{24}$' }) });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function deliveryView(d: DeliveryView) {
  return {
    id: d.id,
    kind: d.kind,
    webhookId: d.webhookId,
    event: d.event,
    target: d.target,
    state: d.state,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    deliveredAt: iso(d.deliveredAt),
    nextAttemptAt: d.state === 'pending' ? iso(d.nextAttemptAt) : null,
  };
}

/**
 * The console's Notifications page: webhooks (the signing secret shown once at creation), a test
 * event, recent deliveries with their outcome, and whether warnings are also mailed.
 */
export function consoleNotificationRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/notifications', async (request) => {
    const user = userOf(request);
    const [hooks, deliveries] = await Promise.all([deps.webhooks.list(user.id), deps.webhooks.deliveries(user.id)]);
    return {
      events: WEBHOOK_EVENTS,
      email: { enabled: deps.notifier.emailEnabled, address: user.email },
      webhooks: hooks.map((h) => ({ ...h, createdAt: iso(h.createdAt) })),
      deliveries: deliveries.map(deliveryView),
    };
  });

  app.post('/webhooks', { schema: { body: AddBody } }, async (request, reply) => {
    const { url, events } = request.body as Static<typeof AddBody>;
    const hook = await deps.webhooks.add(userOf(request).id, url.trim(), (events ?? []).join(','), deps.now());
    return reply.code(201).send({ ...hook, createdAt: iso(hook.createdAt) });
  });

  app.delete('/webhooks/:id', { schema: { params: IdParams } }, async (request) => {
    const { id } = request.params as Static<typeof IdParams>;
    await deps.webhooks.remove(userOf(request).id, id);
    return { ok: true };
  });

  app.post('/webhooks/:id/test', { schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const user = userOf(request);
    await deps.webhooks.sendTest(user.id, id, user.uid, deps.now());
    return reply.code(202).send({ ok: true });
  });
}
