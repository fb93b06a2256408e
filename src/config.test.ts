import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.js';

const KEY = 'ab'.repeat(32);

test('SQLite by default; DATABASE_URL or --db select PostgreSQL, the flag winning', () => {
  assert.equal(loadConfig({}).databaseUrl, null);
  assert.equal(
    loadConfig({ DATABASE_URL: 'postgres://a@h/db', SIGNET_MASTER_KEY: KEY }).databaseUrl,
    'postgres://a@h/db',
  );
  const flagged = loadConfig(
    { DATABASE_URL: 'postgres://a@h/db', SIGNET_MASTER_KEY: KEY },
    { databaseUrl: 'postgresql://b@h/other' },
  );
  assert.equal(flagged.databaseUrl, 'postgresql://b@h/other');
});

test('bad database settings are refused with the variable named, never echoing a password', () => {
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x@h/db', SIGNET_MASTER_KEY: KEY }), /DATABASE_URL/);
  assert.throws(
    () => loadConfig({ SIGNET_MASTER_KEY: KEY }, { databaseUrl: 'mysql://user:hunter2@h/db' }),
    (err: unknown) =>
      err instanceof Error &&
      /--db: must be a postgres:\/\/ connection string/.test(err.message) &&
      !err.message.includes('hunter2'),
  );
  // Every instance must share the master key: a per-machine key file will not do.
  assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://a@h/db' }), /SIGNET_MASTER_KEY: required with PostgreSQL/);
});

test('Redis for shared rate limits: optional, a redis:// URL, with a key prefix', () => {
  assert.equal(loadConfig({}).redisUrl, null);
  const c = loadConfig({ SIGNET_REDIS_URL: 'redis://127.0.0.1:6379', SIGNET_REDIS_PREFIX: 'prod-eu' });
  assert.deepEqual([c.redisUrl, c.redisPrefix], ['redis://127.0.0.1:6379', 'prod-eu']);
  assert.throws(() => loadConfig({ SIGNET_REDIS_URL: 'http://x' }), /SIGNET_REDIS_URL/);
  assert.throws(() => loadConfig({ SIGNET_REDIS_PREFIX: 'a b' }), /SIGNET_REDIS_PREFIX/);
});

test('SIGNET_TRUST_PROXY: addresses and CIDR segments, read alike by REST and WebSocket; anything else refused', () => {
  assert.deepEqual(loadConfig({ SIGNET_TRUST_PROXY: ' 10.0.0.5, 10.1.0.0/16 ,::1' }).trustProxy, [
    '10.0.0.5',
    '10.1.0.0/16',
    '::1',
  ]);
  assert.deepEqual(loadConfig({}).trustProxy, []);
  assert.throws(
    () => loadConfig({ SIGNET_TRUST_PROXY: '10.0.0.5,loopback' }),
    /SIGNET_TRUST_PROXY: "loopback" is not an IP address or CIDR segment/,
  );
  assert.throws(() => loadConfig({ SIGNET_TRUST_PROXY: '10.0.0.0/33' }), /SIGNET_TRUST_PROXY/);
});

test('WebSocket settings, with their defaults', () => {
  assert.deepEqual(loadConfig({}).ws, {
    idleMs: 30_000,
    sendBuffer: 1_048_576,
    maxMessage: 65_536,
    connectionsPerIp: 100,
  });
  assert.equal(loadConfig({ SIGNET_WS_CONNECTIONS_PER_IP: '5' }).ws.connectionsPerIp, 5);
  assert.throws(() => loadConfig({ SIGNET_WS_SEND_BUFFER: '10' }), /SIGNET_WS_SEND_BUFFER/);
});

test('HTTP timeouts and connection cap: defaults in ms, the headers timeout never above the request timeout', () => {
  assert.deepEqual(loadConfig({}).http, {
    requestTimeoutMs: 30_000,
    headersTimeoutMs: 10_000,
    keepAliveMs: 72_000,
    connectionsPerIp: 100,
  });
  const short = loadConfig({ SIGNET_HTTP_REQUEST_TIMEOUT_MS: '2000', SIGNET_HTTP_HEADERS_TIMEOUT_MS: '5000' });
  assert.equal(short.http.headersTimeoutMs, 2000);
  assert.throws(() => loadConfig({ SIGNET_HTTP_REQUEST_TIMEOUT_MS: '0' }), /SIGNET_HTTP_REQUEST_TIMEOUT_MS/);
  assert.throws(() => loadConfig({ SIGNET_HTTP_CONNECTIONS_PER_IP: '0' }), /SIGNET_HTTP_CONNECTIONS_PER_IP/);
});
