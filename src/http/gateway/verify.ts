import type { FastifyBaseLogger } from 'fastify';
import type { OkxCode } from '../../core/errors.js';
import { okxMessage } from '../../core/errors.js';
import type { Permission } from '../../core/permissions.js';
import type { AppDeps } from '../../services/container.js';
import { noteRejection } from '../auth-rejections.js';
import { type GatewayIdentity, identityOf } from './identity.js';

/** A request as the platform received it, for the verify API. */
export interface VerifyInput {
  method: string;
  /** Path and query exactly as received (what the client signed). */
  target: string;
  /** Header names in any case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The raw body (undefined or empty: none). */
  body: Buffer | undefined;
  /** The client's address, as the platform saw it. */
  ip: string;
  /** The permission the request needs (default read: any key). */
  needs: Permission;
}

export type VerifyAnswer = ({ ok: true } & GatewayIdentity) | { ok: false; code: OkxCode; msg: string };

/** A header of a plain object, by case-insensitive name. */
function header(headers: VerifyInput['headers'], lower: string): string | undefined {
  const exact = headers[lower];
  if (exact !== undefined) return exact;
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === lower) return value;
  return undefined;
}

/**
 * The verify API's check: the same Authenticator as a V5 request (signature over target and raw
 * body, timestamp window, passphrase, IP whitelist, environment, disabled and frozen keys,
 * failure limits, last use, activity), and the same rejection log and metrics.
 */
export async function verifyRequest(
  deps: AppDeps,
  log: FastifyBaseLogger,
  route: string,
  input: VerifyInput,
): Promise<VerifyAnswer> {
  const body = input.body === undefined || input.body.length === 0 ? undefined : input.body;
  const outcome = await deps.authenticator.authenticate(
    {
      apiKey: header(input.headers, 'ok-access-key'),
      sign: header(input.headers, 'ok-access-sign'),
      timestamp: header(input.headers, 'ok-access-timestamp'),
      passphrase: header(input.headers, 'ok-access-passphrase'),
      demo: header(input.headers, 'x-simulated-trading') === '1',
      method: input.method.toUpperCase(),
      target: input.target,
      body,
      ip: input.ip,
      needs: input.needs,
    },
    deps.now(),
  );
  if (outcome.ok) return { ok: true, ...identityOf(outcome.key) };
  noteRejection(deps, log, input.ip, route, outcome);
  return { ok: false, code: outcome.code, msg: okxMessage(outcome.code, outcome.arg) };
}
