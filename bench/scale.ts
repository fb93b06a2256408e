/**
 * `npm run bench` (part 3): signed requests per second with one and with two `signet serve`
 * instances on one PostgreSQL, side by side. With two instances the load is split evenly between
 * them (as a round-robin load balancer would): one autocannon per instance, run at the same time,
 * figures summed. Two workloads: a signed read (GET /api/v5/account/balance, served from each
 * instance's caches) and a signed write (POST /api/v5/trade/order, a resting limit order: one
 * database transaction each). Prints figures, never passes or fails.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.js';
import { sign } from '../src/core/signing.js';
import { openRuntime } from '../src/runtime.js';
import { type RunningServer, startServer, tempDir } from '../test/helpers.js';
import { dropSchemas, freshSchemaUrl, postgresUnavailable } from '../test/pg.js';

const quick = process.argv.includes('--quick');
const DURATION_S = quick ? 2 : 4;
const ROUNDS = quick ? 1 : 3;
const CONNECTIONS = 32;
const PASSPHRASE = 'Bench-Pass-1';

interface Key {
  apiKey: string;
  secretKey: string;
}
interface Workload {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body: string;
}

const WORKLOADS: readonly Workload[] = [
  { name: 'signed GET /api/v5/account/balance', method: 'GET', path: '/api/v5/account/balance', body: '' },
  {
    name: 'signed POST /api/v5/trade/order (resting)',
    method: 'POST',
    path: '/api/v5/trade/order',
    body: JSON.stringify({
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '1000',
      sz: '0.0001',
    }),
  },
];

async function load(servers: readonly RunningServer[], key: Key, w: Workload): Promise<number> {
  const ts = new Date().toISOString();
  const headers = {
    'OK-ACCESS-KEY': key.apiKey,
    'OK-ACCESS-SIGN': sign(key.secretKey, ts, w.method, w.path, w.body),
    'OK-ACCESS-TIMESTAMP': ts,
    'OK-ACCESS-PASSPHRASE': PASSPHRASE,
    'content-type': 'application/json',
  };
  const runs = await Promise.all(
    servers.map((s) =>
      autocannon({
        url: s.url + w.path,
        method: w.method,
        headers,
        ...(w.body === '' ? {} : { body: w.body }),
        connections: Math.ceil(CONNECTIONS / servers.length),
        duration: DURATION_S,
      }),
    ),
  );
  for (const r of runs)
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${w.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return runs.reduce((sum, r) => sum + r.requests.total, 0) / DURATION_S;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  console.log(
    `(c) scale-out on PostgreSQL: signed requests/s, one vs two instances, ${CONNECTIONS} connections in all, median of ${ROUNDS} ${DURATION_S}s runs`,
  );
  const unavailable = await postgresUnavailable();
  if (unavailable !== null) {
    console.log(`    skipped: ${unavailable}`);
    return;
  }
  const url = await freshSchemaUrl('signet_bench');
  const env = {
    DATABASE_URL: url,
    SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
    SIGNET_MARKET_MAKER: '0',
    SIGNET_RATE_LIMITS: '0',
    SIGNET_LOG_LEVEL: 'warn',
    SIGNET_AUTH_FAILS_PER_IP: '1000000',
  };
  const rt = await openRuntime(loadConfig(env));
  const user = await rt.users.create('bench@example.com', 'bench password long', Date.now());
  await rt.ledger.deposit(user.id, 'live', '18', 'USDT', '100000000', Date.now());
  const created = await rt.keys.create(
    user.id,
    { label: 'bench', passphrase: PASSPHRASE, perm: 'trade', env: 'live' },
    'cli',
    Date.now(),
  );
  const key = { apiKey: created.apiKey, secretKey: created.secretKey };
  await rt.close();

  const servers = await Promise.all([startServer(tempDir(), env), startServer(tempDir(), env)]);
  try {
    const one = servers.slice(0, 1);
    for (const w of WORKLOADS) await load(servers, key, w); // warm-up: caches, JIT, passphrase check on both
    console.log(`    ${cpus().length} cores shared by PostgreSQL, both instances and the load generator`);
    for (const w of WORKLOADS) {
      const rates = { one: [] as number[], two: [] as number[] };
      for (let i = 0; i < ROUNDS; i++) {
        rates.one.push(await load(one, key, w));
        rates.two.push(await load(servers, key, w));
      }
      const a = median(rates.one);
      const b = median(rates.two);
      console.log(
        `    ${w.name.padEnd(42)} one instance ${fmt(a).padStart(7)} req/s   two instances ${fmt(b).padStart(7)} req/s   ratio ${(b / a).toFixed(2)}`,
      );
    }
  } catch (err) {
    for (const s of servers)
      console.error(
        s
          .logs()
          .split('\n')
          .filter((l) => /error|fail/i.test(l))
          .slice(0, 5)
          .join('\n'),
      );
    throw err;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await dropSchemas();
  }
}

await main();
