import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/main.js';
import { openRuntime, type Runtime } from '../src/runtime.js';
import { sleep, tempDir } from './helpers.js';

/** Every test fails rather than hangs when the server never closes a connection. */
const LIMIT = { timeout: 15_000 };
const REQUEST_TIMEOUT_MS = 600;
const PER_IP = 3;

/** A raw TCP connection to the server and everything it answered until it closed. */
interface Raw {
  socket: Socket;
  received: () => string;
  /** Resolves when the server (or the network) closed the connection. */
  closed: Promise<void>;
}

function open(port: number): Promise<Raw> {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
  });
  // A refused connection may end in ECONNRESET: that is a close like any other here.
  socket.on('error', () => undefined);
  const closed = once(socket, 'close').then(() => undefined);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** Sends a keep-alive GET and waits for its whole answer: the server has certainly accepted and counted the connection. */
async function getTime(raw: Raw): Promise<string> {
  const before = raw.received().length;
  raw.socket.write('GET /api/v5/public/time HTTP/1.1\r\nHost: x\r\n\r\n');
  const deadline = Date.now() + 5000;
  while (!/\r\n\r\n\{.*\}$/s.test(raw.received().slice(before))) {
    if (raw.socket.destroyed) throw new Error(`connection closed; received: ${raw.received()}`);
    if (Date.now() > deadline) throw new Error(`no answer; received: ${raw.received()}`);
    await sleep(10);
  }
  return raw.received().slice(before);
}

/** HTTP timeouts and the per-IP connection cap of a listening server (buildServer, as `signet serve` runs it). */
describe('HTTP transport limits', () => {
  let rt: Runtime;
  let app: FastifyInstance;
  let port: number;

  before(async () => {
    const config = loadConfig({
      SIGNET_DATA: tempDir(),
      SIGNET_LOG_LEVEL: 'silent',
      SIGNET_MARKET_MAKER: '0',
      SIGNET_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      SIGNET_HTTP_HEADERS_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      SIGNET_HTTP_CONNECTIONS_PER_IP: String(PER_IP),
      SIGNET_WS_IDLE_MS: '20000',
    });
    rt = await openRuntime(config);
    app = buildServer(rt.appDeps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    port = address.port;
  });
  after(async () => {
    await app.close();
    await rt.close();
  });

  test('a body sent a byte at a time is cut off after the request timeout, with a 408 envelope', LIMIT, async () => {
    const raw = await open(port);
    const started = Date.now();
    raw.socket.write(
      'POST /api/v5/trade/order HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const drip = setInterval(() => {
      if (!raw.socket.destroyed) raw.socket.write(' ');
    }, 100);
    try {
      await raw.closed;
    } finally {
      clearInterval(drip);
    }
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= REQUEST_TIMEOUT_MS - 50, `closed after ${elapsed} ms, before the timeout`);
    assert.match(raw.received(), /^HTTP\/1\.1 408 /);
    const body = JSON.parse(raw.received().slice(raw.received().indexOf('\r\n\r\n') + 4)) as unknown;
    assert.deepEqual(body, { code: '400', msg: 'Bad Request', data: [] });
  });

  test('headers that never end are cut off too', LIMIT, async () => {
    const raw = await open(port);
    raw.socket.write('GET /api/v5/public/time HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => {
      if (!raw.socket.destroyed) raw.socket.write('X-A: b\r\n');
    }, 100);
    try {
      await raw.closed;
    } finally {
      clearInterval(drip);
    }
    assert.match(raw.received(), /^HTTP\/1\.1 408 /);
  });

  test(
    `one client IP holds at most ${PER_IP} connections; the next is closed, and accepted again once one ends`,
    LIMIT,
    async () => {
      const held = await Promise.all(Array.from({ length: PER_IP }, () => open(port)));
      for (const raw of held) assert.match(await getTime(raw), /^HTTP\/1\.1 200 /);
      const extra = await open(port);
      extra.socket.write('GET /api/v5/public/time HTTP/1.1\r\nHost: x\r\n\r\n');
      await extra.closed;
      assert.equal(extra.received(), '', 'the refused connection was answered');

      const [first] = held;
      assert.ok(first !== undefined);
      first.socket.destroy();
      await first.closed;
      // The server sees the close a moment after the client: retried until it has.
      let again: Raw | null = null;
      for (let i = 0; i < 100 && again === null; i++) {
        const raw = await open(port);
        try {
          assert.match(await getTime(raw), /^HTTP\/1\.1 200 /);
          again = raw;
        } catch {
          await sleep(20);
        }
      }
      assert.ok(again !== null, 'a connection was refused after one of the held ones ended');
      for (const raw of [...held.slice(1), again]) raw.socket.destroy();
    },
  );

  /** Waits until the server has seen every earlier connection close (they count against the cap until then). */
  const noConnections = async () => {
    for (let i = 0; i < 250; i++) {
      const n = await new Promise<number>((resolve, reject) =>
        app.server.getConnections((err, count) => (err === null ? resolve(count) : reject(err))),
      );
      if (n === 0) return;
      await sleep(20);
    }
    throw new Error('earlier connections still open');
  };

  test(
    'WebSocket connections leave the HTTP count: more of them than the HTTP cap, and REST still answers',
    LIMIT,
    async () => {
      await noConnections();
      const sockets: WebSocket[] = [];
      try {
        // One after the other: a handshake under way is still an HTTP connection.
        for (let i = 0; i <= PER_IP; i++) {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/v5/public`);
          sockets.push(ws);
          await once(ws, 'open');
        }
        const raw = await open(port);
        assert.match(await getTime(raw), /^HTTP\/1\.1 200 /);
        raw.socket.destroy();
      } finally {
        for (const ws of sockets) ws.terminate();
      }
    },
  );

  test(
    'an idle WebSocket connection outlives the HTTP request timeout (it obeys the WebSocket idle limit only)',
    LIMIT,
    async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/v5/public`);
      let closedAt: number | null = null;
      ws.on('close', () => {
        closedAt = Date.now();
      });
      await once(ws, 'open');
      // Several request timeouts and connection checks, well under SIGNET_WS_IDLE_MS.
      await sleep(REQUEST_TIMEOUT_MS * 4);
      assert.equal(closedAt, null, 'the WebSocket connection was closed');
      ws.send('ping');
      const [pong] = (await once(ws, 'message')) as [Buffer];
      assert.equal(pong.toString(), 'pong');
      ws.close();
      await once(ws, 'close');
    },
  );
});
