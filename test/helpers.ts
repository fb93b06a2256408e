import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { main } from '../src/cli/main.js';
import { loadConfig } from '../src/config.js';
import { sign } from '../src/core/signing.js';
import { buildApp } from '../src/http/app.js';
import { openRuntime, type Runtime } from '../src/runtime.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * How a test starts the `signet` command from the sources (never a possibly stale dist/): the
 * entry as scripts/run-tests.mjs transpiled it (`npm test`), else src/cli/bin.ts through tsx
 * (`node --import tsx --test FILE`, slower to start).
 */
const CLI_ARGS =
  process.env.SIGNET_TEST_CLI !== undefined
    ? [process.env.SIGNET_TEST_CLI]
    : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts')];
export const PASSPHRASE = 'Passw0rd!';

export function tempDir(prefix = 'signet-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A runtime on a fresh data directory and the app built on it (not listening). */
export async function testApp(
  env: Record<string, string> = {},
  now?: () => number,
): Promise<{ rt: Runtime; app: FastifyInstance; close: () => Promise<void> }> {
  const config = loadConfig({ SIGNET_DATA: tempDir(), SIGNET_LOG_LEVEL: 'silent', ...env });
  const rt = await openRuntime(config, now);
  const app = buildApp(rt.appDeps);
  return {
    rt,
    app,
    close: async () => {
      await app.close();
      await rt.close();
    },
  };
}

export interface Credentials {
  apiKey: string;
  secretKey: string;
  passphrase: string;
}

/** OKX V5 headers for a request, signed as a client would. */
export function signedHeaders(
  c: Credentials,
  method: string,
  target: string,
  body = '',
  opts: { timestamp?: string; demo?: boolean } = {},
): Record<string, string> {
  const timestamp = opts.timestamp ?? new Date().toISOString();
  const headers: Record<string, string> = {
    'OK-ACCESS-KEY': c.apiKey,
    'OK-ACCESS-SIGN': sign(c.secretKey, timestamp, method, target, body),
    'OK-ACCESS-TIMESTAMP': timestamp,
    'OK-ACCESS-PASSPHRASE': c.passphrase,
    'content-type': 'application/json',
  };
  if (opts.demo === true) headers['x-simulated-trading'] = '1';
  return headers;
}

/** Signs in to the console API of a listening server: the session cookie and the CSRF token for state-changing calls. */
export async function consoleLogin(
  baseUrl: string,
  email: string,
  password: string,
): Promise<{ cookie: string; csrf: string }> {
  const login = await fetch(`${baseUrl}/console/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`console login failed (${login.status}): ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';
  return { cookie, csrf: String(((await login.json()) as { csrfToken: string }).csrfToken) };
}

/** An OKX envelope as tests read it. */
export type Envelope = { code: string; msg: string; data: Array<Record<string, string>> };

/** A signed V5 request (body JSON-encoded) to a listening server, answered as an envelope. */
export async function signedCall(
  baseUrl: string,
  c: Credentials,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Envelope> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: signedHeaders(c, method, path, text),
    ...(body === undefined ? {} : { body: text }),
  });
  return (await res.json()) as Envelope;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a `signet` command line in this process (the CLI's `main`, from src/) on a data directory:
 * the same code as the binary, in milliseconds rather than a process start each.
 */
export async function cli(
  args: string[],
  opts: { data?: string; env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  const full = opts.data === undefined ? args : [...args, '--data', opts.data];
  let stdout = '';
  let stderr = '';
  const code = await main(full, {
    env: { ...process.env, ...opts.env },
    stdin: Readable.from([Buffer.from(opts.input ?? '')]),
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** Runs the `signet` command (src/cli/bin.ts) as its own process: exit codes, standard input. */
export function spawnCli(
  args: string[],
  opts: { data?: string; env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  const full = opts.data === undefined ? args : [...args, '--data', opts.data];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGS, ...full], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs the CLI and parses its --json output; fails loudly with stderr otherwise. */
export async function cliJson<T>(args: string[], data: string): Promise<T> {
  const r = await cli([...args, '--json'], { data });
  if (r.code !== 0) throw new Error(`signet ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export async function cliOk(args: string[], data: string): Promise<string> {
  const r = await cli(args, { data });
  if (r.code !== 0) throw new Error(`signet ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/**
 * `signet keys create` arguments for a read,trade key with the tests' passphrase, bound to 127.0.0.1
 * (where the tests call from; changes to sub-account keys need a master key bound to IPs).
 */
export function tradingKeyArgs(user: string, name: string): string[] {
  return [
    'keys',
    'create',
    '--user',
    user,
    '--name',
    name,
    '--passphrase',
    PASSPHRASE,
    '--perm',
    'read,trade',
    '--ip',
    '127.0.0.1',
  ];
}

/** Creates a key with {@link tradingKeyArgs} on a data directory; its credentials. */
export async function createTradingKey(data: string, user: string, name: string): Promise<Credentials> {
  const k = await cliJson<{ apiKey: string; secretKey: string }>(tradingKeyArgs(user, name), data);
  return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
}

export interface RunningServer {
  url: string;
  logs: () => string;
  stop: () => Promise<void>;
  /** Sends a signal (e.g. SIGKILL to simulate a crash) and waits for the exit. */
  kill: (signal: NodeJS.Signals) => Promise<void>;
  /** Sends a signal without waiting. */
  signal: (signal: NodeJS.Signals) => void;
  /** The process's exit code once it has exited (null: ended by a signal). */
  exitCode: Promise<number | null>;
}

/** Starts `signet serve` (src/cli/bin.ts) as its own process on a free port. */
export function startServer(data: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, [...CLI_ARGS, 'serve', '--port', '0', '--data', data], {
    env: { ...process.env, SIGNET_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exitCode = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const exited = exitCode.then(() => undefined);
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /signet listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        resolve({
          url: m[1],
          logs: () => out,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
          kill: async (signal) => {
            child.kill(signal);
            await exited;
          },
          signal: (signal) => {
            child.kill(signal);
          },
          exitCode,
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks `probe` until it answers `want` (key changes reach the server within ~1 s), or gives its last
 * answer after `ms`, for an assertion to show.
 */
export async function answerWithin(probe: () => Promise<string>, want: string, ms = 5000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got === want || Date.now() > deadline) return got;
  }
}

/** Polls `probe` until it returns a value, or fails after `ms`; the elapsed time comes back too. */
export async function pollUntil<T>(
  label: string,
  probe: () => Promise<T | undefined>,
  ms = 5000,
): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - t0 };
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${label}`);
    await sleep(20);
  }
}
