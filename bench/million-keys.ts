/**
 * `npm run bench:keys` (and the last part of `npm run bench`): a million stored keys (issue 19).
 * For SQLite and for a fresh PostgreSQL schema: seeds N keys through the real schema and codecs
 * (each with its own AES-GCM sealed secret and keyed passphrase verifier, as the key service makes
 * them), starts `signet serve` (start-up time, memory), then drives signed
 * `GET /api/v5/account/balance` with 32 keep-alive connections, every request signed by a key picked
 * at random among the active ones: 100 keys (a second server on a 100-key database) vs 100,000 of
 * the million, side by side; then the expiry sweep of 100,000 expired keys beside that traffic;
 * then a restart (SIGKILL, start again) under traffic. Prints figures, never passes or fails.
 * `--quick`: 100,000 keys, 10,000 active, 10,000 expired, shorter windows.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DAY_MS } from '../src/core/expiry.js';
import { sign } from '../src/core/signing.js';
import { PassphraseVerifier } from '../src/security/passphrase-verifier.js';
import { SecretBox } from '../src/security/secret-box.js';
import { pgFlag, sqliteFlag } from '../src/store/codecs/flags.js';
import { type KeyRow, keyRow } from '../src/store/codecs/keys.js';
import { PG_CHAR_CODE, SQLITE_CHAR_CODE, useBucketSql } from '../src/store/codecs/use-bucket.js';
import type { KeyRecord } from '../src/store/keys.js';
import { openStore } from '../src/store/open.js';
import { ROOT, tempDir } from '../test/helpers.js';
import { dropSchemas, freshSchemaUrl, postgresUnavailable } from '../test/pg.js';
import { hasTaskset } from './cpu.js';

const quick = process.argv.includes('--quick');
const TOTAL = quick ? 100_000 : 1_000_000;
const ACTIVE = quick ? 10_000 : 100_000;
const EXPIRED = quick ? 10_000 : 100_000;
const SMALL = 100;
const KEYS_PER_USER = 50;
const WINDOW_MS = quick ? 3000 : 5000;
const ROUNDS = quick ? 1 : 2;
const AFTER_RESTART_MS = quick ? 8000 : 15_000;
const CONNECTIONS = 32;
const PASSPHRASE = 'Bench-Pass-1';
const PATH = '/api/v5/account/balance';
const MASTER_KEY = randomBytes(32).toString('hex');
const CLK_TCK = 100;
const pinned = hasTaskset();

interface Credential {
  readonly apiKey: string;
  readonly secretKey: string;
}
interface Backend {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly dataDir: string;
}

/** One key as KeyService makes it: its own sealed secret and keyed passphrase verifier. */
function makeKey(box: SecretBox, verifier: PassphraseVerifier, i: number, userId: number, idle: number): KeyRecord {
  const apiKey = randomUUID();
  const secretKey = randomBytes(16).toString('hex').toUpperCase();
  return {
    apiKey,
    userId,
    label: `k${i}`,
    perms: { read: true, trade: false, withdraw: false },
    ips: [],
    env: 'live',
    secretSealed: box.seal(secretKey, apiKey),
    passphraseHash: verifier.make(apiKey, PASSPHRASE),
    createdAt: idle,
    updatedAt: idle,
    lastUsedAt: null,
    appId: null,
    disabledAt: null,
    prevSecretSealed: null,
    prevSecretUntil: null,
  };
}

/** Inserts keys in big transactions through a driver: the adapters' own codecs make the rows. */
interface Seeder {
  users(ids: readonly number[], now: number): Promise<void>;
  keys(batch: readonly KeyRecord[]): Promise<void>;
  /** Records that the keys were used from the load generator's address (as their first uses would have). */
  keyIps(apiKeys: readonly string[], at: number): Promise<void>;
  /**
   * The keys used so far (the active ones) last used at a random moment of the minute before `now`,
   * as under a running deployment's steady traffic (each key's hour of use crossed at its own time).
   */
  freshen(now: number): Promise<void>;
  /** Holds the sweeper off (its interval claimed far ahead) until `releaseSweep`. */
  holdSweep(): Promise<void>;
  releaseSweep(): Promise<void>;
  close(): Promise<void>;
}

function sqliteSeeder(dir: string): Seeder {
  const db = new Database(join(dir, 'signet.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  const user = db.prepare('INSERT INTO users (id, uid, email, created_at) VALUES (?, ?, ?, ?)');
  const keyIp = db.prepare(`INSERT INTO key_ips (api_key, ip, first_at) VALUES (?, '127.0.0.1', ?)`);
  const key = db.prepare(`INSERT INTO api_keys (api_key, user_id, label, perm_trade, perm_withdraw, ips, env,
    secret_sealed, passphrase_hash, created_at, updated_at, last_used_at, used_hour, app_id, disabled_at, prev_secret_sealed,
    prev_secret_until) VALUES (@api_key, @user_id, @label, @perm_trade, @perm_withdraw, @ips, @env, @secret_sealed,
    @passphrase_hash, @created_at, @updated_at, @last_used_at, @used_hour, @app_id, @disabled_at, @prev_secret_sealed,
    @prev_secret_until)`);
  return {
    async users(ids, now) {
      db.transaction(() => {
        for (const id of ids) user.run(id, `${9_000_000_000 + id}`, `u${id}@bench.example`, now);
      })();
    },
    async keys(batch) {
      db.transaction(() => {
        for (const k of batch) key.run(keyRow(k, sqliteFlag));
      })();
    },
    async keyIps(apiKeys, at) {
      db.transaction(() => {
        for (const k of apiKeys) keyIp.run(k, at);
      })();
    },
    async freshen(now) {
      db.prepare('UPDATE api_keys SET last_used_at = ? - abs(random() % 60000) WHERE last_used_at IS NOT NULL').run(
        now,
      );
      db.prepare(
        `UPDATE api_keys SET used_hour = ${useBucketSql('api_key', 'last_used_at', SQLITE_CHAR_CODE)} WHERE last_used_at IS NOT NULL`,
      ).run();
    },
    async holdSweep() {
      db.prepare(`INSERT OR REPLACE INTO jobs (name, last_run) VALUES ('sweep', ?)`).run(Number.MAX_SAFE_INTEGER);
    },
    async releaseSweep() {
      db.prepare(`UPDATE jobs SET last_run = 0 WHERE name = 'sweep'`).run();
    },
    async close() {
      db.close();
    },
  };
}

async function pgSeeder(url: string): Promise<Seeder> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const col = <T>(batch: readonly KeyRecord[], f: (r: KeyRow<boolean>) => T) => batch.map((k) => f(keyRow(k, pgFlag)));
  return {
    async users(ids, now) {
      await c.query(
        `INSERT INTO users (id, uid, email, created_at) OVERRIDING SYSTEM VALUE
        SELECT id, (9000000000 + id)::text, 'u' || id || '@bench.example', $2 FROM unnest($1::bigint[]) AS t(id)`,
        [ids, now],
      );
      await c.query(`SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))`);
    },
    async keys(batch) {
      await c.query(
        `INSERT INTO api_keys (api_key, user_id, label, perm_trade, perm_withdraw, ips, env, secret_sealed,
        passphrase_hash, created_at, updated_at, last_used_at, used_hour, app_id, disabled_at, prev_secret_sealed,
        prev_secret_until)
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::boolean[], $5::boolean[], $6::text[], $7::text[],
        $8::bytea[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::text[], $15::bigint[],
        $16::bytea[], $17::bigint[])`,
        [
          col(batch, (r) => r.api_key),
          col(batch, (r) => r.user_id),
          col(batch, (r) => r.label),
          col(batch, (r) => r.perm_trade),
          col(batch, (r) => r.perm_withdraw),
          col(batch, (r) => r.ips),
          col(batch, (r) => r.env),
          col(batch, (r) => r.secret_sealed),
          col(batch, (r) => r.passphrase_hash),
          col(batch, (r) => r.created_at),
          col(batch, (r) => r.updated_at),
          col(batch, (r) => r.last_used_at),
          col(batch, (r) => r.used_hour),
          col(batch, (r) => r.app_id),
          col(batch, (r) => r.disabled_at),
          col(batch, (r) => r.prev_secret_sealed),
          col(batch, (r) => r.prev_secret_until),
        ],
      );
    },
    async keyIps(apiKeys, at) {
      await c.query(
        `INSERT INTO key_ips (api_key, ip, first_at) SELECT k, '127.0.0.1', $2 FROM unnest($1::text[]) AS t(k)`,
        [apiKeys, at],
      );
    },
    async freshen(now) {
      await c.query(
        'UPDATE api_keys SET last_used_at = $1 - floor(random() * 60000)::bigint WHERE last_used_at IS NOT NULL',
        [now],
      );
      await c.query(
        `UPDATE api_keys SET used_hour = ${useBucketSql('api_key', 'last_used_at', PG_CHAR_CODE)} WHERE last_used_at IS NOT NULL`,
      );
    },
    async holdSweep() {
      await c.query(
        `INSERT INTO jobs (name, last_run) VALUES ('sweep', $1) ON CONFLICT (name) DO UPDATE SET last_run = $1`,
        [Number.MAX_SAFE_INTEGER],
      );
    },
    async releaseSweep() {
      await c.query(`UPDATE jobs SET last_run = 0 WHERE name = 'sweep'`);
    },
    async close() {
      await c.query('ANALYZE');
      await c.end();
    },
  };
}

/**
 * Seeds `total` keys (the first `active` used by traffic, the next `expired` idle for 31 days, the
 * rest created a day ago) on 50-key accounts (OKX's most per account); returns the active keys' credentials.
 */
async function seed(b: Backend, total: number, active: number, expired: number): Promise<Credential[]> {
  const store = await openStore({ dataDir: b.dataDir, databaseUrl: b.env.DATABASE_URL ?? null });
  const box = new SecretBox(Buffer.from(MASTER_KEY, 'hex'));
  const verifier = await PassphraseVerifier.open(store, box);
  await store.close();
  const seeder = b.env.DATABASE_URL === undefined ? sqliteSeeder(b.dataDir) : await pgSeeder(b.env.DATABASE_URL);
  const now = Date.now();
  const users = Array.from({ length: Math.ceil(total / KEYS_PER_USER) }, (_, i) => i + 1);
  await seeder.users(users, now);
  await seeder.holdSweep();
  const credentials: Credential[] = [];
  const BATCH = 10_000;
  for (let start = 0; start < total; start += BATCH) {
    const batch: KeyRecord[] = [];
    for (let i = start; i < Math.min(total, start + BATCH); i++) {
      const idle = i >= active && i < active + expired ? now - 31 * DAY_MS : now - DAY_MS;
      const k = makeKey(box, verifier, i, 1 + Math.floor(i / KEYS_PER_USER), idle);
      // The active keys have been used (freshen below sets when).
      if (i < active) k.lastUsedAt = now - 3_600_000;
      if (i < active) credentials.push({ apiKey: k.apiKey, secretKey: box.open(k.secretSealed, k.apiKey) });
      batch.push(k);
    }
    await seeder.keys(batch);
    await seeder.keyIps(
      batch.filter((k) => k.lastUsedAt !== null).map((k) => k.apiKey),
      now - 3_600_000,
    );
  }
  await seeder.freshen(Date.now());
  await seeder.close();
  return credentials;
}

interface Server {
  readonly url: string;
  readonly pid: number;
  readonly listeningMs: number;
  readonly readyMs: number;
  kill(): Promise<void>;
}

/** `signet serve` (the built CLI) pinned to core 0; times from spawn to listening and to /readyz 200. */
async function startServer(b: Backend, port = 0): Promise<Server> {
  // BENCH_SERVER_FLAGS: node flags for the server (e.g. `--trace-gc` to see its pauses);
  // BENCH_SERVER_LOG: a file the server's output is appended to.
  const flags = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const args = [...flags, join(ROOT, 'bin', 'signet.js'), 'serve', '--port', String(port), '--data', b.dataDir];
  const t0 = performance.now();
  const child: ChildProcess = pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { env: { ...process.env, ...b.env } })
    : spawn(process.execPath, args, { env: { ...process.env, ...b.env } });
  let out = '';
  const log = process.env.BENCH_SERVER_LOG;
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  if (log !== undefined) {
    mark(`${b.name} server pid ${child.pid} spawned at ${Math.round(t0)} ms (bench clock)`);
    for (const s of [child.stdout, child.stderr]) s?.on('data', (d: Buffer) => appendFileSync(log, d));
  }
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /signet listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  const listeningMs = performance.now() - t0;
  while ((await fetch(`${url}/readyz`).catch(() => null))?.status !== 200) await sleep(5);
  const readyMs = performance.now() - t0;
  const pid = child.pid;
  if (pid === undefined) throw new Error('no pid');
  return {
    url,
    pid,
    listeningMs,
    readyMs,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A line in BENCH_SERVER_LOG (if set), to place the servers' output in the bench's phases. */
function mark(text: string): void {
  const log = process.env.BENCH_SERVER_LOG;
  if (log !== undefined) appendFileSync(log, `--- ${text}\n`);
}

/** Server CPU time so far (user + system), ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/** A completed request: when it ended and how long it took (ms, performance.now() clock). */
interface Sample {
  end: number;
  ms: number;
}

/**
 * Closed-loop load: CONNECTIONS workers, each request signed by a key picked at random from the
 * target's set. Connection failures (a restart) are counted and retried after 5 ms.
 */
class Load {
  readonly samples: Sample[] = [];
  failures = 0;
  private running = true;
  private readonly done: Promise<unknown>;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

  constructor(private target: { url: string; keys: readonly Credential[] }) {
    this.done = Promise.all(Array.from({ length: CONNECTIONS }, () => this.worker()));
  }

  private pick(): Credential | undefined {
    const keys = this.target.keys;
    return keys[Math.floor(Math.random() * keys.length)];
  }

  private async worker(): Promise<void> {
    while (this.running) {
      const key = this.pick();
      if (key === undefined) return;
      const t0 = performance.now();
      const status = await this.request(key).catch(() => 0);
      const end = performance.now();
      if (status === 200) this.samples.push({ end, ms: end - t0 });
      else {
        this.failures++;
        await sleep(5);
      }
    }
  }

  private request(key: Credential): Promise<number> {
    const ts = new Date().toISOString();
    const u = new URL(this.target.url);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: PATH,
          agent: this.agent,
          headers: {
            'OK-ACCESS-KEY': key.apiKey,
            'OK-ACCESS-SIGN': sign(key.secretKey, ts, 'GET', PATH, ''),
            'OK-ACCESS-TIMESTAMP': ts,
            'OK-ACCESS-PASSPHRASE': PASSPHRASE,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  retarget(target: { url: string; keys: readonly Credential[] }): void {
    this.target = target;
  }

  async finished(): Promise<void> {
    await this.done;
    this.agent.destroy();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.finished();
  }
}

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

function between(samples: readonly Sample[], from: number, to: number): number[] {
  return samples.filter((s) => s.end >= from && s.end < to).map((s) => s.ms);
}

interface Window {
  p50: number;
  p99: number;
  rps: number;
  cpuUsPerReq: number;
}

/** Random-key traffic on one server for `ms`; latencies, rate and the server's CPU per request. */
async function window(server: Server, keys: readonly Credential[], ms: number): Promise<Window> {
  const load = new Load({ url: server.url, keys });
  await sleep(300); // connections open, not counted
  const c0 = cpuMs(server.pid);
  const t0 = performance.now();
  await sleep(ms);
  const t1 = performance.now();
  mark(
    `window on pid ${server.pid} ending at ${Date.now() % 1_000_000} (Date.now() mod 1e6), ${Math.round(t1 - t0)} ms long`,
  );
  const c1 = cpuMs(server.pid);
  await load.stop();
  const lat = between(load.samples, t0, t1);
  return {
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    rps: (lat.length * 1000) / (t1 - t0),
    cpuUsPerReq: ((c1 - c0) * 1000) / Math.max(1, lat.length),
  };
}

async function metric(server: Server, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return Number(m?.[1] ?? Number.NaN);
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const median = (xs: readonly number[]) => percentile(xs, 50);

async function bench(name: string, big: Backend, small: Backend): Promise<void> {
  console.log(`  ${name}`);
  try {
    await measure(big, small);
  } finally {
    for (const b of [big, small]) rmSync(b.dataDir, { recursive: true, force: true });
  }
}

async function measure(big: Backend, small: Backend): Promise<void> {
  const t = performance.now();
  const keys = await seed(big, TOTAL, ACTIVE, EXPIRED);
  const seedS = (performance.now() - t) / 1000;
  const few = await seed(small, SMALL, SMALL, 0);
  console.log(
    `    seeded ${TOTAL.toLocaleString('en-US')} keys in ${f1(seedS)} s (${Math.round(TOTAL / seedS).toLocaleString('en-US')} keys/s, each sealed and verified as the key service makes them)`,
  );

  let server = await startServer(big);
  console.log(
    `    start-up with ${TOTAL.toLocaleString('en-US')} keys: listening after ${Math.round(server.listeningMs)} ms, /readyz 200 after ${Math.round(server.readyMs)} ms, RSS ${Math.round(rssMb(server.pid))} MB`,
  );
  const w0 = performance.now();
  const wc0 = cpuMs(server.pid);
  while ((await metric(server, 'signet_key_cache_size')) < ACTIVE && performance.now() - w0 < 300_000) await sleep(100);
  const warmedS = (performance.now() - w0 + server.readyMs - server.listeningMs) / 1000;
  console.log(
    `    the start's background warm-up (keys used in the last day, most recent first): ${ACTIVE.toLocaleString('en-US')} keys cached ${f1((performance.now() - w0) / 1000)} s after /readyz (${f1(warmedS)} s after listening), server CPU ${Math.round(((cpuMs(server.pid) - wc0) * 1000) / ACTIVE)} µs/key`,
  );
  const few0 = await startServer(small);
  console.log(
    `    the same with ${SMALL} keys: listening after ${Math.round(few0.listeningMs)} ms, /readyz 200 after ${Math.round(few0.readyMs)} ms, RSS ${Math.round(rssMb(few0.pid))} MB`,
  );
  // Warm-up (JIT, connections, the small server's cache), not counted.
  await window(few0, few, 3000);
  // Long enough for every account's balance to be read once (2,000 accounts behind 100,000 keys).
  await window(server, keys, quick ? 3000 : 10_000);

  const rows: Record<'few' | 'many', Window[]> = { few: [], many: [] };
  for (let i = 0; i < ROUNDS; i++) {
    rows.few.push(await window(few0, few, WINDOW_MS));
    rows.many.push(await window(server, keys, WINDOW_MS));
  }
  const sum = (w: Window[]) => ({
    p50: median(w.map((x) => x.p50)),
    p99: median(w.map((x) => x.p99)),
    rps: median(w.map((x) => x.rps)),
    cpu: median(w.map((x) => x.cpuUsPerReq)),
  });
  const a = sum(rows.few);
  const b = sum(rows.many);
  console.log(
    `    ${SMALL} keys:                    p50 ${f2(a.p50)} ms  p99 ${f2(a.p99)} ms  ${Math.round(a.rps)} req/s  server CPU ${f1(a.cpu)} µs/req`,
  );
  console.log(
    `    ${(TOTAL / 1000).toLocaleString('en-US')}k keys, ${(ACTIVE / 1000).toLocaleString('en-US')}k active:     p50 ${f2(b.p50)} ms  p99 ${f2(b.p99)} ms  ${Math.round(b.rps)} req/s  server CPU ${f1(b.cpu)} µs/req   p99 ratio ${f2(b.p99 / a.p99)} (target ≤ 1.5), CPU ratio ${f2(b.cpu / a.cpu)}`,
  );
  const cached = await metric(server, 'signet_key_cache_size');
  console.log(`    server RSS with ${cached.toLocaleString('en-US')} keys cached: ${Math.round(rssMb(server.pid))} MB`);
  await few0.kill();

  // The sweep: the bench releases the sweeper's interval; the server's next check deletes the expired keys.
  const load = new Load({ url: server.url, keys });
  await sleep(1000);
  const seeder = big.env.DATABASE_URL === undefined ? sqliteSeeder(big.dataDir) : await pgSeeder(big.env.DATABASE_URL);
  const s0 = performance.now();
  await seeder.releaseSweep();
  while ((await metric(server, 'signet_sweeper_keys_deleted_total')) < EXPIRED) await sleep(100);
  const s1 = performance.now();
  await seeder.holdSweep();
  await seeder.close();
  await sleep(500);
  const during = between(load.samples, s0, s1);
  const before = between(load.samples, s0 - 1000, s0);
  let worstSecond = 0;
  let silentSeconds = 0;
  for (let w = s0; w < s1; w += 1000) {
    const p99 = percentile(between(load.samples, w, w + 1000), 99);
    if (Number.isNaN(p99)) silentSeconds++;
    else worstSecond = Math.max(worstSecond, p99);
  }
  console.log(
    `    sweep of ${EXPIRED.toLocaleString('en-US')} expired keys beside the traffic: ${f1((s1 - s0) / 1000)} s; p99 during it ${f2(percentile(during, 99))} ms (worst 1 s window ${f2(worstSecond)} ms, ${silentSeconds} s without a response; the second before: ${f2(percentile(before, 99))} ms; target ≤ 10 ms)`,
  );

  // The restart: SIGKILL, then start again on the same port, traffic going on throughout.
  const port = Number(new URL(server.url).port);
  const k0 = performance.now();
  await server.kill();
  server = await startServer(big, port);
  load.retarget({ url: server.url, keys });
  const back = performance.now();
  await sleep(AFTER_RESTART_MS);
  await load.stop();
  const series: string[] = [];
  let recovered = Number.NaN;
  for (let w = back; w + 1000 <= back + AFTER_RESTART_MS; w += 1000) {
    const p = percentile(between(load.samples, w, w + 1000), 99);
    series.push(f1(p));
    if (Number.isNaN(recovered) && p <= b.p99 * 1.25) recovered = w + 1000;
  }
  console.log(
    `    restart under traffic: listening ${Math.round(server.listeningMs)} ms and ready ${Math.round(server.readyMs)} ms after the start (${Math.round(back - k0)} ms after the kill); p99 per 1 s window after: ${series.join(' ')} ms`,
  );
  console.log(
    `    rolling p99 back within 1.25x of steady (${f2(b.p99)} ms) ${Number.isNaN(recovered) ? 'not within the run' : `${f1((recovered - k0) / 1000)} s after the kill, ${f1((recovered - back) / 1000)} s after listening`} (target ≤ 10 s); ${await metric(server, 'signet_key_cache_size')} keys cached, RSS now ${Math.round(rssMb(server.pid))} MB`,
  );
  await server.kill();
}

async function main(): Promise<void> {
  console.log(
    `(e) ${TOTAL.toLocaleString('en-US')} keys stored, traffic over ${ACTIVE.toLocaleString('en-US')} of them, vs ${SMALL} keys: signed GET ${PATH}, ${CONNECTIONS} connections, medians of ${ROUNDS} ${WINDOW_MS / 1000}s windows each, interleaved; ${pinned ? 'server pinned to core 0' : 'not pinned'}`,
  );
  const common = {
    SIGNET_MASTER_KEY: MASTER_KEY,
    SIGNET_MARKET_MAKER: '0',
    SIGNET_RATE_LIMITS: '0',
    SIGNET_LOG_LEVEL: 'warn',
    SIGNET_METRICS: '1',
    SIGNET_SWEEP_MS: '1000',
    SIGNET_AUTH_FAILS_PER_IP: '1000000',
    SIGNET_HTTP_CONNECTIONS_PER_IP: '1000',
  };
  if (pinned) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const only = process.argv.find((a) => a === '--sqlite' || a === '--postgres');
  if (only !== '--postgres')
    await bench(
      'SQLite',
      { name: 'sqlite', env: common, dataDir: tempDir('signet-keys-') },
      { name: 'sqlite-small', env: common, dataDir: tempDir('signet-keys-') },
    );
  if (only === '--sqlite') return;
  const unavailable = await postgresUnavailable();
  if (unavailable !== null) {
    console.log(`  PostgreSQL skipped: ${unavailable}`);
    return;
  }
  try {
    const bigEnv = { ...common, DATABASE_URL: await freshSchemaUrl('signet_keys') };
    const smallEnv = { ...common, DATABASE_URL: await freshSchemaUrl('signet_keys') };
    await bench(
      'PostgreSQL',
      { name: 'pg', env: bigEnv, dataDir: tempDir('signet-keys-') },
      { name: 'pg-small', env: smallEnv, dataDir: tempDir('signet-keys-') },
    );
  } finally {
    await dropSchemas();
  }
}

await main();
