import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { cliOk, type RunningServer, startServer, tempDir } from './helpers.js';

/** Bytes a load balancer or a broken client may send: never a 5xx, always an OKX envelope. */
let server: RunningServer;
before(async () => {
  const data = tempDir();
  await cliOk(['user', 'create', '--email', 'raw@example.com', '--password', 'a long enough password'], data);
  server = await startServer(data);
});
after(() => server.stop());

function raw(request: string): Promise<string> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(request));
    let out = '';
    socket.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

function parse(response: string): { status: number; body: { code: string; msg: string; data: unknown[] } } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
  const body = response.slice(response.indexOf('\r\n\r\n') + 4);
  return { status, body: JSON.parse(body) as { code: string; msg: string; data: unknown[] } };
}

test('a malformed request line or header gets a 400 OKX envelope', async () => {
  for (const request of [
    'GARBAGE\r\n\r\n',
    'GET /api/v5/public/time HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    'GET /api/v5/public/time HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  ]) {
    const { status, body } = parse(await raw(request));
    assert.equal(status, 400, request);
    assert.deepEqual(body, { code: '400', msg: 'Bad Request', data: [] });
  }
});

test('oversized headers get 431 with an OKX envelope', async () => {
  const { status, body } = parse(
    await raw(`GET /api/v5/public/time HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
  );
  assert.equal(status, 431);
  assert.equal(body.code, '400');
});

test('a POST whose declared length exceeds the limit gets 413 / 50008 before the body arrives', async () => {
  const { status, body } = parse(
    await raw(
      'POST /api/v5/account/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\nConnection: close\r\n\r\n{',
    ),
  );
  assert.equal(status, 413);
  assert.equal(body.code, '50008');
});

test('public endpoints ignore stale auth headers (okx-api sends them after a private call)', async () => {
  const res = await fetch(`${server.url}/api/v5/public/time`, {
    headers: {
      'OK-ACCESS-KEY': 'stale',
      'OK-ACCESS-SIGN': 'stale',
      'OK-ACCESS-TIMESTAMP': '2000-01-01T00:00:00.000Z',
      'OK-ACCESS-PASSPHRASE': 'x',
    },
  });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { code: string }).code, '0');
});
