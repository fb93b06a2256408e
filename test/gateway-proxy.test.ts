import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { RestClient } from 'okx-api';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { parseGatewayConfig } from '../src/http/gateway/routes-file.js';
import { openRuntime, type Runtime } from '../src/runtime.js';
import { startUpstream } from './gateway-upstream.js';
import { type Credentials, PASSPHRASE, signedHeaders, tempDir } from './helpers.js';

interface Envelope {
  code: string;
  msg: string;
  data: Array<Record<string, unknown>>;
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('gateway proxy mode: authenticated forwarding to a real upstream', () => {
  let rt: Runtime;
  let app: FastifyInstance;
  let base: string;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let userId: number;
  let reader: Credentials;
  let trader: Credentials;
  let uid: string;
  let held: HttpServer;
  const signal = () => {
    let resolve = () => {};
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    return { promise, resolve: () => resolve() };
  };
  const heldReq = signal();
  const heldClose = signal();

  const newKey = async (label: string, opts: { perm?: string; ip?: string } = {}): Promise<Credentials> => {
    const k = await rt.keys.create(
      userId,
      { label, passphrase: PASSPHRASE, perm: opts.perm, ip: opts.ip, env: 'live' },
      'cli',
      Date.now(),
    );
    return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
  };

  const call = async (
    c: Credentials,
    method: string,
    target: string,
    body = '',
    extra: Record<string, string> = {},
  ): Promise<{ status: number; json: Envelope; headers: Headers }> => {
    const res = await fetch(`${base}${target}`, {
      method,
      headers: { ...signedHeaders(c, method, target, body), ...extra },
      ...(body === '' ? {} : { body }),
    });
    return { status: res.status, json: (await res.json()) as Envelope, headers: res.headers };
  };

  before(async () => {
    upstream = await startUpstream();
    const down = await closedPort();
    // An upstream that takes each request and never answers, telling when the request goes away.
    held = createHttpServer((req) => {
      heldReq.resolve();
      req.socket.once('close', () => heldClose.resolve());
    });
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
    const heldUrl = `http://127.0.0.1:${(held.address() as AddressInfo).port}`;
    const gateway = parseGatewayConfig(
      {
        bodyLimit: 8 * 1024 * 1024,
        // Long enough that only the client's leaving can end the held request within the test.
        responseTimeoutMs: 120_000,
        routes: [
          { prefix: '/held/', upstream: heldUrl, perm: { GET: 'read' } },
          { prefix: '/partner/', upstream: upstream.url, perm: { GET: 'read', POST: 'trade', DELETE: 'trade' } },
          { prefix: '/kept/', upstream: upstream.url, rewritePrefix: '/kept/', perm: { GET: 'read' } },
          { prefix: '/down/', upstream: `http://127.0.0.1:${down}`, perm: { GET: 'read' } },
        ],
      },
      'test',
    );
    const config = loadConfig({
      SIGNET_DATA: tempDir(),
      SIGNET_LOG_LEVEL: 'silent',
      SIGNET_MARKET_MAKER: '0',
      SIGNET_AUTH_FAILS_PER_IP: '1000',
      SIGNET_AUTH_FAILS_PER_KEY: '1000',
    });
    rt = await openRuntime(config);
    // The key cache's sync and the usage flush run as under `signet serve`.
    await rt.startBackground(() => undefined);
    app = buildApp(rt.appDeps, { gateway });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const user = await rt.users.create('gateway@example.com', 'long enough password', Date.now());
    userId = user.id;
    uid = user.uid;
    reader = await newKey('reader');
    trader = await newKey('trader', { perm: 'trade' });
  });
  after(async () => {
    await app.close();
    await rt.close();
    await upstream.close();
    held.closeAllConnections();
    await new Promise<void>((r) => held.close(() => r()));
  });

  test('a signed GET reaches the upstream with the identity headers, never OK-ACCESS-* or a forged x-signet-*', async () => {
    const before = upstream.seen.length;
    const r = await call(reader, 'GET', '/partner/orders?instId=BTC-USDT&limit=2', '', {
      'x-signet-uid': 'forged',
      'X-Signet-Perm': 'read_only,trade,withdraw',
      'x-signet-anything': 'forged',
      'x-forwarded-for': '198.51.100.7',
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-upstream'), 'yes');
    assert.equal(upstream.seen.length, before + 1);
    const seen = upstream.seen.at(-1);
    assert.ok(seen !== undefined);
    assert.equal(seen.url, '/orders?instId=BTC-USDT&limit=2');
    assert.equal(seen.headers['x-signet-uid'], uid);
    assert.equal(seen.headers['x-signet-api-key'], reader.apiKey);
    assert.equal(seen.headers['x-signet-perm'], 'read_only');
    assert.equal(seen.headers['x-signet-label'], 'reader');
    assert.equal(seen.headers['x-signet-env'], 'live');
    assert.equal(seen.headers['x-signet-anything'], undefined);
    // No trusted proxy configured: the client's own X-Forwarded-For is not believed.
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    for (const name of Object.keys(seen.headers)) assert.ok(!name.startsWith('ok-access-'), name);
  });

  test('rewritePrefix keeps the path; okx-api signs GET and POST as OKX clients do', async () => {
    const r = await call(reader, 'GET', '/kept/a/b');
    assert.equal(r.status, 200);
    assert.equal(upstream.seen.at(-1)?.url, '/kept/a/b');

    const client = new RestClient({
      apiKey: trader.apiKey,
      apiSecret: trader.secretKey,
      apiPass: PASSPHRASE,
      baseUrl: base,
    });
    const got = (await client.getPrivate('/partner/positions', { instType: 'SWAP' })) as Array<{ url: string }>;
    assert.equal(got[0]?.url, '/positions?instType=SWAP');
    const posted = (await client.postPrivate('/partner/orders', { instId: 'BTC-USDT', sz: '1' })) as Array<{
      method: string;
      bodyLength: number;
    }>;
    assert.equal(posted[0]?.method, 'POST');
    assert.equal(upstream.seen.at(-1)?.headers['x-signet-perm'], 'read_only,trade');
    // okx-api adds its broker tag to every POST body: what it signed is what arrived, byte for byte.
    assert.ok((posted[0]?.bodyLength ?? 0) > 0);
    assert.equal(posted[0]?.bodyLength, upstream.seen.at(-1)?.bodyLength);
  });

  test('the query string reaches the upstream byte for byte as the client sent (and signed) it', async () => {
    // Sent with node:http and a path, which go on the wire as given (fetch or a URL would normalise them).
    const raw = (target: string, headers: Record<string, string>): Promise<number> =>
      new Promise((resolve, reject) => {
        const { hostname, port } = new URL(base);
        const req = httpRequest({ host: hostname, port, path: target, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    const targets = [
      '/partner/q?a=%2C&b=x%20y&c=x+y',
      '/partner/q?a=,&a=%2c&a=%2C',
      '/partner/q?flag&empty=&empty=&tilde=%7e&tilde=~&euro=%E2%82%AC&euro=%e2%82%ac',
      "/partner/q?list=[1,2]&quote='x'&bar=a|b&star=*&semi=a;b&slash=a/b?c",
      '/partner/q/p%2Fq;m=1?',
    ];
    for (const target of targets) {
      const status = await raw(target, signedHeaders(reader, 'GET', target));
      assert.equal(status, 200, target);
      assert.equal(upstream.seen.at(-1)?.url, target.slice('/partner'.length), target);
    }
  });

  test('the permission of each method: read may GET, not POST or DELETE; an unlisted method is refused', async () => {
    const before = upstream.seen.length;
    const post = await call(reader, 'POST', '/partner/orders', '{"sz":"1"}');
    assert.equal(post.json.code, '50120');
    const del = await call(reader, 'DELETE', '/partner/orders/1');
    assert.equal(del.json.code, '50120');
    const put = await call(trader, 'PUT', '/partner/orders/1', '{}');
    assert.equal(put.status, 405);
    assert.equal(put.json.code, '50115');
    assert.equal(upstream.seen.length, before, 'no refused request reaches the upstream');
    const ok = await call(trader, 'DELETE', '/partner/orders/1');
    assert.equal(ok.status, 200);
    assert.equal(upstream.seen.length, before + 1);
  });

  test('rejections answer the OKX envelope and never reach the upstream', async () => {
    const before = upstream.seen.length;
    const target = '/partner/orders';
    const badSign = await fetch(`${base}${target}`, {
      headers: { ...signedHeaders(reader, 'GET', '/partner/other'), 'content-type': 'application/json' },
    });
    assert.equal(badSign.status, 401);
    assert.equal(((await badSign.json()) as Envelope).code, '50113');
    const noKey = await fetch(`${base}${target}`);
    assert.equal(((await noKey.json()) as Envelope).code, '50103');
    const wrongPass = await call({ ...reader, passphrase: 'Wrong-pass1' }, 'GET', target);
    assert.equal(wrongPass.json.code, '50105');
    const old = await fetch(`${base}${target}`, {
      headers: signedHeaders(reader, 'GET', target, '', { timestamp: new Date(Date.now() - 120_000).toISOString() }),
    });
    assert.equal(((await old.json()) as Envelope).code, '50102');
    // The body is signed too: a body changed after signing is refused.
    const tampered = await fetch(`${base}/partner/orders`, {
      method: 'POST',
      headers: signedHeaders(trader, 'POST', '/partner/orders', '{"sz":"1"}'),
      body: '{"sz":"9"}',
    });
    assert.equal(((await tampered.json()) as Envelope).code, '50113');
    assert.equal(upstream.seen.length, before);
  });

  test('the IP whitelist: a key bound elsewhere is refused (50110), one bound to the client passes', async () => {
    const elsewhere = await newKey('elsewhere', { ip: '203.0.113.9' });
    const r = await call(elsewhere, 'GET', '/partner/x');
    assert.equal(r.json.code, '50110');
    assert.match(r.json.msg, /127\.0\.0\.1/);
    const here = await newKey('here', { ip: '127.0.0.1' });
    assert.equal((await call(here, 'GET', '/partner/x')).status, 200);
  });

  test('a deleted key is refused within 1 s, and a use counts as the key last used', async () => {
    const k = await newKey('short-lived');
    assert.equal((await call(k, 'GET', '/partner/x')).status, 200);
    await rt.usage.flush();
    const listed = (await rt.keys.list(userId)).find((v) => v.apiKey === k.apiKey);
    assert.notEqual(listed?.lastUsedAt ?? null, null);
    await rt.keys.remove(userId, k.apiKey, 'cli', Date.now());
    const deletedAt = Date.now();
    // Asked again until refused (the key cache learns of the deletion from the store's change feed).
    let code = '0';
    while (code !== '50111' && Date.now() - deletedAt < 5000) {
      code = (await call(k, 'GET', '/partner/x')).json.code;
    }
    assert.equal(code, '50111');
    assert.ok(Date.now() - deletedAt < 1000, `refused after ${Date.now() - deletedAt} ms`);
  });

  test('a 5 MB body arrives intact (signed over every byte); one past the limit is refused with 50008', async () => {
    const body = randomBytes((5 * 1024 * 1024) / 2).toString('hex');
    const r = await call(trader, 'POST', '/partner/upload', body, { 'content-type': 'text/plain' });
    assert.equal(r.status, 200);
    const seen = upstream.seen.at(-1);
    assert.equal(seen?.bodyLength, body.length);
    assert.equal(seen?.bodySha256, createHash('sha256').update(body).digest('hex'));
    assert.equal(seen?.headers['content-type'], 'text/plain');

    const before = upstream.seen.length;
    const big = 'x'.repeat(9 * 1024 * 1024);
    const refused = await call(trader, 'POST', '/partner/upload', big, { 'content-type': 'text/plain' });
    assert.equal(refused.status, 413);
    assert.equal(refused.json.code, '50008');
    assert.equal(upstream.seen.length, before);
  });

  test('an upstream that is down answers 50001 at once, in the envelope', async () => {
    const r = await call(reader, 'GET', '/down/anything');
    assert.equal(r.status, 503);
    assert.equal(r.json.code, '50001');
    assert.equal(r.json.data.length, 0);
  });

  test('a client that leaves before the upstream answers cancels the upstream request', async () => {
    const target = '/held/slow';
    const req = httpRequest(`${base}${target}`, { headers: signedHeaders(reader, 'GET', target, '') });
    req.on('error', () => undefined);
    req.end();
    await heldReq.promise;
    req.destroy();
    // Without the cancel, undici would hold the upstream request until responseTimeoutMs (120 s).
    const stuck = sleep(60_000, 'stuck', { ref: false });
    assert.equal(await Promise.race([heldClose.promise.then(() => 'closed'), stuck]), 'closed');
  });

  test('signet answers its own routes as before beside the gateway', async () => {
    const res = await fetch(`${base}/api/v5/public/time`);
    assert.equal(res.status, 200);
  });
});
