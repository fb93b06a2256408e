import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccountError } from '../../core/account-errors.js';
import type { ConsoleGuard } from '../../services/console-guard.js';
import type { AppDeps } from '../../services/container.js';
import type { SessionRecord, UserRecord } from '../../store/store.js';
import { clearSessionCookie, codeSource, sessionOf, setSessionCookie, userOf } from '../console-edge.js';

const Credentials = Type.Object(
  {
    email: Type.String({ maxLength: 320 }),
    password: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const CodeBody = Type.Object({ code: Type.String({ maxLength: 40 }) }, { additionalProperties: false });

export interface SessionView {
  user: { email: string; uid: string; totpEnabled: boolean } | null;
  /** True when the password was right and the authenticator code is still due. */
  totpRequired: boolean;
  csrfToken: string | null;
}

/** What the web app learns of a session (user null when logged out). */
export async function sessionView(
  deps: AppDeps,
  user: UserRecord | null,
  session: SessionRecord | null,
): Promise<SessionView> {
  if (user === null || session === null) return { user: null, totpRequired: false, csrfToken: null };
  return {
    user: { email: user.email, uid: user.uid, totpEnabled: await deps.totp.isEnabled(user.id) },
    totpRequired: !session.verified,
    csrfToken: session.csrfToken,
  };
}

/** Console accounts: sign up, log in (with the authenticator step when 2FA is on), log out. */
export function consoleAccountRoutes(app: FastifyInstance, deps: AppDeps, guard: ConsoleGuard): void {
  const startSession = async (request: FastifyRequest, reply: FastifyReply, user: UserRecord, verified: boolean) => {
    const { token, session } = await deps.sessions.open(user.id, verified, deps.now());
    setSessionCookie(request, reply, token, session);
    return sessionView(deps, user, session);
  };

  app.post('/signup', { config: { consoleAccess: 'none' }, schema: { body: Credentials } }, async (request, reply) => {
    const { email, password } = request.body as Static<typeof Credentials>;
    // The console signs the new account in at once, so a taken email cannot be hidden without
    // e-mail verification; sign-ups are limited per client IP instead (README, Security).
    await guard.beginSignup(request.ip);
    const user = await deps.users.create(email, password, deps.now());
    return reply.code(201).send(await startSession(request, reply, user, true));
  });

  app.post('/login', { config: { consoleAccess: 'none' }, schema: { body: Credentials } }, async (request, reply) => {
    const { email, password } = request.body as Static<typeof Credentials>;
    await guard.beginLogin(request.ip, email);
    const user = await deps.users.login(email, password);
    if (user === null) throw await guard.loginFailed(email);
    await guard.loginSucceeded(request.ip, email);
    await deps.users.recordLogin(user, deps.now());
    const totpOn = await deps.totp.isEnabled(user.id);
    return startSession(request, reply, user, !totpOn);
  });

  /** The second factor of a login: too many wrong codes end the pending session; success rotates it. */
  app.post(
    '/login/verify',
    { config: { consoleAccess: 'pending' }, schema: { body: CodeBody } },
    async (request, reply) => {
      const session = sessionOf(request);
      const user = await deps.users.byId(session.userId);
      if (user === null) throw new AccountError('unauthenticated', 'session: the account no longer exists');
      try {
        await guard.checkCode(user, (request.body as Static<typeof CodeBody>).code, codeSource(request), deps.now());
      } catch (err) {
        if (err instanceof AccountError && err.kind === 'throttled') {
          await deps.sessions.close(session);
          clearSessionCookie(request, reply);
        }
        throw err;
      }
      // A new session id (and CSRF token) once both factors are in: a token planted or seen before is useless.
      const view = await startSession(request, reply, user, true);
      await deps.sessions.close(session);
      return view;
    },
  );

  app.post('/logout', { config: { consoleAccess: 'pending' } }, async (request, reply) => {
    await deps.sessions.close(sessionOf(request));
    clearSessionCookie(request, reply);
    return { ok: true };
  });

  /** Who is logged in (or user null): the web app's first call. */
  app.get('/session', { config: { consoleAccess: 'none' } }, async (request) => {
    const session = await deps.sessions.find(request.cookies.signet_session ?? '', deps.now());
    const user = session === null ? null : await deps.users.byId(session.userId);
    return sessionView(deps, user, session);
  });

  /** This API's OpenAPI 3 description. */
  app.get('/openapi.json', { config: { consoleAccess: 'none' }, schema: { hide: true } }, async () => app.swagger());

  app.get('/me', async (request) => sessionView(deps, userOf(request), sessionOf(request)));
}
