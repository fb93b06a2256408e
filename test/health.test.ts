import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { cliJson, cliOk, type Envelope, PASSPHRASE, signedHeaders, startServer, tempDir, testApp } from './helpers.js';
import { freshSchemaUrl, PG_URL, postgresUnavailable } from './pg.js';

/**
 * The load balancer's probes (/healthz, /readyz) on SQLite and on PostgreSQL going away and
 * coming back (through a TCP proxy this test cuts: the shared server keeps running), and the
 * clean stop of `signet serve` on SIGTERM.
 */

const pgSkip = await postgresUnavailable();

/** A TCP proxy in front of PostgreSQL that can be cut (listener closed, connections dropped) and restored on the same port. */
class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
    const address = server.address();
    if (typeof address === 'object' && address !== null) this.port = address.port;
    this.server = server;
  }

  /** The database "goes away": no new connections, the open ones dropped. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

async function probe(
  app: { inject: (o: { method: 'GET'; url: string }) => Promise<{ statusCode: number; json: <T>() => T }> },
  url: string,
) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json<{ status: string; reason?: string }>() };
}

describe('/healthz and /readyz', () => {
  test('SQLite: alive and ready; not ready once stopping', async () => {
    const { app, rt, close } = await testApp({ SIGNET_MARKET_MAKER: '0' });
    try {
      assert.deepEqual(await probe(app, '/healthz'), { status: 200, body: { status: 'ok' } });
      assert.deepEqual(await probe(app, '/readyz'), { status: 200, body: { status: 'ready' } });
      rt.health.stop();
      assert.deepEqual(await probe(app, '/readyz'), {
        status: 503,
        body: { status: 'not ready', reason: 'shutting down' },
      });
      assert.deepEqual(await probe(app, '/healthz'), { status: 200, body: { status: 'ok' } }, 'still alive');
    } finally {
      await close();
    }
  });

  test('PostgreSQL: not ready while the database is unreachable, ready again when it returns', {
    skip: pgSkip ?? false,
  }, async () => {
    const target = new URL(PG_URL);
    const proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const url = new URL(await freshSchemaUrl('signet_health'));
    url.host = `127.0.0.1:${proxy.port}`;
    const { app, close } = await testApp({
      DATABASE_URL: url.toString(),
      SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
      SIGNET_MARKET_MAKER: '0',
    });
    try {
      assert.deepEqual(await probe(app, '/readyz'), { status: 200, body: { status: 'ready' } });
      await proxy.cut();
      assert.deepEqual(await probe(app, '/readyz'), {
        status: 503,
        body: { status: 'not ready', reason: 'database unreachable' },
      });
      assert.equal((await probe(app, '/healthz')).status, 200, 'the process is still alive');
      await proxy.start();
      // The pool may first hand out a connection that died with the cut; a new one follows.
      let ready = await probe(app, '/readyz');
      for (let tries = 0; ready.status !== 200 && tries < 5; tries++) ready = await probe(app, '/readyz');
      assert.deepEqual(ready, { status: 200, body: { status: 'ready' } });
    } finally {
      await close().catch(() => undefined);
      await proxy.cut();
    }
  });
});

describe('clean stop (SIGTERM)', () => {
  const PASSWORD = 'a long enough password';

  test('readiness false at once, the request in flight answered, WebSockets closed with 1001, exit 0', async () => {
    const data = tempDir();
    await cliOk(['user', 'create', '--email', 'stop@example.com', '--password', PASSWORD], data);
    const k = await cliJson<{ apiKey: string; secretKey: string }>(
      [
        'keys',
        'create',
        '--user',
        'stop@example.com',
        '--name',
        'stop',
        '--passphrase',
        PASSPHRASE,
        '--perm',
        'read,trade',
      ],
      data,
    );
    await cliOk(['deposit', '--user', 'stop@example.com', '--ccy', 'USDT', '--amt', '1000'], data);
    // A drain long enough for the probe below to see the 503 before the server closes.
    const server = await startServer(data, { SIGNET_MARKET_MAKER: '0', SIGNET_DRAIN_MS: '5000' });
    const { hostname, port } = new URL(server.url);

    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws/v5/public`);
    const messages: string[] = [];
    ws.on('message', (m) => messages.push(String(m)));
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });

    // A signed order whose body is still arriving when the signal comes.
    const body = JSON.stringify({
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '100',
      sz: '1',
    });
    const headers = signedHeaders({ ...k, passphrase: PASSPHRASE }, 'POST', '/api/v5/trade/order', body);
    const raw = connect(Number(port), hostname);
    let answer = '';
    raw.on('data', (d: Buffer) => {
      answer += d.toString();
    });
    const answered = new Promise<void>((resolve) => raw.once('end', () => resolve()));
    const head = Object.entries({
      ...headers,
      host: `${hostname}:${port}`,
      'content-length': String(body.length),
      connection: 'close',
    })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    await new Promise<void>((resolve) =>
      raw.write(`POST /api/v5/trade/order HTTP/1.1\r\n${head}\r\n${body.slice(0, 10)}`, () => resolve()),
    );

    server.signal('SIGTERM');
    // Readiness turns false at once; the process keeps answering during the drain.
    let readyz = await fetch(`${server.url}/readyz`);
    while (readyz.status === 200) readyz = await fetch(`${server.url}/readyz`);
    assert.equal(readyz.status, 503);
    assert.deepEqual(await readyz.json(), { status: 'not ready', reason: 'shutting down' });
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

    raw.write(body.slice(10));
    await answered;
    assert.match(answer, /^HTTP\/1\.1 200 /);
    const envelope = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Envelope;
    assert.equal(envelope.code, '0', answer);

    assert.equal(await wsClosed, 1001);
    assert.ok(
      messages.some((m) => (JSON.parse(m) as { event?: string; code?: string }).code === '64008'),
      messages.join('\n'),
    );
    assert.equal(await server.exitCode, 0, server.logs());
  });

  test('a second signal forces the exit', async () => {
    const server = await startServer(tempDir(), { SIGNET_MARKET_MAKER: '0', SIGNET_DRAIN_MS: '600000' });
    server.signal('SIGTERM');
    let readyz = await fetch(`${server.url}/readyz`);
    while (readyz.status === 200) readyz = await fetch(`${server.url}/readyz`);
    server.signal('SIGTERM');
    assert.equal(await server.exitCode, 1);
    assert.match(server.logs(), /SIGTERM again: exiting without waiting/);
  });
});

after(async () => {
  const { dropSchemas } = await import('./pg.js');
  await dropSchemas();
});
