/**
 * `npm run bench` part (c): the signed balance request vs a bare Fastify app (bench/bare-server.ts)
 * and signet's unauthenticated route, all answering the same bytes, counted in CPU instructions
 * per request instead of seconds. Both servers run under valgrind's callgrind, which counts the instructions it executes whatever else the machine
 * is doing, so this ratio repeats within a few percent on a noisy, shared VM where CPU-time
 * figures move by ±20%. Counters are zeroed before and dumped after each batch of requests
 * (callgrind_control), after a warm-up that lets V8 optimize every route. Only the JavaScript
 * thread is counted: V8's background compiler and GC helper threads run at moments of their own,
 * which would make one batch or another jump by tens of thousands of instructions per request.
 * Skipped, with the reason printed, when valgrind is not installed.
 *
 * `--keep` leaves the dumps in place (their folder and the servers' pids are printed) and runs
 * node with --perf-basic-prof, so that per-function counts can be read: `callgrind_annotate
 * cg.PID.N-01` (dumps alternate unauthenticated, signed for signet's pid) names V8's builtins and
 * node's C++, and shows JavaScript compiled at run time as `0x…` addresses, which
 * /tmp/perf-PID.map (start, size, name per line) turns into function names.
 *
 * A count of instructions is not CPU time: it weighs an ALU instruction (SHA-256 rounds run
 * several per cycle) like a cache-missing load, and leaves out the GC's helper threads. When the
 * HMAC once moved from node:crypto into a JavaScript SHA-256 (since removed: the platform's crypto
 * is the one to review), the count hardly moved while the server's CPU per signed request in (b)
 * fell by about a sixth. The CPU target is (b)'s; this figure is for spotting a change in the
 * work done per request.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sign } from '../src/core/signing.js';

interface Ready {
  url: string;
  apiKey: string;
  secretKey: string;
  passphrase: string;
  bytes: number;
  body: string;
}

const quick = process.argv.includes('--quick');
const keep = process.argv.includes('--keep');
const WARM = quick ? 2000 : 4000;
const BATCH = quick ? 800 : 2000;
// Three rounds even when quick: one round can be a full GC's (tens of thousands of instructions more).
const ROUNDS = quick ? 3 : 5;
const path = '/api/v5/account/balance';

function has(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Forks a benchmark server under callgrind, writing its dumps into `out`. */
function underCallgrind(file: string, out: string) {
  return fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      `--callgrind-out-file=${out}/cg.%p`,
      '--separate-threads=yes',
      '--dump-instr=no',
      '--collect-jumps=no',
      process.execPath,
      // V8's own log, which --perf-basic-prof turns on, goes with the dumps rather than into the working directory.
      ...(keep ? ['--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${out}/v8-%p.log`] : []),
      '--import',
      'tsx',
    ],
    stdio: ['ignore', 'inherit', 'ignore', 'ipc'],
    // Background timers (key-cache and book sync, usage flush, settlement, webhook and email rounds) fire per second of wall time,
    // and under valgrind a batch takes a machine-dependent number of seconds: slowed to once a
    // minute here, so that they do not add a load-dependent share to the per-request counts.
    // A run signs once; under valgrind on a slow day a run outlasts the ±30 s timestamp window.
    env: {
      ...process.env,
      SIGNET_KEY_SYNC_MS: '60000',
      SIGNET_USAGE_FLUSH_MS: '60000',
      SIGNET_WITHDRAWAL_SETTLE_MS: '60000',
      SIGNET_BOOK_SYNC_MS: '60000',
      SIGNET_NOTIFY_MS: '60000',
      SIGNET_TIMESTAMP_WINDOW_S: '3600',
    },
  });
}

type Kind = 'bare' | 'plain' | 'signed';
const KINDS: readonly Kind[] = ['bare', 'plain', 'signed'];

export async function instructionCounts(): Promise<void> {
  if (!has('valgrind') || !has('callgrind_control')) {
    console.log('(c) instructions per request: skipped (valgrind is not installed; Debian package "valgrind")');
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'signet-callgrind-'));
  const child = underCallgrind('./server.ts', out);
  const bareChild = underCallgrind('./bare-server.ts', out);
  try {
    const ready = await new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
    const bare = await new Promise<{ url: string }>((resolve) => {
      bareChild.once('message', (m) => resolve(m as { url: string }));
      bareChild.send({ body: ready.body });
    });
    const run = async (kind: Kind, amount: number) => {
      const ts = new Date().toISOString();
      const headers = {
        'OK-ACCESS-KEY': ready.apiKey,
        'OK-ACCESS-SIGN': sign(ready.secretKey, ts, 'GET', path),
        'OK-ACCESS-TIMESTAMP': ts,
        'OK-ACCESS-PASSPHRASE': ready.passphrase,
      };
      const r = await autocannon({
        url: kind === 'bare' ? bare.url + path : ready.url + (kind === 'plain' ? '/bench/plain' : path),
        connections: 8,
        amount,
        headers,
        timeout: 60,
      });
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${kind}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      return r.requests.total;
    };
    for (let i = 0; i < 2; i++) for (const kind of KINDS) await run(kind, WARM);
    const dumps = new Map<string, number>();
    /** Zeroes the counters of `pid`, runs `work`, dumps: the JavaScript thread's instructions meanwhile. */
    const instructionsDuring = async (pid: string, work: () => Promise<unknown>): Promise<number> => {
      execFileSync('callgrind_control', ['-z', pid], { stdio: 'ignore' });
      await work();
      execFileSync('callgrind_control', ['-d', pid], { stdio: 'ignore' });
      const dump = (dumps.get(pid) ?? 0) + 1;
      dumps.set(pid, dump);
      // The JavaScript thread only (-01): V8's compiler and GC helper threads run when they will.
      const file = readdirSync(out).find((f) => f === `cg.${pid}.${dump}-01`);
      if (file === undefined) throw new Error('callgrind wrote no dump');
      const total = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(out, file), 'utf8'));
      return Number(total?.[1]);
    };
    /** Wall time of signet's counted batches, for the share of its background timers (below). */
    let signetSeconds = 0;
    let signetRequests = 0;
    const counted = async (kind: Kind) => {
      const pid = String(kind === 'bare' ? bareChild.pid : child.pid);
      let n = 0;
      const start = performance.now();
      const total = await instructionsDuring(pid, async () => {
        n = await run(kind, BATCH);
      });
      if (kind !== 'bare') {
        signetSeconds += (performance.now() - start) / 1000;
        signetRequests += n;
      }
      return total / n;
    };
    const counts: Record<Kind, number[]> = { bare: [], plain: [], signed: [] };
    for (let i = 0; i < ROUNDS; i++) for (const kind of KINDS) counts[kind].push(await counted(kind));
    // Signet's timers (cancel-after checks, notifier rounds, ...) fire per second of wall time, which
    // a batch under valgrind spends many of: their share is measured on the idle server.
    const idleSeconds = quick ? 5 : 10;
    const idle = await instructionsDuring(
      String(child.pid),
      () => new Promise((r) => setTimeout(r, idleSeconds * 1000)),
    );
    const idlePerSecond = idle / idleSeconds;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
    console.log(
      `(c) instructions per request under callgrind (each server's JavaScript thread), ${ROUNDS} rounds of ${BATCH} requests each after ${2 * WARM} warm-up per route`,
    );
    const LABELS: Record<Kind, string> = {
      bare: 'bare Fastify app, same bytes      ',
      plain: "signet's app, unauthenticated     ",
      signed: 'signed GET /api/v5/account/balance',
    };
    for (const kind of KINDS)
      console.log(`    ${LABELS[kind]} ${counts[kind].map(k).join(' ')}  (median ${k(median(counts[kind]))})`);
    console.log(
      `    signet idle (background timers only): ${k(idlePerSecond)} instructions/s; at the counted batches' pace (${(signetRequests / signetSeconds).toFixed(0)} requests/s) ${k(idlePerSecond / (signetRequests / signetSeconds))} of each signet figure above`,
    );
    const signed = median(counts.signed);
    console.log(
      `    instructions per request bare / signed: ${(median(counts.bare) / signed).toFixed(2)}; signet unauthenticated / signed: ${(median(counts.plain) / signed).toFixed(2)} (a count, not CPU time, which (b) measures)`,
    );
  } finally {
    child.kill('SIGKILL');
    bareChild.kill('SIGKILL');
    if (keep) console.log(`    callgrind dumps kept in ${out} (signet pid ${child.pid}, bare pid ${bareChild.pid})`);
    else rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await instructionCounts();
