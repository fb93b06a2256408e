/**
 * The benchmark's server process: signet's real app on a fresh data directory, plus one
 * unauthenticated route that answers the exact bytes of a signed balance response.
 * Talks to bench/run.ts over IPC: sends its URL and a key, answers 'cpu' with process.cpuUsage().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { sign } from '../src/core/signing.js';
import { buildServer } from '../src/main.js';
import { openRuntime } from '../src/runtime.js';

const PASSPHRASE = 'Bench-Pass-1';
// Settings passed by the parent (bench/instructions.ts slows the background timers), then fixed ones.
const passed = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('SIGNET_')));
const dataDir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
// The benchmark's database goes when the benchmark does.
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const config = loadConfig({
  ...passed,
  SIGNET_DATA: dataDir,
  SIGNET_LOG_LEVEL: 'warn',
  SIGNET_AUTH_FAILS_PER_IP: '1000000',
  // The market maker's requoting would disturb the authentication figures.
  SIGNET_MARKET_MAKER: '0',
});
const rt = await openRuntime(config);
await rt.startBackground(() => {});
const user = await rt.users.create('bench@example.com', 'bench password long', Date.now());
for (const [ccy, amt] of [
  ['USDT', '10000'],
  ['BTC', '1.5'],
  ['ETH', '20'],
] as const) {
  await rt.ledger.deposit(user.id, 'live', '18', ccy, amt, Date.now());
}
const key = await rt.keys.create(
  user.id,
  { label: 'bench', passphrase: PASSPHRASE, perm: 'trade', env: 'live' },
  'cli',
  Date.now(),
);
const app = buildServer(rt.appDeps);
let sameBytes = '';
// Synchronous, as the bare server's route and the signed balance route are (no promise per request).
app.get('/bench/plain', (_request, reply) => {
  reply.type('application/json; charset=utf-8').send(sameBytes);
});

const path = '/api/v5/account/balance';
const ts = new Date().toISOString();
const signed = await app.inject({
  method: 'GET',
  url: path,
  headers: {
    'OK-ACCESS-KEY': key.apiKey,
    'OK-ACCESS-SIGN': sign(key.secretKey, ts, 'GET', path),
    'OK-ACCESS-TIMESTAMP': ts,
    'OK-ACCESS-PASSPHRASE': PASSPHRASE,
  },
});
sameBytes = signed.body;

const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({
  url,
  apiKey: key.apiKey,
  secretKey: key.secretKey,
  passphrase: PASSPHRASE,
  bytes: sameBytes.length,
  body: sameBytes,
});
process.on('message', (msg) => {
  if (msg === 'cpu') process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
  if (msg === 'stop') {
    void app
      .close()
      .then(() => rt.close())
      .then(() => process.exit(0));
  }
});
