import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sign } from '../src/core/signing.js';
import { callgrindCounter, hasCallgrind, underCallgrind } from './callgrind.js';

interface Signet {
  url: string;
  apiKey: string;
  secretKey: string;
  passphrase: string;
}

const quick = process.argv.includes('--quick');
/** Requests per kind and warm-up pass, per counted batch; rounds (BENCH_CG_WARM, BENCH_CG_BATCH, BENCH_CG_ROUNDS override). */
const WARM = Number(process.env['BENCH_CG_WARM'] ?? (quick ? 1500 : 3000));
const BATCH = Number(process.env['BENCH_CG_BATCH'] ?? (quick ? 1000 : 2000));
const ROUNDS = Number(process.env['BENCH_CG_ROUNDS'] ?? (quick ? 1 : 3));

/** A bench process under callgrind: zero() its counters, then count() the JavaScript thread's instructions since. */
async function counted<T>(file: string, env: Record<string, string>) {
  const out = mkdtempSync(join(tmpdir(), 'signet-callgrind-gw-'));
  const child = underCallgrind(file, out, { env });
  const ready = await new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  const pid = String(child.pid);
  const callgrind = callgrindCounter(out);
  return {
    ready,
    zero: () => callgrind.zero(pid),
    count: () => callgrind.count(pid),
    stop: () => {
      child.kill('SIGKILL');
      rmSync(out, { recursive: true, force: true });
    },
  };
}

export async function gatewayInstructionCounts(): Promise<void> {
  if (!hasCallgrind()) {
    console.log('(c) gateway instructions per request: skipped (valgrind is not installed; Debian package "valgrind")');
    return;
  }
  const work = process.env['BENCH_UPSTREAM_WORK'] ?? 'constant';
  const upstream = await counted<{ url: string }>('./gateway-upstream.ts', { BENCH_UPSTREAM_WORK: work });
  const signet = await counted<Signet>('./gateway-server.ts', { BENCH_UPSTREAM: upstream.ready.url });
  try {
    const s = signet.ready;
    const targets = {
      direct: { url: `${upstream.ready.url}/orders?instId=BTC-USDT`, signed: '/partner/orders?instId=BTC-USDT' },
      gateway: { url: `${s.url}/partner/orders?instId=BTC-USDT`, signed: '/partner/orders?instId=BTC-USDT' },
      balance: { url: `${s.url}/api/v5/account/balance`, signed: '/api/v5/account/balance' },
    };
    type Kind = keyof typeof targets;
    const run = async (kind: Kind, amount: number) => {
      const ts = new Date().toISOString();
      const r = await autocannon({
        url: targets[kind].url,
        connections: 8,
        amount,
        timeout: 60,
        headers: {
          'OK-ACCESS-KEY': s.apiKey,
          'OK-ACCESS-SIGN': sign(s.secretKey, ts, 'GET', targets[kind].signed),
          'OK-ACCESS-TIMESTAMP': ts,
          'OK-ACCESS-PASSPHRASE': s.passphrase,
        },
      });
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${kind}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      return r.requests.total;
    };
    const kinds: Kind[] = ['direct', 'gateway', 'balance'];
    for (let i = 0; i < 2; i++) for (const kind of kinds) await run(kind, WARM);
    const got = { direct: [] as number[], gateway: [] as number[], behind: [] as number[], balance: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const kind of kinds) {
        upstream.zero();
        signet.zero();
        const n = await run(kind, BATCH);
        const [up, sig] = [upstream.count() / n, signet.count() / n];
        if (kind === 'direct') got.direct.push(up);
        if (kind === 'gateway') {
          got.gateway.push(sig);
          got.behind.push(up);
        }
        if (kind === 'balance') got.balance.push(sig);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const k = (xs: number[]) =>
      `${xs.map((n) => `${(n / 1000).toFixed(1)}k`).join(' ')}  (median ${(median(xs) / 1000).toFixed(1)}k)`;
    const [direct, gw, behind, balance] = [
      median(got.direct),
      median(got.gateway),
      median(got.behind),
      median(got.balance),
    ];
    console.log(
      `(c) instructions per request under callgrind (each server's JavaScript thread), upstream answer: ${work}; ${ROUNDS} rounds of ${BATCH} requests after ${6 * WARM} warm-up`,
    );
    console.log(`    upstream, signed GET sent straight to it       ${k(got.direct)}`);
    console.log(`    signet, the same GET forwarded by its gateway  ${k(got.gateway)}`);
    console.log(`    upstream, behind the gateway                   ${k(got.behind)}`);
    console.log(`    signet, its own signed GET account/balance     ${k(got.balance)}`);
    console.log(
      `    signet per forwarded request / upstream per direct request: ${(gw / direct).toFixed(2)}x (the issue's proxy overhead; goal <= 1.5x)`,
    );
    console.log(
      `    whole gateway path (signet + upstream behind it) / straight to the upstream: ${((gw + behind) / direct).toFixed(2)}x`,
    );
    console.log(`    signet per forwarded request / signet per balance read: ${(gw / balance).toFixed(2)}x`);
    console.log('    (counts, not CPU time: the CPU figures are in (a))');
  } finally {
    signet.stop();
    upstream.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await gatewayInstructionCounts();
