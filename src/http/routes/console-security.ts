import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../services/container.js';
import { userOf } from '../console-edge.js';

const CodeBody = Type.Object({ code: Type.String({ maxLength: 40 }) }, { additionalProperties: false });

/** Two-factor authentication set-up: a new secret (QR code + setup key), then enable with a code. */
export function consoleSecurityRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post('/security/totp/setup', async (request) => {
    const { secret, uri, qrSvg } = await deps.totp.setup(userOf(request));
    return { secret, uri, qrSvg };
  });

  app.post('/security/totp/enable', { schema: { body: CodeBody } }, async (request) => {
    const recoveryCodes = await deps.totp.enable(
      userOf(request),
      (request.body as Static<typeof CodeBody>).code,
      deps.now(),
    );
    return { enabled: true, recoveryCodes };
  });
}
