import { OKX_ERRORS, type OkxCode, okxMessage, type RuleError } from '../core/errors.js';

/**
 * OKX's envelopes, as REST and the WebSocket API both send them: `{code, msg, data}` answers and
 * error bodies, and the `{arg, data}` push of a WebSocket channel.
 */

/** OKX's success envelope: every number a string, data always an array. */
export function ok<T>(data: readonly T[]): { code: '0'; msg: ''; data: readonly T[] } {
  return { code: '0', msg: '', data };
}

export interface ErrorEnvelope {
  status: number;
  body: { code: string; msg: string; data: [] };
}

export function errorEnvelope(code: OkxCode, arg?: string): ErrorEnvelope {
  return { status: OKX_ERRORS[code].status, body: { code, msg: okxMessage(code, arg), data: [] } };
}

/** A broken rule as OKX answers it: the code's status, its message with the field where it takes one. */
export function ruleErrorEnvelope(err: RuleError): ErrorEnvelope {
  const msg = OKX_ERRORS[err.code].msg.includes('{0}') ? okxMessage(err.code, err.field ?? '') : okxMessage(err.code);
  return { status: OKX_ERRORS[err.code].status, body: { code: err.code, msg, data: [] } };
}

/** A push: `{"arg":…,"data":[…]}` with extra top-level fields (action, eventType) before data. */
export function push(
  arg: Readonly<Record<string, string>>,
  data: readonly unknown[],
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({ arg, ...extra, data });
}
