/**
 * The gateway benchmark's signet: the real server (`buildServer`) with one gateway route to the
 * upstream whose URL is in BENCH_UPSTREAM, a key and a verify-API service token.
 * Also answers signet's own signed balance read (the reference in bench/gateway-instructions.ts).
 * Sends them over IPC, answers 'cpu' with process.cpuUsage().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { parseGatewayConfig } from '../src/http/gateway/routes-file.js';
import { buildServer } from '../src/main.js';
import { openRuntime } from '../src/runtime.js';

const PASSPHRASE = 'Bench-Pass-1';
const dataDir = mkdtempSync(join(tmpdir(), 'signet-bench-gw-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
// Settings passed by the parent (bench/gateway-instructions.ts slows the background timers), then fixed ones.
const passed = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('SIGNET_')));
const config = loadConfig({
  ...passed,
  SIGNET_DATA: dataDir,
  SIGNET_LOG_LEVEL: 'warn',
  SIGNET_AUTH_FAILS_PER_IP: '1000000',
  SIGNET_MARKET_MAKER: '0',
});
const upstream = process.env['BENCH_UPSTREAM'] ?? '';
const gateway = parseGatewayConfig(
  { routes: [{ prefix: '/partner/', upstream, perm: { GET: 'read', POST: 'trade' } }] },
  'bench',
);
const rt = await openRuntime(config);
await rt.startBackground(() => {});
const user = await rt.users.create('bench@example.com', 'bench password long', Date.now());
const key = await rt.keys.create(
  user.id,
  { label: 'bench', passphrase: PASSPHRASE, perm: 'trade', env: 'live' },
  'cli',
  Date.now(),
);
const { token } = await rt.gatewayTokens.create('bench', Date.now());
const app = buildServer(rt.appDeps, gateway);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ url, apiKey: key.apiKey, secretKey: key.secretKey, passphrase: PASSPHRASE, token });
process.on('message', (msg) => {
  if (msg === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (msg === 'stop') {
    void app
      .close()
      .then(() => rt.close())
      .then(() => process.exit(0));
  }
});
