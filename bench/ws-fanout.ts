/**
 * `npm run bench:ws`: fan-out of order updates to N subscribed WebSocket connections (figures,
 * never a pass/fail test). One account, N connections logged in with its key on /ws/v5/private
 * and subscribed to `orders` (instType ANY); a separate connection of the same key drives the
 * updates with the `order` and `cancel-order` ops (a resting limit buy, canceled as soon as it is
 * acknowledged: two updates per order, each pushed to every subscriber).
 * Two phases per N, on the same connections:
 *   steady       orders placed at a fixed pace (the same for every N), so the offered load is
 *                pace × 2 × N messages/s;
 *   closed loop  4 orders in flight, the next placed when one's cancel is acknowledged, for a
 *                few seconds: as many updates as the server's one thread gets through while it
 *                also pushes them (an op's answer goes out just before its pushes, as on OKX),
 *                so the figure is the fan-out capacity of the server and this client together.
 * Measured at the subscribers: messages received per second (all N together, and per subscriber
 * as a ratio to N = 1), delivery latency = receive time − the moment this process sent the op
 * (one monotonic clock; it includes the op's own work: validation, one SQLite transaction, the
 * book), p50/p99, and the same latency counted from the push's uTime (the server's clock at the
 * op, ms; same machine); the server's CPU per message delivered.
 * Then, on the same server, order-to-push latency under REST order flow (bench/ws-latency.ts).
 * The server is bench/trading-server.ts (SQLite, rate limits and the market maker off), pinned to
 * one core and this process to the other where taskset exists (--no-pin to leave both free).
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { RawData, WebSocket } from 'ws';
import { hasTaskset } from './cpu.js';
import { ask, closeAll, connect, field, fmt, pct, percentile, type Ready, sleep, text } from './ws-client.js';
import { orderToPush } from './ws-latency.js';

const quick = process.argv.includes('--quick');
/** `--latency-only`: only the order-to-push latency (bench/ws-latency.ts), not the fan-out table. */
const latencyOnly = process.argv.includes('--latency-only');
const pin = !process.argv.includes('--no-pin') && hasTaskset();
const SUBSCRIBERS = quick ? [1, 10, 100] : [1, 10, 100, 500];
/** Orders placed per second in the steady phase (two updates each: live, canceled). */
const PACE = 20;
const STEADY_MS = quick ? 2000 : 5000;
const LOOP_MS = quick ? 1500 : 3000;
const IN_FLIGHT = 4;
/** Logins opened at once while connecting the subscribers. */
const CONNECT_BATCH = 50;
const ORDER = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '1000', sz: '0.001' };

/** What the subscribers received in one phase. */
class Receipts {
  /** Send time (performance.now()) of each op, by clOrdId and the update it causes. */
  readonly sent = new Map<string, number>();
  readonly fromSend: number[] = [];
  readonly fromUTime: number[] = [];
  received = 0;
  firstSend = Infinity;
  lastReceive = 0;
  updatesSent = 0;

  opSent(clOrdId: string, state: 'live' | 'canceled'): void {
    const t = performance.now();
    this.sent.set(`${clOrdId}|${state}`, t);
    if (t < this.firstSend) this.firstSend = t;
    this.updatesSent++;
  }

  /** One message of a subscriber; order pushes are read with indexOf, not JSON.parse, to keep this side light. */
  onMessage(s: string): void {
    const t = performance.now();
    if (!s.startsWith('{"arg":{"channel":"orders"')) return;
    const clOrdId = field(s, '"clOrdId":"');
    const state = field(s, '"state":"');
    const sentAt = this.sent.get(`${clOrdId}|${state}`);
    if (sentAt === undefined) return;
    this.received++;
    this.lastReceive = t;
    this.fromSend.push(t - sentAt);
    this.fromUTime.push(Date.now() - Number(field(s, '"uTime":"')));
  }
}

/** The driving connection: places orders, cancels each one when its placement is acknowledged. */
class Driver {
  private seq = 0;
  private onCanceled: (() => void) | null = null;
  private receipts: Receipts | null = null;
  private open = 0;
  private idle: (() => void) | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly tag: string,
  ) {
    ws.on('message', (data) => {
      const m = JSON.parse(text(data)) as {
        op?: string;
        code?: string;
        msg?: string;
        data?: Array<{ clOrdId: string; sCode: string; sMsg: string }>;
      };
      const item = m.data?.[0];
      if (m.op === undefined || item === undefined) return;
      if (m.code !== '0') throw new Error(`${m.op}: ${m.code} ${m.msg} ${item.sCode} ${item.sMsg}`);
      if (m.op === 'order') this.cancel(item.clOrdId);
      else if (m.op === 'cancel-order') {
        this.open--;
        this.onCanceled?.();
        if (this.open === 0) this.idle?.();
      }
    });
  }

  start(receipts: Receipts, onCanceled: (() => void) | null): void {
    this.receipts = receipts;
    this.onCanceled = onCanceled;
  }

  place(): void {
    const clOrdId = `${this.tag}${++this.seq}`;
    this.open++;
    this.receipts?.opSent(clOrdId, 'live');
    this.ws.send(JSON.stringify({ id: `p${this.seq}`, op: 'order', args: [{ ...ORDER, clOrdId }] }));
  }

  private cancel(clOrdId: string): void {
    this.receipts?.opSent(clOrdId, 'canceled');
    this.ws.send(JSON.stringify({ id: `c${clOrdId}`, op: 'cancel-order', args: [{ instId: ORDER.instId, clOrdId }] }));
  }

  /** Resolves once every placed order is canceled. */
  async settle(): Promise<void> {
    this.onCanceled = null;
    if (this.open > 0)
      await new Promise<void>((resolve) => {
        this.idle = resolve;
      });
    this.idle = null;
  }
}

interface PhaseResult {
  updatesPerS: number;
  msgsPerS: number;
  delivered: number;
  p50: number;
  p99: number;
  uTimeP50: number;
  uTimeP99: number;
  serverUsPerMsg: number;
  /** Server CPU time per second of the phase (1 = one core busy). */
  serverCpu: number;
  clientCpu: number;
}

async function phase(
  child: ChildProcess,
  subs: WebSocket[],
  driver: Driver,
  drive: (receipts: Receipts) => Promise<void>,
): Promise<PhaseResult> {
  const receipts = new Receipts();
  const listeners = subs.map((ws) => {
    const l = (data: RawData) => receipts.onMessage(text(data));
    ws.on('message', l);
    return l;
  });
  const cpuBefore = (await ask<{ cpu: NodeJS.CpuUsage }>(child, 'cpu')).cpu;
  const clientBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await drive(receipts);
  await driver.settle();
  // Every update reaches every subscriber, or the drain gives up after 3 s.
  const expected = receipts.updatesSent * subs.length;
  const deadline = performance.now() + 3000;
  while (receipts.received < expected && performance.now() < deadline) await sleep(10);
  const cpuAfter = (await ask<{ cpu: NodeJS.CpuUsage }>(child, 'cpu')).cpu;
  const wall = performance.now() - wallBefore;
  const clientCpu = process.cpuUsage(clientBefore);
  const serverUs = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
  subs.forEach((ws, i) => {
    const l = listeners[i];
    if (l !== undefined) ws.off('message', l);
  });
  const seconds = (receipts.lastReceive - receipts.firstSend) / 1000;
  return {
    updatesPerS: receipts.updatesSent / seconds,
    msgsPerS: receipts.received / seconds,
    delivered: receipts.received / expected,
    p50: percentile(receipts.fromSend, 0.5),
    p99: percentile(receipts.fromSend, 0.99),
    uTimeP50: percentile(receipts.fromUTime, 0.5),
    uTimeP99: percentile(receipts.fromUTime, 0.99),
    serverUsPerMsg: serverUs / receipts.received,
    serverCpu: serverUs / 1000 / wall,
    clientCpu: (clientCpu.user + clientCpu.system) / 1000 / wall,
  };
}

/** Orders at a fixed pace (placement i at start + i/PACE s; a late timer catches up). */
function steady(driver: Driver) {
  return async (receipts: Receipts): Promise<void> => {
    driver.start(receipts, null);
    const start = performance.now();
    const total = Math.round((STEADY_MS / 1000) * PACE);
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / PACE - performance.now();
      if (wait > 1) await sleep(wait);
      driver.place();
    }
  };
}

/** IN_FLIGHT orders in flight: a new one whenever one is canceled, until LOOP_MS is over. */
function closedLoop(driver: Driver) {
  return async (receipts: Receipts): Promise<void> => {
    const end = performance.now() + LOOP_MS;
    driver.start(receipts, () => {
      if (performance.now() < end) driver.place();
    });
    for (let i = 0; i < IN_FLIGHT; i++) driver.place();
    await sleep(LOOP_MS);
  };
}

async function main(): Promise<void> {
  const pinned = pin && cpus().length >= 2;
  const child = fork(fileURLToPath(new URL('./trading-server.ts', import.meta.url)), [], {
    ...(pinned
      ? { execPath: 'taskset', execArgv: ['-c', '0', process.execPath, '--import', 'tsx'] }
      : { execArgv: ['--import', 'tsx'] }),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (pinned) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const ready = await new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
  if (latencyOnly) {
    await orderToPush(child, ready, { quick, pinned });
    child.send('stop');
    return;
  }
  const key = ready.keys[0];
  if (key === undefined) throw new Error('no key');
  const wsUrl = `${ready.url.replace(/^http/, 'ws')}/ws/v5/private`;
  const driver = new Driver(await connect(wsUrl, key, ready.passphrase, false), 'f');

  console.log(
    `(ws) fan-out of order updates to N connections subscribed to \`orders\` of one account (${pinned ? 'server pinned to core 0, this client to core 1' : 'not pinned: figures are noisier'})`,
  );
  // Warm-up (JIT, the key's passphrase check), discarded.
  {
    const warm = await connect(wsUrl, key, ready.passphrase, true);
    await phase(child, [warm], driver, closedLoop(driver));
    warm.close();
  }

  const rows: Array<{ n: number; connectMs: number; dropped: number; steady: PhaseResult; loop: PhaseResult }> = [];
  for (const n of SUBSCRIBERS) {
    const t = performance.now();
    const subs: WebSocket[] = [];
    for (let i = 0; i < n; i += CONNECT_BATCH) {
      subs.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(CONNECT_BATCH, n - i) }, () => connect(wsUrl, key, ready.passphrase, true)),
        )),
      );
    }
    const connectMs = performance.now() - t;
    let dropped = 0;
    for (const ws of subs)
      ws.once('close', () => {
        dropped++;
      });
    const steadyResult = await phase(child, subs, driver, steady(driver));
    const loopResult = await phase(child, subs, driver, closedLoop(driver));
    rows.push({ n, connectMs, dropped, steady: steadyResult, loop: loopResult });
    for (const ws of subs) ws.removeAllListeners('close');
    await closeAll(subs);
  }
  const ordersStored = (await ask<{ orders: number }>(child, 'orders')).orders;

  const base = rows[0];
  const perSub = (r: PhaseResult, n: number) => r.msgsPerS / n;
  console.log(
    `    steady: ${PACE} orders/s (${PACE * 2} updates/s) for ${STEADY_MS / 1000} s; closed loop: ${IN_FLIGHT} orders in flight for ${LOOP_MS / 1000} s`,
  );
  console.log(
    '    rates over the window from the first op sent to the last push received; latency = subscriber receive time − op sent by this process (ms);',
  );
  console.log(
    '    "from uTime" = receive − the push\'s uTime (the server\'s clock when it ran the op, ms); server CPU per message includes the ops themselves',
  );
  console.log('');
  const header =
    '|    N | connect+login+subscribe | phase       | updates/s | msgs/s (all N) | msgs/s per subscriber (vs N=1) | delivered | latency p50 / p99 ms | from uTime p50 / p99 | server CPU µs/msg | server CPU | client CPU |';
  console.log(header);
  console.log(header.replace(/[^|]/g, '-'));
  for (const r of rows) {
    for (const [label, res, ref] of [
      ['steady', r.steady, base?.steady],
      ['closed loop', r.loop, base?.loop],
    ] as const) {
      const ratio = ref === undefined ? NaN : perSub(res, r.n) / perSub(ref, 1);
      console.log(
        [
          '',
          String(r.n).padStart(4),
          (label === 'steady' ? `${fmt(r.connectMs)} ms` : '').padStart(23),
          label.padEnd(11),
          fmt(res.updatesPerS).padStart(9),
          fmt(res.msgsPerS).padStart(14),
          `${fmt(perSub(res, r.n))} (${fmt(ratio, 2)}×)`.padStart(30),
          pct(res.delivered).padStart(9),
          `${fmt(res.p50, 1)} / ${fmt(res.p99, 1)}`.padStart(20),
          `${fmt(res.uTimeP50)} / ${fmt(res.uTimeP99)}`.padStart(20),
          fmt(res.serverUsPerMsg, 1).padStart(17),
          pct(res.serverCpu).padStart(10),
          pct(res.clientCpu).padStart(10),
          '',
        ]
          .join(' | ')
          .trim(),
      );
    }
  }
  // What one more delivered message costs the server, from the steady rows (same orders, more subscribers).
  const last = rows[rows.length - 1];
  if (base !== undefined && last !== undefined && last !== base) {
    const cpuPerS = (r: PhaseResult) => r.serverUsPerMsg * r.msgsPerS;
    const marginal = (cpuPerS(last.steady) - cpuPerS(base.steady)) / (last.steady.msgsPerS - base.steady.msgsPerS);
    console.log(`    server CPU per extra subscriber message (steady, N=${last.n} vs N=1): ${fmt(marginal, 1)} µs`);
  }
  const dropped = rows.reduce((sum, r) => sum + r.dropped, 0);
  console.log(
    `    ${fmt(ordersStored)} orders stored; ${dropped} subscriber connections closed by the server during the runs; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (${cpus().length} cores)`,
  );
  console.log('');
  await orderToPush(child, ready, { quick, pinned });
  child.send('stop');
}

console.log(
  `signet WebSocket fan-out benchmark, Node ${process.version}, ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await main();
