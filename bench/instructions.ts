import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sign } from '../src/core/signing.js';
import { callgrindCounter, hasCallgrind, underCallgrind } from './callgrind.js';

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

/** A benchmark server under callgrind; with --keep, V8's perf map and log go with the dumps. */
const serverUnderCallgrind = (file: string, out: string) =>
  underCallgrind(file, out, {
    nodeFlags: keep ? ['--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${out}/v8-%p.log`] : [],
  });

type Kind = 'bare' | 'plain' | 'signed';
const KINDS: readonly Kind[] = ['bare', 'plain', 'signed'];

export async function instructionCounts(): Promise<void> {
  if (!hasCallgrind()) {
    console.log('(c) instructions per request: skipped (valgrind is not installed; Debian package "valgrind")');
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'signet-callgrind-'));
  const child = serverUnderCallgrind('./server.ts', out);
  const bareChild = serverUnderCallgrind('./bare-server.ts', out);
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
    const callgrind = callgrindCounter(out);
    /** Zeroes the counters of `pid`, runs `work`, dumps: the JavaScript thread's instructions meanwhile. */
    const instructionsDuring = async (pid: string, work: () => Promise<unknown>): Promise<number> => {
      callgrind.zero(pid);
      await work();
      return callgrind.count(pid);
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
