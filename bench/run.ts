/**
 * `npm run bench`: figures measured side by side in one run (never a pass/fail test).
 * (a) in-process: OKX authentication checks per second vs a bare HMAC-SHA256 of the same prehash.
 * (b) over HTTP: signed GET /api/v5/account/balance vs a bare Fastify app (bench/bare-server.ts,
 *     a separate process on the same core) and an unauthenticated route of signet's own app, all
 *     answering the same bytes, same load generator (autocannon), interleaved runs; requests/s,
 *     p50/p99 latency and the server's CPU time per request (the steadier figure on 2 shared cores).
 * (c) the same three routes in instructions per request under callgrind (bench/instructions.ts):
 *     repeatable within a few percent on a busy machine, where (b) moves by ±20%.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { createHmac, createSecretKey } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.js';
import { SigningKey, sign } from '../src/core/signing.js';
import { openRuntime } from '../src/runtime.js';
import { tempDir } from '../test/helpers.js';
import { hasTaskset } from './cpu.js';
import { instructionCounts } from './instructions.js';

const quick = process.argv.includes('--quick');
const pin = !process.argv.includes('--no-pin') && hasTaskset();
const CONNECTIONS = 64;

async function inProcess(): Promise<void> {
  const rt = await openRuntime(loadConfig({ SIGNET_DATA: tempDir('signet-bench-'), SIGNET_LOG_LEVEL: 'silent' }));
  const user = await rt.users.create('bench@example.com', 'bench password long', Date.now());
  const passphrase = 'Bench-Pass-1';
  const key = await rt.keys.create(user.id, { label: 'b', passphrase, perm: 'trade', env: 'live' }, 'cli', Date.now());
  const authenticator = rt.appDeps.authenticator;
  const target = '/api/v5/account/balance?ccy=BTC%2CUSDT';
  // A request signed now; re-signed every round, so that slow rounds on a busy machine stay
  // inside the timestamp window.
  const signed = () => {
    const timestamp = new Date().toISOString();
    return {
      apiKey: key.apiKey,
      sign: sign(key.secretKey, timestamp, 'GET', target),
      timestamp,
      passphrase,
      demo: false,
      method: 'GET',
      target,
      body: undefined,
      ip: '127.0.0.1',
      needs: 'read' as const,
    };
  };
  let request = signed();
  const first = await authenticator.authenticate(request, Date.now());
  if (!first.ok) throw new Error(`bench key refused: ${first.code}`);
  const hmacKey = createSecretKey(Buffer.from(key.secretKey));
  const prepared = new SigningKey(key.secretKey);

  const n = quick ? 50_000 : 300_000;
  const rates = { auth: [] as number[], hmac: [] as number[], prepared: [] as number[] };
  for (let round = 0; round < 5; round++) {
    request = signed();
    const { timestamp, sign: signature } = request;
    const prehash = `${timestamp}GET${target}`;
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) createHmac('sha256', hmacKey).update(prehash).digest('base64');
    rates.hmac.push(n / (Number(process.hrtime.bigint() - t) / 1e9));
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++)
      if (!prepared.matches(timestamp, 'GET', target, undefined, signature)) throw new Error('SigningKey disagrees');
    rates.prepared.push(n / (Number(process.hrtime.bigint() - t) / 1e9));
    t = process.hrtime.bigint();
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const res = authenticator.authenticate(request, now);
      const r = res instanceof Promise ? await res : res;
      if (!r.ok) throw new Error(r.code);
    }
    rates.auth.push(n / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  const auth = median(rates.auth);
  const hmac = median(rates.hmac);
  console.log('(a) in-process, median of 5 interleaved rounds');
  console.log(`    bare HMAC-SHA256 of the prehash: ${fmt(hmac)} /s`);
  console.log(`    signet's signature check alone (SigningKey): ${fmt(median(rates.prepared))} /s`);
  console.log(`    full OKX authentication check:   ${fmt(auth)} /s`);
  console.log(`    ratio auth / HMAC: ${(auth / hmac).toFixed(2)} (target >= 0.5)`);
  await rt.close();
}

interface Ready {
  url: string;
  apiKey: string;
  secretKey: string;
  passphrase: string;
  bytes: number;
  /** The signed balance answer's body, which the bare-Fastify server answers too. */
  body: string;
}
interface CpuReply {
  cpu: NodeJS.CpuUsage;
  rss: number;
}

function ask<T>(child: ChildProcess, msg: string | { body: string }): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

/** Forks a benchmark server; pinned to core 0 when `pinned`, with the CPU profiler when BENCH_CPU_PROF is set. */
function forkServer(file: string, pinned: boolean): ChildProcess {
  const nodeArgs = [
    '--import',
    'tsx',
    ...(process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : []),
  ];
  return fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    ...(pinned
      ? { execPath: 'taskset', execArgv: ['-c', '0', process.execPath, ...nodeArgs] }
      : { execArgv: nodeArgs }),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function overHttp(): Promise<void> {
  // Servers on core 0, load generator on core 1: each has a core, so a server's CPU per request
  // is not inflated by waiting for (and waking) a load generator squeezed onto the same core.
  // The bare-Fastify server shares core 0 with signet's; only one of them is loaded at a time.
  const pinned = pin && cpus().length >= 2;
  const child = forkServer('./server.ts', pinned);
  const bareChild = forkServer('./bare-server.ts', pinned);
  if (pinned) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const ready = await new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
  const bare = await ask<{ url: string }>(bareChild, { body: ready.body });
  const path = '/api/v5/account/balance';
  const duration = quick ? 2 : 3;
  const rounds = quick ? 2 : 7;
  type Kind = 'bare' | 'plain' | 'signed';
  const KINDS: readonly Kind[] = ['bare', 'plain', 'signed'];
  type Sample = { rps: number; p50: number; p99: number; cpuUs: number };
  const samples = (): Record<Kind, Sample[]> => ({ bare: [], plain: [], signed: [] });
  const saturated = samples();
  const equalLoad = samples();

  /** One autocannon run; `rate` (requests/s over all connections) fixes the offered load. */
  const run = async (kind: Kind, into: Record<Kind, Sample[]>, rate?: number) => {
    const ts = new Date().toISOString();
    // Every kind sends the same request bytes (the unauthenticated routes ignore the headers),
    // so the difference is the work of checking them, not of receiving them.
    const headers: Record<string, string> = {
      'OK-ACCESS-KEY': ready.apiKey,
      'OK-ACCESS-SIGN': sign(ready.secretKey, ts, 'GET', path),
      'OK-ACCESS-TIMESTAMP': ts,
      'OK-ACCESS-PASSPHRASE': ready.passphrase,
    };
    const server = kind === 'bare' ? bareChild : child;
    const before = await ask<CpuReply>(server, 'cpu');
    const r = await autocannon({
      url: kind === 'bare' ? bare.url + path : ready.url + (kind === 'plain' ? '/bench/plain' : path),
      connections: CONNECTIONS,
      duration,
      headers,
      ...(rate === undefined ? {} : { overallRate: rate }),
    });
    const after = await ask<CpuReply>(server, 'cpu');
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${kind}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
    into[kind].push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpuUs: cpu / r.requests.total });
  };

  // Warm-up (JIT, caches), discarded.
  const warm = samples();
  for (let i = 0; i < 2; i++) for (const kind of KINDS) await run(kind, warm);
  // Saturated: as fast as each route goes (throughput and latency).
  for (let i = 0; i < rounds; i++) for (const kind of KINDS) await run(kind, saturated);
  // Equal load: every route offered the same request rate (70% of the signed route's maximum),
  // so that the servers' idle time and wake-ups, which inflate CPU per request at lower
  // throughput, are the same for all and only the work per request differs.
  const rate = Math.round(0.7 * median(saturated.signed.map((r) => r.rps)));
  for (let i = 0; i < rounds; i++) for (const kind of KINDS) await run(kind, equalLoad, rate);
  const rss = (await ask<CpuReply>(child, 'cpu')).rss;
  child.send('stop');
  bareChild.send('stop');

  console.log(
    `(b) over HTTP, autocannon ${CONNECTIONS} connections, ${rounds} interleaved ${duration}s runs of each route per phase (medians), ${ready.bytes}-byte responses`,
  );
  console.log(
    `    ${pinned ? 'servers pinned to core 0, load generator to core 1' : 'not pinned (no taskset or one core): figures are noisier'}`,
  );
  const cpuUs = (rs: Sample[]) => median(rs.map((r) => r.cpuUs));
  const cpuOf = (rs: Sample[]) =>
    `CPU ${cpuUs(rs).toFixed(1)} µs/req (min ${Math.min(...rs.map((r) => r.cpuUs)).toFixed(1)})`;
  const LABELS: Record<Kind, string> = {
    bare: 'bare Fastify app, same bytes',
    plain: "signet's app, unauthenticated",
    signed: 'signed GET /api/v5/account/balance',
  };
  const rows = (set: Record<Kind, Sample[]>) => {
    for (const kind of KINDS) {
      const rs = set[kind];
      console.log(
        `    ${LABELS[kind].padEnd(34)} ${fmt(median(rs.map((r) => r.rps))).padStart(8)} req/s  p50 ${median(rs.map((r) => r.p50))} ms  p99 ${median(rs.map((r) => r.p99))} ms  ${cpuOf(rs)}`,
      );
    }
    const vsBare = cpuUs(set.bare) / cpuUs(set.signed);
    const vsPlain = cpuUs(set.plain) / cpuUs(set.signed);
    console.log(
      `    efficiency (CPU per request) bare / signed: ${vsBare.toFixed(2)} (target >= 0.85); signet unauthenticated / signed: ${vsPlain.toFixed(2)}`,
    );
  };
  console.log('    saturated (each route as fast as it goes):');
  rows(saturated);
  console.log(
    `    throughput signed / bare: ${(median(saturated.signed.map((r) => r.rps)) / median(saturated.bare.map((r) => r.rps))).toFixed(2)}`,
  );
  console.log(`    equal load (${fmt(rate)} req/s offered to each):`);
  rows(equalLoad);
  console.log(`    signet server RSS after the runs: ${(rss / 1048576).toFixed(0)} MiB`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// --parts=bc runs only parts (b) and (c), for instance (default: all three).
const parts = process.argv.find((a) => a.startsWith('--parts='))?.slice('--parts='.length) ?? 'abc';
console.log(`signet benchmark, Node ${process.version}, ${new Date().toISOString()}`);
if (parts.includes('a')) await inProcess();
if (parts.includes('b')) await overHttp();
if (parts.includes('c')) await instructionCounts();
