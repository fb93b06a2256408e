import type { FastifyInstance } from 'fastify';
import { Secret, TOTP } from 'otpauth';

/** A console session as a test holds it: the session cookie, its CSRF token, the authenticator secret ('' until set up). */
export interface Agent {
  cookie: string;
  csrf: string;
  secret: string;
}

/** The session cookie (`name=value`) a console answer sets. */
export function cookieOf(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie'];
  const first = Array.isArray(raw) ? String(raw[0]) : String(raw);
  return first.split(';', 1)[0] ?? '';
}

/** The authenticator code for `secret` at `at` (ms since the epoch), as a phone app shows it. */
export function totpCode(secret: string, at: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6, algorithm: 'SHA1' }).generate({
    timestamp: at,
  });
}

/**
 * The server's clock for console tests (`now` goes to testApp), moved a 30-second step for each
 * authenticator code, so every code is fresh and unused.
 */
export class TotpClock {
  constructor(public at = Date.UTC(2026, 5, 1, 12)) {}
  readonly now = (): number => this.at;
  nextCode(secret: string): string {
    this.at += 30_000;
    return totpCode(secret, this.at);
  }
}

/**
 * A console API request as the browser sends it: the agent's cookie and CSRF token (`csrf: null`
 * leaves the token out, a string replaces it).
 */
export function consoleCall(
  app: FastifyInstance,
  agent: Agent | null,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  opts: { csrf?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  if (agent !== null) headers.cookie = agent.cookie;
  const csrf = opts.csrf === undefined ? agent?.csrf : opts.csrf;
  if (csrf !== undefined && csrf !== null) headers['x-csrf-token'] = csrf;
  return app.inject({
    method,
    url: `/console/api${url}`,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

/** consoleCall's arguments after the app: what a test's own `call` takes. */
export type CallArgs = Parameters<typeof consoleCall> extends [FastifyInstance, ...infer Rest] ? Rest : never;
