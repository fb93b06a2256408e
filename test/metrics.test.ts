import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import {
  type Credentials,
  cliJson,
  cliOk,
  type Envelope,
  PASSPHRASE,
  type RunningServer,
  signedCall,
  signedHeaders,
  startServer,
  tempDir,
  testApp,
} from './helpers.js';

/**
 * GET /metrics of `signet serve` in its own process (SIGNET_METRICS=1): real signed traffic, a
 * bad signature, a trade between two accounts, a WebSocket and a WebSocket login with a wrong
 * signature moved the counters by what they did.
 */

const PASSWORD = 'a long enough password';

/** One sample of the text format: metric name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus' text exposition format (what prom-client writes): comments skipped. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m !== null, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, '$1');
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the sample with this name and (at least) these labels; 0 when absent. */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found?.value ?? 0;
}

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return parseMetrics(await res.text());
}

async function newKey(data: string, email: string, name: string): Promise<Credentials> {
  const k = await cliJson<{ apiKey: string; secretKey: string }>(
    [
      'keys',
      'create',
      '--user',
      email,
      '--name',
      name,
      '--passphrase',
      PASSPHRASE,
      '--perm',
      'read,trade',
      '--ip',
      '127.0.0.1',
    ],
    data,
  );
  return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
}

describe('GET /metrics after real traffic (SIGNET_METRICS=1)', () => {
  const data = tempDir();
  let server: RunningServer;
  let maker: Credentials;
  let taker: Credentials;

  before(async () => {
    for (const email of ['maker@example.com', 'taker@example.com'])
      await cliOk(['user', 'create', '--email', email, '--password', PASSWORD], data);
    maker = await newKey(data, 'maker@example.com', 'maker');
    taker = await newKey(data, 'taker@example.com', 'taker');
    await cliOk(['deposit', '--user', 'maker@example.com', '--ccy', 'BTC', '--amt', '1'], data);
    await cliOk(['deposit', '--user', 'taker@example.com', '--ccy', 'USDT', '--amt', '100000'], data);
    server = await startServer(data, { SIGNET_METRICS: '1', SIGNET_MARKET_MAKER: '0' });
  });
  after(() => server.stop());

  test('requests by route and status, rejections by code, orders, fills, WebSockets, key cache, latency', async () => {
    const before = await scrape(server.url);
    const balance = { route: '/api/v5/account/balance', method: 'GET' };
    const order = { route: '/api/v5/trade/order', method: 'POST' };

    assert.equal((await signedCall(server.url, maker, 'GET', '/api/v5/account/balance')).code, '0');
    const sell = { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '50000', sz: '0.1' };
    assert.equal((await signedCall(server.url, maker, 'POST', '/api/v5/trade/order', sell)).code, '0');
    const buy = { ...sell, side: 'buy' };
    assert.equal((await signedCall(server.url, taker, 'POST', '/api/v5/trade/order', buy)).code, '0');
    // A bad signature: the right key and passphrase, signed with another secret.
    const forged = signedHeaders({ ...maker, secretKey: taker.secretKey }, 'GET', '/api/v5/account/balance');
    const refused = await fetch(`${server.url}/api/v5/account/balance?ccy=BTC`, { headers: forged });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as Envelope).code, '50113');

    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws/v5/public`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const open = await scrape(server.url);
    assert.equal(sampleValue(open, 'signet_ws_connections') - sampleValue(before, 'signet_ws_connections'), 1);
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'done');
    });
    // The server counts the drop when its side of the close is done: scrape until it has.
    let now = await scrape(server.url);
    while (sampleValue(now, 'signet_ws_connections') !== sampleValue(before, 'signet_ws_connections'))
      now = await scrape(server.url);

    const delta = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(now, name, labels) - sampleValue(before, name, labels);
    assert.equal(delta('signet_http_requests_total', { ...balance, status: '200' }), 1);
    assert.equal(delta('signet_http_requests_total', { ...balance, status: '401' }), 1);
    assert.equal(delta('signet_http_requests_total', { ...order, status: '200' }), 2);
    assert.equal(delta('signet_auth_rejections_total', { code: '50113' }), 1);
    assert.equal(delta('signet_orders_placed_total'), 2);
    assert.equal(delta('signet_fills_total'), 2, 'one trade: a maker side and a taker side');
    assert.equal(delta('signet_ws_disconnects_total', { code: '1000' }), 1);
    assert.equal(delta('signet_http_request_duration_seconds_count', balance), 2);
    const inf = sampleValue(now, 'signet_http_request_duration_seconds_bucket', { ...balance, le: '+Inf' });
    assert.equal(inf, sampleValue(now, 'signet_http_request_duration_seconds_count', balance));
    assert.ok(sampleValue(now, 'signet_http_request_duration_seconds_sum', balance) > 0);
    // Four signed requests (one forged): each a key lookup, the first per key a miss.
    assert.equal(delta('signet_key_cache_hits_total') + delta('signet_key_cache_misses_total'), 4);
    assert.ok(sampleValue(now, 'signet_key_cache_size') >= 2);
    assert.ok(sampleValue(now, 'signet_sweeper_runs_total') >= 1, 'the sweep at start-up ran');
    // Route patterns only: no raw URL (the query string) in any label.
    const routes = now.filter((s) => s.name === 'signet_http_requests_total').map((s) => s.labels.route ?? '');
    assert.ok(
      routes.every((r) => !r.includes('?')),
      routes.join(', '),
    );
    assert.ok(sampleValue(now, 'signet_process_cpu_seconds_total') > 0, 'process metrics');
  });

  test('a WebSocket login with a wrong signature counts once under its OKX code', async () => {
    const before = await scrape(server.url);
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws/v5/private`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const answer = new Promise<{ event?: string; code?: string }>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as { event?: string; code?: string })),
    );
    // The right key and passphrase, signed with another key's secret.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const sign = createHmac('sha256', taker.secretKey).update(`${timestamp}GET/users/self/verify`).digest('base64');
    ws.send(JSON.stringify({ op: 'login', args: [{ apiKey: maker.apiKey, passphrase: PASSPHRASE, timestamp, sign }] }));
    const refused = await answer;
    assert.equal(refused.event, 'error');
    assert.equal(refused.code, '60007', 'Invalid sign');
    assert.equal(await closed, 4001);
    // The login is counted before its answer is sent; the close is counted when the server's side is done.
    let now = await scrape(server.url);
    while (sampleValue(now, 'signet_ws_connections') !== sampleValue(before, 'signet_ws_connections'))
      now = await scrape(server.url);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(now, name, labels) - sampleValue(before, name, labels);
    assert.equal(delta('signet_ws_login_rejections_total', { code: '60007' }), 1);
    const all = (samples: Sample[]) =>
      samples.filter((s) => s.name === 'signet_ws_login_rejections_total').reduce((sum, s) => sum + s.value, 0);
    assert.equal(all(now) - all(before), 1, 'no other code moved');
    assert.equal(delta('signet_ws_disconnects_total', { code: '4001' }), 1);
  });
});

describe('where /metrics is served', () => {
  test('off by default: /metrics answers 404 on the API port', async () => {
    const { app, close } = await testApp({ SIGNET_MARKET_MAKER: '0' });
    try {
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 404);
    } finally {
      await close();
    }
  });

  test('SIGNET_METRICS_PORT: on its own port, 404 on the API port', async () => {
    const server = await startServer(tempDir(), { SIGNET_METRICS_PORT: '0', SIGNET_MARKET_MAKER: '0' });
    try {
      const m = /metrics on (http:\/\/\S+)\/metrics/.exec(server.logs());
      assert.ok(m?.[1] !== undefined, server.logs());
      const own = m[1];
      assert.notEqual(own, server.url);
      assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the probes stay on the API port');
      const samples = await scrape(own);
      assert.ok(samples.some((s) => s.name === 'signet_http_requests_total'));
      assert.equal((await fetch(`${own}/other`)).status, 404);
    } finally {
      await server.stop();
    }
  });
});
