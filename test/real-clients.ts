import ccxt from 'ccxt';
import { RestClient } from 'okx-api';
import { PASSPHRASE } from './helpers.js';

/** A key as `signet keys create --json` prints it; the passphrase is the tests' own unless given. */
export interface ClientKey {
  apiKey: string;
  secretKey: string;
  passphrase?: string;
}

/**
 * ccxt's okx REST client pointed at a signet server (live and sandbox URLs both), as a bot would
 * configure it.
 *
 * @example
 *   const ex = ccxtOkx(server.url, key);
 *   await ex.fetchBalance();
 */
export function ccxtOkx(url: string, key: ClientKey): InstanceType<typeof ccxt.okx> {
  return new ccxt.okx({
    apiKey: key.apiKey,
    secret: key.secretKey,
    password: key.passphrase ?? PASSPHRASE,
    urls: { api: { rest: url }, test: { rest: url } },
  });
}

/** okx-api's RestClient pointed at a signet server. */
export function okxApi(url: string, key: ClientKey): RestClient {
  return new RestClient({
    apiKey: key.apiKey,
    apiSecret: key.secretKey,
    apiPass: key.passphrase ?? PASSPHRASE,
    baseUrl: url,
  });
}
