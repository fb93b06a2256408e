import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ok } from '../../okx/envelope.js';
import type { AppDeps } from '../../services/container.js';
import { isDemo } from '../auth.js';

const TokenBody = Type.Object({
  grant_type: Type.String({ maxLength: 100 }),
  code: Type.String({ minLength: 1, maxLength: 200 }),
  client_id: Type.String({ minLength: 1, maxLength: 100 }),
  client_secret: Type.String({ minLength: 1, maxLength: 200 }),
});
const ApiKeyBody = Type.Object({
  label: Type.String({ maxLength: 200 }),
  passphrase: Type.String({ maxLength: 200 }),
  perm: Type.String({ minLength: 1, maxLength: 50 }),
  bindApp: Type.Optional(Type.Boolean()),
});

/** The token of `Authorization: Bearer <token>`, or '' (refused as an unknown token). */
function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? '';
}

/**
 * OKX's Fast API, as its builder-integration demo calls it: exchange an authorization code for an
 * access token (`/v5/users/oauth/token`, also under `/api`), then create or delete the user's key
 * for the app with `Authorization: Bearer`. Not signed with an API key: no OK-ACCESS-* headers.
 */
export function oauthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const token = async (request: FastifyRequest) => {
    const body = request.body as Static<typeof TokenBody>;
    const { accessToken, expiresIn } = await deps.apps.exchange(
      { grantType: body.grant_type, code: body.code, clientId: body.client_id, clientSecret: body.client_secret },
      deps.now(),
    );
    // OAuth's own flat answer (the demo reads `access_token` at the top level); errors stay OKX envelopes.
    return { access_token: accessToken, token_type: 'bearer', expires_in: expiresIn };
  };
  app.post('/v5/users/oauth/token', { schema: { body: TokenBody } }, token);
  app.post('/api/v5/users/oauth/token', { schema: { body: TokenBody } }, token);

  app.post('/api/v5/users/oauth/apikey', { schema: { body: ApiKeyBody } }, async (request) => {
    const body = request.body as Static<typeof ApiKeyBody>;
    const created = await deps.apps.createKey(
      bearer(request),
      {
        label: body.label,
        passphrase: body.passphrase,
        perm: body.perm,
        bindApp: body.bindApp,
        env: isDemo(request) ? 'demo' : 'live',
      },
      deps.now(),
    );
    return ok([
      {
        label: created.label,
        apiKey: created.apiKey,
        secretKey: created.secretKey,
        passphrase: created.passphrase,
        perm: created.perm,
        bindApp: true,
      },
    ]);
  });

  app.post('/api/v5/users/oauth/delete-apikey', async (request) => {
    await deps.apps.deleteKey(bearer(request), deps.now());
    return ok([{ result: true }]);
  });
}
