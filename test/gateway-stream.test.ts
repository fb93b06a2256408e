import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { parseGatewayConfig } from '../src/http/gateway/routes-file.js';
import { openRuntime, type Runtime } from '../src/runtime.js';
import { type Credentials, PASSPHRASE, signedHeaders, tempDir } from './helpers.js';

const CHUNK = 64 * 1024;
const TOTAL = 64 * 1024 * 1024;
/** Chunk i of the streamed answer: its bytes depend on i, so a lost, doubled or reordered chunk changes the hash. */
const chunkOf = (i: number): Buffer => Buffer.alloc(CHUNK, i % 251);

/** How a response the client is reading ends: complete, cut short, or left open (30 s says so: it would hang the client for good). */
function ending(res: IncomingMessage): Promise<'ended' | 'aborted' | 'stuck'> {
  return Promise.race([
    once(res, 'end').then(() => 'ended' as const),
    once(res, 'aborted').then(() => 'aborted' as const),
    once(res, 'error').then(() => 'aborted' as const),
    sleep(30_000, 'stuck' as const, { ref: false }),
  ]);
}

/** What the streaming upstream reports about the answer it is writing. */
interface Writer {
  written: number;
  /** Resolves when the whole answer was written. */
  finished: Promise<'finished'>;
}

/**
 * The response side of the gateway under stress: answers larger than any buffer, slow clients,
 * upstreams that die or stall mid-answer. The gateway writes the upstream's answer into the
 * client's response itself (src/http/gateway/proxy.ts), so these are its own duties.
 */
describe('gateway proxy mode: streaming answers back', () => {
  let rt: Runtime;
  let app: FastifyInstance;
  let base: string;
  let reader: Credentials;
  const writers: Writer[] = [];
  /** While set, the authentication of each request waits for it (the real check, later): a key being looked up. */
  let lookup: Promise<void> | null = null;
  const asked: Array<() => void> = [];
  const serverSockets: Socket[] = [];
  const upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url === '/download') return void download(res);
    if (req.url === '/dies') {
      // Headers and a first part, then the connection drops.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(10 * CHUNK) });
      res.write(chunkOf(0), () => res.socket?.destroy());
      return;
    }
    if (req.url === '/hints') {
      // 103 Early Hints, then the answer.
      res.writeEarlyHints({ link: '</app.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('after the hints');
      return;
    }
    if (req.url === '/stalls') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(10 * CHUNK) });
      res.write(chunkOf(0));
      return; // and nothing more
    }
    // '/silent': takes the request, never answers.
  });

  /** 64 MB in 64 KB chunks, waiting for 'drain' whenever a write says the socket is full. */
  function download(res: ServerResponse): void {
    let resolveFinished: (v: 'finished') => void = () => undefined;
    const writer: Writer = { written: 0, finished: new Promise((r) => (resolveFinished = r)) };
    writers.push(writer);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-total': String(TOTAL) });
    let i = 0;
    const more = (): void => {
      while (writer.written < TOTAL) {
        const ok = res.write(chunkOf(i++));
        writer.written += CHUNK;
        if (!ok) {
          res.once('drain', more);
          return;
        }
      }
      resolveFinished('finished');
      res.end();
    };
    more();
  }

  before(async () => {
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const gateway = parseGatewayConfig(
      { responseTimeoutMs: 1500, routes: [{ prefix: '/partner/', upstream: url, perm: { GET: 'read' } }] },
      'test',
    );
    rt = await openRuntime(
      loadConfig({ SIGNET_DATA: tempDir(), SIGNET_LOG_LEVEL: 'silent', SIGNET_MARKET_MAKER: '0' }),
    );
    const { authenticator } = rt.appDeps;
    const check = authenticator.authenticate.bind(authenticator);
    authenticator.authenticate = (req, now) => {
      if (lookup === null) return check(req, now);
      for (const tell of asked.splice(0)) tell();
      return lookup.then(() => check(req, now));
    };
    app = buildApp(rt.appDeps, { gateway });
    app.server.on('connection', (socket: Socket) => serverSockets.push(socket));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const user = await rt.users.create('stream@example.com', 'long enough password', Date.now());
    const k = await rt.keys.create(
      user.id,
      { label: 'reader', passphrase: PASSPHRASE, env: 'live' },
      'cli',
      Date.now(),
    );
    reader = { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
  });
  after(async () => {
    await app.close();
    await rt.close();
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  /** A signed GET through the gateway, its response object as soon as the headers are in. */
  async function get(target: string): Promise<IncomingMessage> {
    const req = httpRequest(`${base}${target}`, { headers: signedHeaders(reader, 'GET', target, '') });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    return res;
  }

  test('64 MB to a client that stops reading: the upstream is made to wait, then every byte arrives in order', async () => {
    const res = await get('/partner/download');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-total'], String(TOTAL));
    res.pause();
    const writer = writers.at(-1) as Writer;
    // Without backpressure the gateway would take the whole answer into memory and the upstream
    // would finish writing it; with it, the upstream stops once the socket buffers between are
    // full (a few MB) and stays stopped. A stall is a second with no progress: on a busy machine
    // one may be seen early, which can only make this test pass, never fail, when the gateway is right.
    const stalled = async (): Promise<'stalled'> => {
      for (let last = -1; writer.written !== last; await sleep(1000)) last = writer.written;
      return 'stalled';
    };
    assert.equal(await Promise.race([writer.finished, stalled()]), 'stalled');
    assert.ok(writer.written < TOTAL / 2, `the upstream wrote ${writer.written} bytes while the client read none`);

    const hash = createHash('sha256');
    let length = 0;
    res.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
    });
    res.resume();
    assert.equal(await ending(res), 'ended');
    const expected = createHash('sha256');
    for (let i = 0; i < TOTAL / CHUNK; i++) expected.update(chunkOf(i));
    assert.equal(length, TOTAL);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
  });

  test('an upstream that dies mid-answer cuts the client response short: never a complete-looking answer', async () => {
    const res = await get('/partner/dies');
    assert.equal(res.statusCode, 200);
    let length = 0;
    res.on('data', (chunk: Buffer) => {
      length += chunk.length;
    });
    assert.equal(await ending(res), 'aborted');
    assert.ok(length < 10 * CHUNK);
  });

  test('a client that leaves while its key is being looked up: nothing is forwarded, nothing held', async () => {
    let release = () => {};
    lookup = new Promise<void>((r) => {
      release = r;
    });
    const checking = new Promise<void>((r) => asked.push(r));
    const before = writers.length;
    const target = '/partner/download';
    const req = httpRequest(`${base}${target}`, { headers: signedHeaders(reader, 'GET', target, '') });
    req.on('error', () => undefined);
    req.end();
    await checking;
    const server = serverSockets.at(-1) as Socket;
    const closed = once(server, 'close');
    req.destroy();
    await closed;
    lookup = null;
    release();
    // The check ends after the client's connection closed: forwarding then would start a 64 MB
    // answer nobody reads, holding an upstream connection. The next request shows the gateway free.
    const res = await get('/partner/hints');
    assert.equal(Buffer.concat(await res.toArray()).toString(), 'after the hints');
    assert.equal(writers.length, before);
  });

  test('an informational 103 before the answer is not relayed: the client gets the answer itself', async () => {
    const res = await get('/partner/hints');
    assert.equal(res.statusCode, 200);
    assert.equal(Buffer.concat(await res.toArray()).toString(), 'after the hints');
  });

  test('no headers within responseTimeoutMs: 50004 in the envelope; a body that stalls is cut short', async () => {
    const silent = await get('/partner/silent');
    const body = Buffer.concat(await silent.toArray()).toString();
    assert.equal(silent.statusCode, 400); // OKX answers 50004 with HTTP 400 (src/core/errors.ts)
    assert.equal((JSON.parse(body) as { code: string }).code, '50004');

    const stalls = await get('/partner/stalls');
    assert.equal(stalls.statusCode, 200);
    stalls.resume();
    assert.equal(await ending(stalls), 'aborted');
  });
});
