import type { OkxCode } from './errors.js';
import { isApiKeyFormat } from './key-rules.js';

/**
 * The code a WebSocket login answers for what a REST request would have been refused with.
 * OKX's login codes: 60001–60003 an empty field, 60004 a timestamp that is not Unix seconds,
 * 60005 an apiKey that is not a key, 60006 a timestamp outside the window, 60007 a wrong sign,
 * 60024 a wrong passphrase, 60032 a key that does not exist here, 60014 too many attempts.
 * **signet:** a key of the other environment (a demo key on a live URL, or the reverse) is
 * 60032, as OKX's separate demo servers would answer; an IP outside the key's whitelist keeps
 * REST's 50110 with the address (OKX has no 600xx code for it; clients map 50110 to permission
 * denied).
 */
export function wsLoginCode(restCode: OkxCode, apiKey: string): OkxCode {
  switch (restCode) {
    case '50103':
      return '60001';
    case '50106':
      return '60002';
    case '50104':
      return '60003';
    case '50107':
    case '50112':
      return '60004';
    case '50102':
      return '60006';
    case '50111':
      return isApiKeyFormat(apiKey) ? '60032' : '60005';
    case '50101':
      return '60032';
    case '50113':
      return '60007';
    case '50105':
      return '60024';
    case '50011':
      return '60014';
    default:
      return restCode;
  }
}

/** WebSocket close codes OKX uses. */
export const WS_CLOSE = {
  loginFailed: { code: 4001, reason: 'Login failed' },
  keyChanged: { code: 4007, reason: 'API key has been updated or deleted. Please reconnect.' },
} as const;
