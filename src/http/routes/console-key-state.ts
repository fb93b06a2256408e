import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_GRACE_MS, parseGrace } from '../../core/grace.js';
import type { ConsoleGuard } from '../../services/console-guard.js';
import type { AppDeps } from '../../services/container.js';
import { checkCanEnable } from '../../services/key-state.js';
import { codeSource, userOf } from '../console-edge.js';

const KeyParams = Type.Object({ apiKey: Type.String({ maxLength: 100 }) });
const CodeBody = Type.Object({ code: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false });
const RollBody = Type.Object(
  {
    /** "0" (the old secret stops at once), "30m", "24h", "7d"...; 24h when absent. */
    grace: Type.Optional(Type.String({ maxLength: 20 })),
    code: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

/**
 * A key's state on the API page: disable (the session is enough: it only takes access away),
 * enable and roll the secret (both with an authenticator code, like IP changes). Every rule is
 * checked before the code, so a refused request leaves the code usable.
 */
export function consoleKeyStateRoutes(app: FastifyInstance, deps: AppDeps, guard: ConsoleGuard): void {
  app.post('/keys/:apiKey/disable', { schema: { params: KeyParams } }, async (request) => {
    const { apiKey } = request.params as Static<typeof KeyParams>;
    return deps.keys.disable(userOf(request).id, apiKey, 'user', deps.now());
  });

  app.post('/keys/:apiKey/enable', { schema: { params: KeyParams, body: CodeBody } }, async (request) => {
    const user = userOf(request);
    const { apiKey } = request.params as Static<typeof KeyParams>;
    checkCanEnable(await deps.keys.owned(user.id, apiKey));
    await guard.checkCode(user, (request.body as Static<typeof CodeBody>).code, codeSource(request), deps.now());
    return deps.keys.enable(user.id, apiKey, 'user', deps.now());
  });

  /** The new secret, shown once: `{ apiKey, secretKey, graceUntil }`. */
  app.post('/keys/:apiKey/roll', { schema: { params: KeyParams, body: RollBody } }, async (request) => {
    const user = userOf(request);
    const { apiKey } = request.params as Static<typeof KeyParams>;
    const body = request.body as Static<typeof RollBody>;
    const graceMs = body.grace === undefined ? DEFAULT_GRACE_MS : parseGrace(body.grace);
    await deps.keys.owned(user.id, apiKey);
    await guard.checkCode(user, body.code, codeSource(request), deps.now());
    return deps.keys.roll(user.id, apiKey, graceMs, 'user', deps.now());
  });
}
