/**
 * `npm run bench:trading`: figures for the paper exchange (never a pass/fail test).
 * (a) in-process: the pure matching engine (validate, match, apply to the book) in orders/s,
 *     and the same through TradingService storing each order's effects in SQLite: one caller
 *     (one transaction per order), then 32 callers (group commits).
 * (b) over HTTP, one server pinned to core 0 and autocannon on core 1 (as bench/run.ts): rounds
 *     of signed POST /api/v5/trade/order from two accounts whose orders cross (the book stays
 *     small and every other order trades) interleaved with rounds of signed GET
 *     /api/v5/account/balance; server CPU per request of each, their ratio (target <= 4x) and
 *     the order p99 (target <= 10 ms), and how many orders went into each group commit. `--quick` shortens both; `--http-only` and
 *     `--in-process-only` run one part; BENCH_CPU_PROF=dir profiles the server (node --cpu-prof).
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.js';
import { seededRandom } from '../src/core/market-maker.js';
import { SPOT_INSTRUMENTS } from '../src/core/markets.js';
import { applyOutcome, matchOrder } from '../src/core/matching.js';
import { OrderBook } from '../src/core/order-book.js';
import { newOrderRecord, validateOrder } from '../src/core/orders.js';
import { sign } from '../src/core/signing.js';
import { openRuntime } from '../src/runtime.js';
import { INSTRUMENTS } from '../src/services/trading-service.js';
import { tempDir } from '../test/helpers.js';
import { hasTaskset } from './cpu.js';

const quick = process.argv.includes('--quick');
const pin = !process.argv.includes('--no-pin') && hasTaskset();
const httpOnly = process.argv.includes('--http-only');
/** `--in-process-only` (or `--inprocess-only`): part (a) alone, no server (for iterating on the engine). */
const inProcessOnly = process.argv.includes('--in-process-only') || process.argv.includes('--inprocess-only');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** A workload around 60000: sides, prices within ±20 ticks, sizes of 1 to 100 lots of 0.001. */
function workload(n: number, seed: number) {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    userId: 1 + (i % 10),
    req: {
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: random() < 0.5 ? 'buy' : 'sell',
      ordType: random() < 0.1 ? 'ioc' : 'limit',
      px: (60000 + Math.floor(random() * 41 - 20) / 10).toFixed(1),
      sz: ((1 + Math.floor(random() * 100)) / 1000).toFixed(3),
    },
  }));
}

async function inProcess(): Promise<void> {
  const inst = SPOT_INSTRUMENTS[0];
  if (inst === undefined) throw new Error('no instruments');
  const fees = { maker: '0.0008', taker: '0.001' };
  const n = quick ? 20_000 : 100_000;
  const rates: number[] = [];
  const cpuRates: number[] = [];
  let depth = 0;
  let fills = 0;
  for (let round = 0; round < 3; round++) {
    const orders = workload(n, round + 1);
    const book = new OrderBook('BTC-USDT');
    let id = 0;
    let trade = 0;
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (const o of orders) {
      const order = newOrderRecord(validateOrder(o.req, INSTRUMENTS), String(++id), o.userId, 'live', 0);
      const outcome = matchOrder(book, order, inst, fees, () => String(++trade), 0);
      applyOutcome(book, outcome);
      fills += outcome.fills.length;
    }
    rates.push(n / (Number(process.hrtime.bigint() - t) / 1e9));
    const used = process.cpuUsage(cpu);
    cpuRates.push(n / ((used.user + used.system) / 1e6));
    depth = book.size;
  }
  console.log('(a) in-process');
  console.log(
    `    matching engine (validate, match, ledger entries, apply): ${fmt(median(rates))} orders/s (median of 3 × ${fmt(n)}; ${fmt(fills / 3)} fills per round, ${depth} orders resting at the end)`,
  );
  // Per second of the process's own CPU time: steadier than the wall clock when other work shares the cores.
  console.log(`    the same per CPU second of this process: ${fmt(median(cpuRates))} orders/s`);

  const rt = await openRuntime(
    loadConfig({ SIGNET_DATA: tempDir('signet-bench-'), SIGNET_LOG_LEVEL: 'silent', SIGNET_MARKET_MAKER: '0' }),
  );
  const users: number[] = [];
  for (let u = 0; u < 10; u++) {
    const user = await rt.users.create(`b${u}@example.com`, 'bench password long', Date.now());
    await rt.ledger.deposit(user.id, 'live', '18', 'USDT', '1000000000', Date.now());
    await rt.ledger.deposit(user.id, 'live', '18', 'BTC', '100000', Date.now());
    users.push(user.id);
  }
  const m = quick ? 5_000 : 20_000;
  const stored = workload(m, 9);
  let t = process.hrtime.bigint();
  for (const o of stored) await rt.trading.place(users[o.userId - 1] ?? 0, 'live', o.req, Date.now());
  const rate = m / (Number(process.hrtime.bigint() - t) / 1e9);
  console.log(
    `    TradingService with SQLite, one order at a time (one transaction each): ${fmt(rate)} orders/s (${fmt(m)} orders)`,
  );
  // 32 callers, each placing its next order when the last one is answered: group commits.
  const grouped = workload(m, 10);
  let next = 0;
  const caller = async () => {
    for (let o = grouped[next++]; o !== undefined; o = grouped[next++]) {
      await rt.trading.place(users[o.userId - 1] ?? 0, 'live', o.req, Date.now()).catch(() => undefined);
    }
  };
  t = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 32 }, caller));
  const groupRate = m / (Number(process.hrtime.bigint() - t) / 1e9);
  console.log(
    `    TradingService with SQLite, 32 callers (group commits):                 ${fmt(groupRate)} orders/s (${fmt(m)} orders)`,
  );
  await rt.close();
}

interface Ready {
  url: string;
  keys: Array<{ apiKey: string; secretKey: string }>;
  passphrase: string;
}

function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

type Key = { apiKey: string; secretKey: string };
type Sample = { rps: number; p50: number; p99: number; cpuUs: number; stored: number; total: number; commits: number };

/** Signed headers for one request (re-signed every round: slow rounds stay inside the timestamp window). */
function signedHeaders(k: Key, passphrase: string, method: 'GET' | 'POST', path: string, body = '') {
  const ts = new Date().toISOString();
  return {
    'content-type': 'application/json',
    'OK-ACCESS-KEY': k.apiKey,
    'OK-ACCESS-SIGN': sign(k.secretKey, ts, method, path, body),
    'OK-ACCESS-TIMESTAMP': ts,
    'OK-ACCESS-PASSPHRASE': passphrase,
  };
}

/**
 * (b): one server, interleaved rounds of signed orders (two accounts whose limit orders cross)
 * and signed balance reads (the same keys), so that the ratio of server CPU per request is
 * measured on the same server under the same machine load.
 */
async function overHttp(): Promise<void> {
  const nodeArgs = [
    '--import',
    'tsx',
    ...(process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : []),
  ];
  // Server on core 0, load generator on core 1 (as bench/run.ts does).
  const pinned = pin && cpus().length >= 2;
  const child = fork(fileURLToPath(new URL('./trading-server.ts', import.meta.url)), [], {
    ...(pinned
      ? { execPath: 'taskset', execArgv: ['-c', '0', process.execPath, ...nodeArgs] }
      : { execArgv: nodeArgs }),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (pinned) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const ready = await new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
  const [buyer, seller] = ready.keys;
  if (buyer === undefined || seller === undefined) throw new Error('no keys');
  const orderPath = '/api/v5/trade/order';
  const balancePath = '/api/v5/account/balance';
  const order = (k: Key, side: 'buy' | 'sell') => {
    const body = JSON.stringify({
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side,
      ordType: 'limit',
      px: '60000',
      sz: '0.01',
    });
    return {
      method: 'POST' as const,
      path: orderPath,
      body,
      headers: signedHeaders(k, ready.passphrase, 'POST', orderPath, body),
    };
  };
  const balance = (k: Key) => ({
    method: 'GET' as const,
    path: balancePath,
    headers: signedHeaders(k, ready.passphrase, 'GET', balancePath),
  });
  const duration = quick ? 2 : 4;
  const rounds = quick ? 2 : 5;
  type Kind = 'order' | 'balance';
  const samples: Record<Kind, Sample[]> = { order: [], balance: [] };

  const run = async (kind: Kind, into: Record<Kind, Sample[]> | null) => {
    const before = await ask<{ cpu: NodeJS.CpuUsage; orders: number; commits: number }>(child, 'cpu');
    const r = await autocannon({
      url: ready.url,
      connections: 32,
      duration,
      requests: kind === 'order' ? [order(buyer, 'buy'), order(seller, 'sell')] : [balance(buyer), balance(seller)],
    });
    const after = await ask<{ cpu: NodeJS.CpuUsage; orders: number; commits: number }>(child, 'cpu');
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${kind}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
    into?.[kind].push({
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      cpuUs: cpu / r.requests.total,
      stored: after.orders - before.orders,
      commits: after.commits - before.commits,
      total: r.requests.total,
    });
  };
  // Warm-up (JIT, caches), discarded.
  await run('order', null);
  await run('balance', null);
  for (let i = 0; i < rounds; i++) {
    await run('order', samples);
    await run('balance', samples);
  }
  child.send('stop');

  const med = (rs: Sample[], f: (s: Sample) => number) => median(rs.map(f));
  const row = (label: string, rs: Sample[], unit: string) =>
    console.log(
      `    ${label.padEnd(34)} ${fmt(med(rs, (s) => s.rps)).padStart(7)} ${unit}/s  p50 ${med(rs, (s) => s.p50)} ms  p99 ${med(rs, (s) => s.p99)} ms  server CPU ${med(rs, (s) => s.cpuUs).toFixed(1)} µs/${unit} (min ${Math.min(...rs.map((s) => s.cpuUs)).toFixed(1)})`,
    );
  console.log(
    `(b) over HTTP, autocannon 32 connections, ${rounds} interleaved ${duration}s rounds of each (medians), two accounts whose limit orders cross`,
  );
  console.log(
    `    ${pinned ? 'server pinned to core 0, load generator to core 1' : 'not pinned (no taskset or one core): figures are noisier'}`,
  );
  row('signed POST /api/v5/trade/order', samples.order, 'order');
  row('signed GET /api/v5/account/balance', samples.balance, 'read');
  const ratio = med(samples.order, (s) => s.cpuUs) / med(samples.balance, (s) => s.cpuUs);
  console.log(
    `    server CPU per order / per balance read: ${ratio.toFixed(2)}x (target <= 4x); order p99 ${med(samples.order, (s) => s.p99)} ms (target <= 10 ms)`,
  );
  const stored = samples.order.reduce((n, s) => n + s.stored, 0);
  const answered = samples.order.reduce((n, s) => n + s.total, 0);
  console.log(
    `    ${fmt(stored)} orders stored over the measured rounds (autocannon counted ${fmt(answered)} answers within the windows), ${(stored / samples.order.reduce((n, s) => n + s.commits, 0)).toFixed(1)} per group commit`,
  );
}

console.log(`signet trading benchmark, Node ${process.version}, ${new Date().toISOString()}`);
if (!httpOnly) await inProcess();
if (!inProcessOnly) await overHttp();
