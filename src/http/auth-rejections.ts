import type { FastifyBaseLogger } from 'fastify';
import { limitSubject } from '../core/client-ip.js';
import type { AuthOutcome } from '../services/authenticator.js';
import type { AppDeps } from '../services/container.js';

/**
 * What every refused authentication leaves behind, wherever it was checked (V5 routes, the
 * gateway's proxy and verify API): the metric by code, and a log line for the first rejection per
 * client and code in a window, then a count (not a line per retry). `ip` is the client's address.
 */
export function noteRejection(
  deps: Pick<AppDeps, 'metrics' | 'rejectionLog' | 'now'>,
  log: FastifyBaseLogger,
  ip: string,
  route: string | undefined,
  outcome: Extract<AuthOutcome, { ok: false }>,
): void {
  deps.metrics?.authRejected(outcome.code);
  const note = deps.rejectionLog.note(limitSubject(ip), outcome.code, deps.now());
  for (const s of note.ended)
    log.warn({ code: s.code, ip: s.subject, suppressed: s.suppressed }, 'rejections not logged');
  // Never the signature, passphrase or an unknown key header: only what identifies the case.
  if (note.log) log.warn({ code: outcome.code, ip, apiKey: outcome.apiKey, route }, 'request rejected');
}
