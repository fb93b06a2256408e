import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccountError, type AccountErrorKind } from '../core/account-errors.js';
import { RuleError, RuleErrors } from '../core/errors.js';
import type { AppDeps } from '../services/container.js';
import type { SessionRecord, UserRecord } from '../store/store.js';

export const SESSION_COOKIE = 'signet_session';
export const CSRF_HEADER = 'x-csrf-token';

/** What a console route needs of its caller: 'none' (signup, login), 'pending' (2FA step), 'user'. */
export type ConsoleAccess = 'none' | 'pending' | 'user';

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession: SessionRecord | null;
    consoleUser: UserRecord | null;
  }
  interface FastifyContextConfig {
    consoleAccess?: ConsoleAccess;
  }
}

/** One broken rule: its code, the field it concerns, a readable message. */
export interface ConsoleFieldError {
  code: string;
  field: string | null;
  message: string;
}

/**
 * The console's error body: one code, the field it concerns, a readable message; when several
 * rules are broken at once, `fields` lists each (the first is also the body's own).
 */
export interface ConsoleErrorBody {
  error: ConsoleFieldError & { fields?: ConsoleFieldError[] };
}

const ACCOUNT_STATUS: Record<AccountErrorKind, number> = {
  unauthenticated: 401,
  credentials: 401,
  throttled: 429,
  csrf: 403,
  totp_required: 403,
  totp_invalid: 403,
  totp_state: 409,
  not_found: 404,
};

const body = (code: string, field: string | undefined | null, message: string): ConsoleErrorBody => ({
  error: { code, field: field ?? null, message },
});

const sameToken = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The signed-in user of a console request (routes with access 'user' only). */
export function userOf(request: FastifyRequest): UserRecord {
  if (request.consoleUser === null) throw new AccountError('unauthenticated', 'session: log in first');
  return request.consoleUser;
}

export function sessionOf(request: FastifyRequest): SessionRecord {
  if (request.consoleSession === null) throw new AccountError('unauthenticated', 'session: log in first');
  return request.consoleSession;
}

/** Where an authenticator code comes from, for the guessing limits: the session and the client IP. */
export function codeSource(request: FastifyRequest): { session: string | null; ip: string } {
  return { session: request.consoleSession?.idHash ?? null, ip: request.ip };
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Secure when the request came over https. */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  session: SessionRecord,
): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    expires: new Date(session.expiresAt),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
  });
}

/** Headers of every console API answer: answers carry secrets (keys, TOTP set-up, CSRF tokens). */
export function consoleHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff');
}

/** Errors Fastify's router raises before any route or hook (a path parameter too long, a bad URL): never echo the path. */
export function answerConsoleFrameworkError(err: FastifyError, reply: FastifyReply): FastifyReply {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  return consoleHeaders(reply)
    .code(tooLong ? 414 : 400)
    .send(
      body(
        tooLong ? 'too_long' : 'bad_request',
        null,
        tooLong ? 'path: a path parameter is too long' : 'path: not a valid URL',
      ),
    );
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A body that is not declared as JSON: a cross-site form can send text/plain without a preflight. */
function notJson(request: FastifyRequest): boolean {
  const hasBody =
    (request.headers['content-length'] ?? '0') !== '0' || request.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return false;
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  return type !== 'application/json';
}

/** A state-changing call a browser made for another site's page (login CSRF), by Sec-Fetch-Site or Origin. */
function crossSite(request: FastifyRequest): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== request.host;
  } catch {
    return true; // "null" (sandboxed frames, some redirects) or garbage
  }
}

/**
 * Installs, inside the console's scope: cookies, the security headers of every answer, the
 * refusal of non-JSON bodies and cross-site calls, the session check (per route's consoleAccess),
 * the CSRF check on every state-changing call with a session, and the console's error mapping.
 */
export async function installConsoleEdge(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('consoleSession', null);
  app.decorateRequest('consoleUser', null);

  app.addHook('onRequest', async (request, reply) => {
    consoleHeaders(reply);
    if (!STATE_CHANGING.has(request.method)) return;
    if (crossSite(request)) {
      throw new AccountError('csrf', 'csrf: a call from another site is refused; use the console on this server');
    }
    if (notJson(request)) {
      await reply
        .code(415)
        .send(body('unsupported_media_type', null, 'body: send JSON with Content-Type: application/json'));
    }
  });

  app.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config.consoleAccess ?? 'user';
    if (access === 'none' || request.is404) return;
    const token = request.cookies[SESSION_COOKIE] ?? '';
    const session = await deps.sessions.find(token, deps.now());
    if (session === null)
      throw new AccountError('unauthenticated', 'session: not logged in, or the session expired; log in again');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const given = request.headers[CSRF_HEADER];
      if (typeof given !== 'string' || !sameToken(given, session.csrfToken)) {
        throw new AccountError('csrf', 'csrf: missing or wrong X-CSRF-Token header; reload the page');
      }
    }
    if (access === 'user' && !session.verified) {
      throw new AccountError(
        'totp_required',
        'authenticator: enter your authenticator code to finish logging in',
        'code',
      );
    }
    const user = await deps.users.byId(session.userId);
    if (user === null) throw new AccountError('unauthenticated', 'session: the account no longer exists');
    request.consoleSession = session;
    request.consoleUser = user;
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        body('not_found', null, `${request.method} ${request.url.split('?', 1)[0] ?? ''} is not a console API call`),
      ),
  );

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AccountError) {
      if (err.retryAfterMs !== undefined) {
        reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
        // The account concerned, never the code or password guessed.
        request.log.warn(
          { userId: request.consoleSession?.userId ?? null, ip: request.ip, field: err.field ?? null },
          err.message,
        );
      }
      return reply.code(ACCOUNT_STATUS[err.kind]).send(body(err.kind, err.field, err.message));
    }
    if (err instanceof RuleError) {
      // Unknown key (59506) or sub-account (59510, another master's included): not found.
      const status = err.code === '59506' || err.code === '59510' ? 404 : 400;
      if (err instanceof RuleErrors) {
        const first = err.problems[0];
        const fields = err.problems.map((p) => body(p.code, p.field, p.message).error);
        return reply
          .code(status)
          .send({ error: { ...body(err.code, first?.field, first?.message ?? '').error, fields } });
      }
      return reply.code(status).send(body(err.code, err.field, err.message));
    }
    if (err.validation !== undefined) {
      const first = err.validation[0];
      const missing =
        first?.keyword === 'required'
          ? String((first.params as { missingProperty?: unknown }).missingProperty ?? '')
          : '';
      const field = missing !== '' ? missing : ((first?.instancePath ?? '').replace(/^\//, '').split('/', 1)[0] ?? '');
      const message = missing !== '' ? `${field}: required` : `${field || 'body'}: ${first?.message ?? 'invalid'}`;
      return reply.code(400).send(body('invalid', field || null, message));
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.code(413).send(body('too_large', null, 'body: request body is too large'));
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(400).send(body('bad_request', null, err.message));
    }
    request.log.error({ err }, 'unexpected console error');
    return reply
      .code(500)
      .send(body('internal', null, `Something went wrong on the server (request id ${request.id}); try again`));
  });
}
