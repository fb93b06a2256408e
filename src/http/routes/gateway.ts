import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type OkxCode, okxMessage } from '../../core/errors.js';
import type { AppDeps } from '../../services/container.js';
import { headerValue } from '../gateway/identity.js';
import { type VerifyAnswer, verifyRequest } from '../gateway/verify.js';

const VerifyBody = Type.Object({
  method: Type.String({ minLength: 1, maxLength: 16 }),
  target: Type.String({ minLength: 1, maxLength: 8192, pattern: '^/' }),
  // As Node gives them: `req.headers` (strings) or `req.headersDistinct` (arrays, a header sent twice).
  headers: Type.Record(
    Type.String({ maxLength: 256 }),
    Type.Union([
      Type.String({ maxLength: 8192 }),
      Type.Array(Type.String({ maxLength: 8192 }), { minItems: 1, maxItems: 64 }),
    ]),
  ),
  body: Type.Optional(Type.String()),
  ip: Type.String({ minLength: 1, maxLength: 64 }),
  /** The permission the request needs (default read). */
  perm: Type.Optional(Type.Union([Type.Literal('read'), Type.Literal('trade'), Type.Literal('withdraw')])),
});

const VERIFY_URL = '/gateway/v1/verify';
const AUTHZ_URL = '/gateway/v1/authz';
/** The verify API takes the bodies a platform signs (the V5 limit is for signet's own endpoints). */
const VERIFY_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * A header given as several values is one value joined with ", ", as Node joins a repeated
 * header in `req.headers` (so a repeated OK-ACCESS-SIGN fails its check, as it would directly).
 */
function joinedHeaders(headers: Readonly<Record<string, string | string[]>>): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    joined[name] = typeof value === 'string' ? value : value.join(', ');
  return joined;
}

/** 401 with 50114 for a missing, unknown or deleted service token: the caller is not a platform. */
function refuseToken(reply: FastifyReply): FastifyReply {
  return reply.code(401).send({ ok: false, code: '50114', msg: okxMessage('50114') });
}

/** Resolves when the request carries a live service token (Authorization: Bearer, or X-Signet-Token). */
async function tokenValid(deps: AppDeps, request: FastifyRequest): Promise<boolean> {
  const given = request.headers['x-signet-token'];
  const authorization = typeof given === 'string' ? `Bearer ${given}` : request.headers.authorization;
  return (await deps.gatewayTokens.check(authorization, deps.now())) !== null;
}

/** Refusals that are about the key's rights rather than its credentials: 403 for an auth_request proxy. */
const FORBIDDEN = new Set<OkxCode>(['50100', '50110', '50120']);

/** The client address an auth proxy reports: X-Real-IP, else the last X-Forwarded-For hop, else the peer. */
function reportedIp(request: FastifyRequest): string {
  const real = request.headers['x-real-ip'];
  if (typeof real === 'string' && real.trim() !== '') return real.trim();
  const xff = request.headers['x-forwarded-for'];
  const hops = (typeof xff === 'string' ? xff : '').split(',').map((h) => h.trim());
  const last = hops.at(-1);
  return last === undefined || last === '' ? request.ip : last;
}

/**
 * The gateway's verify API (issue 20), for platforms that cannot put signet in front of their API:
 * - POST /gateway/v1/verify, a JSON description of the request -> {"ok":true,uid,apiKey,perm,label,env}
 *   or {"ok":false,code,msg} (HTTP 200 either way; 401 for a bad service token);
 * - ANY /gateway/v1/authz/…, for Envoy's ext_authz (HTTP) and nginx's auth_request: the original
 *   request itself (method, path after the prefix or X-Original-URI, headers, body when the proxy
 *   sends it); 200 with x-signet-* headers, or 401/403 with the OKX envelope.
 */
export function gatewayRoutes(app: FastifyInstance, deps: AppDeps): void {
  // The service token is checked first (onRequest): a caller without one learns nothing about the
  // body's shape, and its body is not even read.
  const tokenFirst = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!(await tokenValid(deps, request))) return refuseToken(reply);
  };
  app.post(
    VERIFY_URL,
    { schema: { body: VerifyBody }, bodyLimit: VERIFY_BODY_LIMIT, onRequest: tokenFirst },
    async (request) => {
      const q = request.body as Static<typeof VerifyBody>;
      return verifyRequest(deps, request.log, VERIFY_URL, {
        method: q.method,
        target: q.target,
        headers: joinedHeaders(q.headers),
        body: q.body === undefined ? undefined : Buffer.from(q.body, 'utf8'),
        ip: q.ip,
        needs: q.perm ?? 'read',
      });
    },
  );

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: VERIFY_BODY_LIMIT }, (request, body, done) => {
      const raw = body as Buffer;
      request.rawBody = raw.length === 0 ? undefined : raw;
      done(null, undefined);
    });
    const authz = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!(await tokenValid(deps, request))) return refuseToken(reply);
      const original = request.headers['x-original-uri'];
      const originalMethod = request.headers['x-original-method'];
      const target = typeof original === 'string' ? original : request.url.slice(AUTHZ_URL.length) || '/';
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
      const answer: VerifyAnswer = await verifyRequest(deps, request.log, AUTHZ_URL, {
        method: typeof originalMethod === 'string' ? originalMethod : request.method,
        target,
        headers,
        body: request.rawBody,
        ip: reportedIp(request),
        needs: 'read',
      });
      if (!answer.ok) {
        reply.header('x-signet-code', answer.code);
        const status = FORBIDDEN.has(answer.code) ? 403 : 401;
        return reply.code(status).send({ code: answer.code, msg: answer.msg, data: [] });
      }
      reply.headers({
        'x-signet-uid': answer.uid,
        'x-signet-api-key': answer.apiKey,
        'x-signet-perm': answer.perm,
        'x-signet-label': headerValue(answer.label),
        'x-signet-env': answer.env,
      });
      return reply.code(200).send({ code: '0', msg: '', data: [] });
    };
    scope.all(AUTHZ_URL, authz);
    scope.all(`${AUTHZ_URL}/*`, authz);
  });
}
