/**
 * `npm run bench:trading`: figures for the paper exchange (never a pass/fail test).
 * (a) in-process: the pure matching engine (validate, match, apply to the book) in orders/s,
 *     and the same through TradingService, which also stores each order's effects in SQLite.
 * (b) over HTTP: signed POST /api/v5/trade/order from two accounts whose orders cross, so the
 *     book stays small and every other order trades; orders/s and p50/p99 latency (autocannon).
 */
import { fork } from 'node:child_process';
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

const quick = process.argv.includes('--quick');
/** `--inprocess-only`: part (a) alone, no server (for iterating on the engine). */
const inProcessOnly = process.argv.includes('--inprocess-only');
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
  const t = process.hrtime.bigint();
  for (const o of stored) await rt.trading.place(users[o.userId - 1] ?? 0, 'live', o.req, Date.now());
  const rate = m / (Number(process.hrtime.bigint() - t) / 1e9);
  console.log(`    TradingService with SQLite (one transaction per order):   ${fmt(rate)} orders/s (${fmt(m)} orders)`);
  await rt.close();
}

interface Ready {
  url: string;
  keys: Array<{ apiKey: string; secretKey: string }>;
  passphrase: string;
}

function ask<T>(child: ReturnType<typeof fork>, msg: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

async function overHttp(): Promise<void> {
  const child = fork(fileURLToPath(new URL('./trading-server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
  const path = '/api/v5/trade/order';
  const request = (k: { apiKey: string; secretKey: string }, side: 'buy' | 'sell') => {
    const body = JSON.stringify({
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side,
      ordType: 'limit',
      px: '60000',
      sz: '0.01',
    });
    const ts = new Date().toISOString();
    return {
      method: 'POST' as const,
      path,
      body,
      headers: {
        'content-type': 'application/json',
        'OK-ACCESS-KEY': k.apiKey,
        'OK-ACCESS-SIGN': sign(k.secretKey, ts, 'POST', path, body),
        'OK-ACCESS-TIMESTAMP': ts,
        'OK-ACCESS-PASSPHRASE': ready.passphrase,
      },
    };
  };
  const [buyer, seller] = ready.keys;
  if (buyer === undefined || seller === undefined) throw new Error('no keys');
  const duration = quick ? 3 : 8;
  const before = await ask<{ cpu: NodeJS.CpuUsage }>(child, 'cpu');
  const ordersBefore = (await ask<{ orders: number }>(child, 'orders')).orders;
  const r = await autocannon({
    url: ready.url,
    connections: 32,
    duration,
    requests: [request(buyer, 'buy'), request(seller, 'sell')],
  });
  const after = await ask<{ cpu: NodeJS.CpuUsage }>(child, 'cpu');
  const ordersAfter = (await ask<{ orders: number }>(child, 'orders')).orders;
  child.send('stop');
  const cpu = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / r.requests.total;
  console.log(`(b) over HTTP, autocannon 32 connections, ${duration} s, two accounts whose limit orders cross`);
  console.log(
    `    signed POST /api/v5/trade/order: ${fmt(r.requests.average)} orders/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  server CPU ${cpu.toFixed(0)} µs/order`,
  );
  console.log(
    `    ${fmt(ordersAfter - ordersBefore)} orders stored (autocannon counted ${fmt(r.requests.total)} responses within the window); ${r.non2xx} non-2xx, ${r.errors} errors`,
  );
}

console.log(`signet trading benchmark, Node ${process.version}, ${new Date().toISOString()}`);
await inProcess();
if (!inProcessOnly) await overHttp();
