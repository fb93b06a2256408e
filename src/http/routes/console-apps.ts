import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatPermissions } from '../../core/permissions.js';
import type { ConsoleGuard } from '../../services/console-guard.js';
import type { AppDeps } from '../../services/container.js';
import { codeSource, userOf } from '../console-edge.js';

const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const AuthorizeQuery = Type.Object({
  response_type: Text(50),
  access_type: Text(50),
  scope: Text(50),
  client_id: Text(100),
  redirect_uri: Text(2000),
  state: Text(1000),
});
const ApproveBody = Type.Object(
  {
    client_id: Type.String({ maxLength: 100 }),
    redirect_uri: Type.String({ maxLength: 2000 }),
    state: Type.String({ maxLength: 1000 }),
    scope: Type.String({ maxLength: 50 }),
    code: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
const DenyBody = Type.Object(
  {
    client_id: Type.String({ maxLength: 100 }),
    redirect_uri: Type.String({ maxLength: 2000 }),
    state: Type.String({ maxLength: 1000 }),
  },
  { additionalProperties: false },
);
const AppParams = Type.Object({ clientId: Type.String({ maxLength: 100 }) });

/** `uri` with `params` appended to its query (after `&` when it has one already). */
export function withQuery(uri: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  return `${uri}${uri.includes('?') ? '&' : '?'}${query}`;
}

/** signet's base URL for `domain`: SIGNET_PUBLIC_URL, or the request's protocol and Host. */
function baseUrl(deps: AppDeps, request: FastifyRequest): string {
  return deps.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

/**
 * Connect in the console: the consent page's data (`GET /oauth/authorize`), approval with an
 * authenticator code or denial (each answers where to send the browser: only ever a registered
 * redirect URI), and the Connected apps list with Revoke.
 */
export function consoleAppRoutes(app: FastifyInstance, deps: AppDeps, guard: ConsoleGuard): void {
  app.get('/oauth/authorize', { schema: { querystring: AuthorizeQuery } }, async (request) => {
    const user = userOf(request);
    const q = request.query as Static<typeof AuthorizeQuery>;
    const { app: found, redirectUri } = await deps.apps.authorization({
      responseType: q.response_type,
      scope: q.scope,
      clientId: q.client_id,
      redirectUri: q.redirect_uri,
    });
    return {
      app: { clientId: found.clientId, name: found.name, ips: found.ips, perm: formatPermissions(found.perms) },
      redirectUri,
      state: q.state ?? '',
      connected: await deps.apps.connection(user.id, found.clientId),
    };
  });

  app.post('/oauth/approve', { schema: { body: ApproveBody } }, async (request) => {
    const user = userOf(request);
    const body = request.body as Static<typeof ApproveBody>;
    const req = { responseType: 'code', scope: body.scope, clientId: body.client_id, redirectUri: body.redirect_uri };
    // The request first: a code is spent only on an approval that then happens.
    await deps.apps.authorization(req);
    await guard.checkCode(user, body.code, codeSource(request), deps.now());
    const code = await deps.apps.approve(user.id, req, deps.now());
    return { redirect: withQuery(body.redirect_uri, { code, state: body.state, domain: baseUrl(deps, request) }) };
  });

  app.post('/oauth/deny', { schema: { body: DenyBody } }, async (request) => {
    const body = request.body as Static<typeof DenyBody>;
    const req = { responseType: 'code', scope: 'fast_api', clientId: body.client_id, redirectUri: body.redirect_uri };
    await deps.apps.authorization(req);
    return { redirect: withQuery(body.redirect_uri, { error: 'access_denied', state: body.state }) };
  });

  app.get('/apps/connected', async (request) => {
    return { apps: await deps.apps.connected(userOf(request).id) };
  });

  app.post('/apps/:clientId/revoke', { schema: { params: AppParams } }, async (request) => {
    const { clientId } = request.params as Static<typeof AppParams>;
    await deps.apps.revoke(userOf(request).id, clientId, deps.now());
    return { ok: true };
  });
}
