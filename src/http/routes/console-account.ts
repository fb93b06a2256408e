import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { AccountError } from '../../core/account-errors.js';
import type { AppDeps } from '../../services/container.js';
import type { SessionRecord, UserRecord } from '../../store/store.js';
import { clearSessionCookie, sessionOf, setSessionCookie, userOf } from '../console-edge.js';

const Credentials = Type.Object(
  {
    email: Type.String({ maxLength: 320 }),
    password: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const CodeBody = Type.Object({ code: Type.String({ maxLength: 40 }) }, { additionalProperties: false });

const LOGIN_WINDOW_S = 15 * 60;

export interface SessionView {
  user: { email: string; uid: string; totpEnabled: boolean } | null;
  /** True when the password was right and the authenticator code is still due. */
  totpRequired: boolean;
  csrfToken: string | null;
}

async function sessionView(
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
export function consoleAccountRoutes(app: FastifyInstance, deps: AppDeps): void {
  const attempts = deps.limiters.create({
    keyPrefix: 'console-login',
    points: deps.config.loginAttempts,
    duration: LOGIN_WINDOW_S,
  });
  const throttleKey = (request: FastifyRequest, email: string) => `${request.ip}|${email.trim().toLowerCase()}`;
  const startSession = async (request: FastifyRequest, reply: FastifyReply, user: UserRecord, verified: boolean) => {
    const { token, session } = await deps.sessions.open(user.id, verified, deps.now());
    setSessionCookie(request, reply, token, session);
    return sessionView(deps, user, session);
  };

  app.post('/signup', { config: { consoleAccess: 'none' }, schema: { body: Credentials } }, async (request, reply) => {
    const { email, password } = request.body as Static<typeof Credentials>;
    const user = await deps.users.create(email, password, deps.now());
    return reply.code(201).send(await startSession(request, reply, user, true));
  });

  app.post('/login', { config: { consoleAccess: 'none' }, schema: { body: Credentials } }, async (request, reply) => {
    const { email, password } = request.body as Static<typeof Credentials>;
    const key = throttleKey(request, email);
    try {
      await attempts.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const minutes = Math.max(1, Math.ceil(err.msBeforeNext / 60_000));
      throw new AccountError(
        'throttled',
        `login: too many attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
      );
    }
    const user = await deps.users.login(email, password);
    if (user === null) throw new AccountError('credentials', 'wrong email or password');
    await attempts.delete(key);
    const totpOn = await deps.totp.isEnabled(user.id);
    return startSession(request, reply, user, !totpOn);
  });

  app.post('/login/verify', { config: { consoleAccess: 'pending' }, schema: { body: CodeBody } }, async (request) => {
    const session = sessionOf(request);
    const user = await deps.users.byId(session.userId);
    if (user === null) throw new AccountError('unauthenticated', 'session: the account no longer exists');
    await deps.totp.check(user, (request.body as Static<typeof CodeBody>).code, deps.now());
    await deps.sessions.verify(session);
    return sessionView(deps, user, { ...session, verified: true });
  });

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
