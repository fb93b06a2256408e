import { okxMessage, OKX_ERRORS, type OkxCode } from '../core/errors.js';

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
