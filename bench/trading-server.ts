/**
 * The trading benchmark's server process: signet's real app on a fresh data directory with two
 * funded accounts and a trade key each, rate limits and the market maker off. Talks to
 * bench/trading.ts over IPC: sends its URL and keys, answers 'cpu' (its CPU time and the orders stored so far) and 'stop'.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/main.js';
import { openRuntime } from '../src/runtime.js';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

const PASSPHRASE = 'Bench-Pass-1';
const dataDir = mkdtempSync(join(tmpdir(), 'signet-bench-trading-'));
// The benchmark's database goes when the benchmark does.
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const config = loadConfig({
  SIGNET_DATA: dataDir,
  SIGNET_LOG_LEVEL: 'warn',
  SIGNET_MARKET_MAKER: '0',
  SIGNET_RATE_LIMITS: '0',
  // The WebSocket fan-out benchmark connects hundreds of subscribers from one address.
  SIGNET_WS_CONNECTIONS_PER_IP: '10000',
});
const rt = await openRuntime(config);
await rt.startBackground(() => {});
const keys = [];
for (const email of ['buyer@example.com', 'seller@example.com']) {
  const user = await rt.users.create(email, 'bench password long', Date.now());
  await rt.ledger.deposit(user.id, 'live', '18', 'USDT', '1000000000', Date.now());
  await rt.ledger.deposit(user.id, 'live', '18', 'BTC', '100000', Date.now());
  const key = await rt.keys.create(
    user.id,
    { label: 'bench', passphrase: PASSPHRASE, perm: 'trade', env: 'live' },
    'cli',
    Date.now(),
  );
  keys.push({ apiKey: key.apiKey, secretKey: key.secretKey });
}
const app = buildServer(rt.appDeps);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ url, keys, passphrase: PASSPHRASE });
process.on('message', (msg) => {
  if (msg === 'cpu') {
    const db = (rt.store as SqliteStore).handle;
    const orders = (db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;
    process.send?.({ cpu: process.cpuUsage(), orders, commits: rt.trading.groupCommitCount });
  }
  if (msg === 'stop')
    void app
      .close()
      .then(() => rt.close())
      .then(() => process.exit(0));
});
