import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import { RestClient } from 'okx-api';
import WebSocket from 'ws';
import { type Credentials, PASSPHRASE } from './helpers.js';

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

/** The OKX code of what ccxt's fetchBalance answers: '0' when it worked, else the code in its error. */
export async function balanceCode(url: string, key: Credentials): Promise<string> {
  try {
    await ccxtOkx(url, key).fetchBalance();
    return '0';
  } catch (err) {
    const m = /"code":"(\d+)"/.exec(String(err));
    if (m?.[1] === undefined) throw err;
    return m[1];
  }
}

/**
 * Asks {@link balanceCode} until `want` is answered (a change reaches the server within ~1 s): how
 * long after the call the request that got it was sent, ms (an upper bound of the propagation, not
 * of request latency).
 */
export async function untilBalanceCode(url: string, key: Credentials, want: string, limitMs = 5000): Promise<number> {
  const start = Date.now();
  for (;;) {
    const sentAt = Date.now();
    const got = await balanceCode(url, key);
    if (got === want) return sentAt - start;
    if (Date.now() - start > limitMs) assert.fail(`still ${got}, not ${want}, after ${limitMs} ms`);
  }
}

/** A private WebSocket logged in with `key`; resolves once OKX's login event says 0, rejects on an error event. */
export function wsLoggedIn(url: string, key: Credentials): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/v5/private`);
  const closed = new Promise<number>((resolve) => ws.on('close', (code: number) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const sign = createHmac('sha256', key.secretKey).update(`${timestamp}GET/users/self/verify`).digest('base64');
      ws.send(
        JSON.stringify({ op: 'login', args: [{ apiKey: key.apiKey, passphrase: key.passphrase, timestamp, sign }] }),
      );
    });
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { event?: string; code?: string };
      if (m.event === 'login' && m.code === '0') resolve({ ws, closed });
      else if (m.event === 'error') reject(new Error(`login refused: ${String(data)}`));
    });
    ws.on('error', reject);
  });
}
