/**
 * The benchmark's server process: signet's real app on a fresh data directory, plus one
 * unauthenticated route that answers the exact bytes of a signed balance response.
 * Talks to bench/run.ts over IPC: sends its URL and a key, answers 'cpu' with process.cpuUsage().
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { sign } from '../src/core/signing.js';
import { buildApp } from '../src/http/app.js';
import { v5Route } from '../src/http/auth.js';
import { openRuntime } from '../src/runtime.js';

const PASSPHRASE = 'Bench-Pass-1';
const config = loadConfig({
  SIGNET_DATA: mkdtempSync(join(tmpdir(), 'signet-bench-')),
  SIGNET_LOG_LEVEL: 'warn',
  SIGNET_AUTH_FAILS_PER_IP: '1000000',
});
const rt = await openRuntime(config);
await rt.startBackground(() => {});
const user = await rt.users.create('bench@example.com', 'bench password long', Date.now());
for (const [ccy, amt] of [['USDT', '10000'], ['BTC', '1.5'], ['ETH', '20']] as const) {
  await rt.ledger.deposit(user.id, 'live', '18', ccy, amt, Date.now());
}
const key = await rt.keys.create(user.id, { label: 'bench', passphrase: PASSPHRASE, perm: 'trade', env: 'live' }, 'cli', Date.now());
const app = buildApp(rt.appDeps);
let sameBytes = '';
app.get('/bench/plain', async (_request, reply) => reply.type('application/json; charset=utf-8').send(sameBytes));
app.get('/bench/hooked', { preValidation: (_q, _r, done) => done() }, (_request, reply) => { reply.type('application/json; charset=utf-8').send(sameBytes); });
v5Route(app, rt.appDeps, { method: 'GET', url: '/bench/auth-schema', access: 'read', schema: { querystring: { type: 'object', properties: { ccy: { type: 'string', pattern: '^[A-Z]+$' } } } }, handler: (_request, reply) => { reply.type('application/json; charset=utf-8').send(sameBytes); return undefined; } });
v5Route(app, rt.appDeps, { method: 'GET', url: '/bench/auth-only', access: 'read', handler: (_request, reply) => { reply.type('application/json; charset=utf-8').send(sameBytes); return undefined; } });

const path = '/api/v5/account/balance';
const ts = new Date().toISOString();
const signed = await app.inject({
  method: 'GET', url: path,
  headers: { 'OK-ACCESS-KEY': key.apiKey, 'OK-ACCESS-SIGN': sign(key.secretKey, ts, 'GET', path), 'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-PASSPHRASE': PASSPHRASE },
});
sameBytes = signed.body;

const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ url, apiKey: key.apiKey, secretKey: key.secretKey, passphrase: PASSPHRASE, bytes: sameBytes.length });
process.on('message', (msg) => {
  if (msg === 'cpu') process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
  if (msg === 'stop') {
    void app.close().then(() => rt.close()).then(() => process.exit(0));
  }
});
const authr = rt.appDeps.authenticator;
const orig = authr.authenticate.bind(authr);
let tot = 0n, cnt = 0;
authr.authenticate = (req, now) => { const t = process.hrtime.bigint(); const r = orig(req, now); tot += process.hrtime.bigint() - t; cnt++; return r; };
process.on('message', (m) => { if (m === 'authstat') { process.send?.({ avgNs: cnt ? Number(tot / BigInt(cnt)) : 0, cnt }); tot = 0n; cnt = 0; } });
