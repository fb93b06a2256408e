import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { v5Route } from '../src/http/auth.js';
import { ok } from '../src/okx/envelope.js';
import type { Runtime } from '../src/runtime.js';
import { type Credentials, PASSPHRASE, signedHeaders, testApp } from './helpers.js';

interface Envelope {
  code: string;
  msg: string;
  data: unknown[];
}

describe('OKX V5 authentication over HTTP (app.inject)', () => {
  let app: FastifyInstance;
  let rt: Runtime;
  let close: () => Promise<void>;
  let userId: number;
  let readKey: Credentials;
  let tradeKey: Credentials;
  let demoKey: Credentials;
  let boundKey: Credentials;

  const newKey = async (
    name: string,
    opts: { perm?: string; ip?: string; demo?: boolean } = {},
  ): Promise<Credentials> => {
    const k = await rt.keys.create(
      userId,
      { label: name, passphrase: PASSPHRASE, perm: opts.perm, ip: opts.ip, env: opts.demo === true ? 'demo' : 'live' },
      'cli',
      Date.now(),
    );
    return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
  };

  const get = async (
    c: Credentials,
    target: string,
    opts: { headers?: Record<string, string>; remoteAddress?: string; demo?: boolean; timestamp?: string } = {},
  ) => {
    const res = await app.inject({
      method: 'GET',
      url: target,
      remoteAddress: opts.remoteAddress ?? '127.0.0.1',
      headers: { ...signedHeaders(c, 'GET', target, '', opts), ...opts.headers },
    });
    return { status: res.statusCode, body: res.json<Envelope>() };
  };

  before(async () => {
    ({ app, rt, close } = await testApp({ SIGNET_AUTH_FAILS_PER_IP: '1000', SIGNET_AUTH_FAILS_PER_KEY: '1000' }));
    // A test-only route that needs Trade, to see the permission gate before trading exists.
    v5Route(app, rt.appDeps, {
      method: 'POST',
      url: '/api/v5/test/trade-only',
      access: 'trade',
      handler: async (req) => ok([{ echo: req.body }]),
    });
    const user = await rt.users.create('auth@example.com', 'long enough password', Date.now());
    userId = user.id;
    readKey = await newKey('reader');
    tradeKey = await newKey('trader', { perm: 'trade' });
    demoKey = await newKey('demo', { demo: true, perm: 'trade' });
    boundKey = await newKey('bound', { ip: '203.0.113.0/24, 2001:db8::1' });
    await rt.ledger.deposit(userId, 'live', '18', 'USDT', '1000.5', Date.now());
  });
  after(() => close());

  test('a signed request succeeds and answers the OKX envelope', async () => {
    const { status, body } = await get(readKey, '/api/v5/account/balance');
    assert.equal(status, 200);
    assert.equal(body.code, '0');
    const data = body.data[0] as { details: Array<{ ccy: string; availBal: string; eq: string }>; totalEq: string };
    assert.deepEqual(
      data.details.map((d) => [d.ccy, d.availBal, d.eq]),
      [['USDT', '1000.5', '1000.5']],
    );
    assert.equal(data.totalEq, '1000.5');
  });

  test('each missing header has its own code', async () => {
    for (const [name, code] of [
      ['OK-ACCESS-KEY', '50103'],
      ['OK-ACCESS-SIGN', '50106'],
      ['OK-ACCESS-TIMESTAMP', '50107'],
      ['OK-ACCESS-PASSPHRASE', '50104'],
    ] as const) {
      const headers = signedHeaders(readKey, 'GET', '/api/v5/account/config');
      delete headers[name];
      const res = await app.inject({ method: 'GET', url: '/api/v5/account/config', headers });
      assert.equal(res.statusCode, 401, name);
      assert.equal(res.json<Envelope>().code, code, name);
    }
  });

  test('header names in any case; a repeated header fails its check', async () => {
    const h = signedHeaders(readKey, 'GET', '/api/v5/account/config');
    const mixed = Object.fromEntries(
      Object.entries(h).map(([k, v]) => [k.toLowerCase().replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), v]),
    );
    assert.equal(
      (await app.inject({ method: 'GET', url: '/api/v5/account/config', headers: mixed })).json<Envelope>().code,
      '0',
    );
    const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    assert.equal(
      (await app.inject({ method: 'GET', url: '/api/v5/account/config', headers: lower })).json<Envelope>().code,
      '0',
    );
    const res = await app.inject({
      method: 'GET',
      url: '/api/v5/account/config',
      headers: { ...h, 'OK-ACCESS-SIGN': [h['OK-ACCESS-SIGN'] ?? '', h['OK-ACCESS-SIGN'] ?? ''] },
    });
    assert.equal(res.json<Envelope>().code, '50113');
  });

  test('timestamps: malformed 50112, stale or future beyond 30 s 50102, within 30 s accepted', async () => {
    assert.equal(
      (await get(readKey, '/api/v5/account/config', { timestamp: String(Math.floor(Date.now() / 1000)) })).body.code,
      '50112',
    );
    assert.equal((await get(readKey, '/api/v5/account/config', { timestamp: 'not a time' })).body.code, '50112');
    const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
    assert.equal((await get(readKey, '/api/v5/account/config', { timestamp: at(-31_000) })).body.code, '50102');
    assert.equal((await get(readKey, '/api/v5/account/config', { timestamp: at(31_000) })).body.code, '50102');
    assert.equal((await get(readKey, '/api/v5/account/config', { timestamp: at(-25_000) })).body.code, '0');
    assert.equal((await get(readKey, '/api/v5/account/config', { timestamp: at(25_000) })).body.code, '0');
  });

  test('unknown key 50111, wrong secret 50113, wrong passphrase 50105', async () => {
    assert.equal(
      (await get({ ...readKey, apiKey: '11111111-2222-4333-8444-555555555555' }, '/api/v5/account/config')).body.code,
      '50111',
    );
    assert.equal((await get({ ...readKey, apiKey: 'x'.repeat(5000) }, '/api/v5/account/config')).body.code, '50111');
    assert.equal(
      (await get({ ...readKey, apiKey: readKey.apiKey.toUpperCase() }, '/api/v5/account/config')).body.code,
      '50111',
    );
    const wrongSecret = await get({ ...readKey, secretKey: 'A'.repeat(32) }, '/api/v5/account/config');
    assert.deepEqual(
      [wrongSecret.status, wrongSecret.body.code, wrongSecret.body.msg],
      [401, '50113', 'Invalid signature.'],
    );
    assert.equal((await get({ ...readKey, passphrase: 'Wrong0ne!' }, '/api/v5/account/config')).body.code, '50105');
    // The right passphrase still works after a wrong one (the cached fast path is exact).
    assert.equal((await get(readKey, '/api/v5/account/config')).body.code, '0');
    assert.equal(
      (await get({ ...readKey, passphrase: `${PASSPHRASE}x` }, '/api/v5/account/config')).body.code,
      '50105',
    );
  });

  test('the signature covers the raw query string and the raw body bytes', async () => {
    const target = '/api/v5/account/balance?ccy=USDT%2CBTC';
    assert.equal((await get(readKey, target)).body.code, '0');
    // As at OKX, a signature over another spelling of the same query (decoded) is refused...
    const decoded = signedHeaders(readKey, 'GET', '/api/v5/account/balance?ccy=USDT,BTC');
    assert.equal((await app.inject({ method: 'GET', url: target, headers: decoded })).json<Envelope>().code, '50113');
    // ...and so is a signature over any other query.
    const other = signedHeaders(readKey, 'GET', '/api/v5/account/balance?ccy=USDT');
    assert.equal((await app.inject({ method: 'GET', url: target, headers: other })).json<Envelope>().code, '50113');

    const body = '{"instId": "BTC-USDT",  "sz":"1"}';
    const okRes = await app.inject({
      method: 'POST',
      url: '/api/v5/test/trade-only',
      payload: body,
      headers: signedHeaders(tradeKey, 'POST', '/api/v5/test/trade-only', body),
    });
    assert.equal(okRes.json<Envelope>().code, '0');
    const reserialized = JSON.stringify(JSON.parse(body));
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v5/test/trade-only',
      payload: body,
      headers: signedHeaders(tradeKey, 'POST', '/api/v5/test/trade-only', reserialized),
    });
    assert.equal(bad.json<Envelope>().code, '50113');
  });

  test('environment: live key with the demo header and demo key without it get 50101', async () => {
    assert.equal((await get(readKey, '/api/v5/account/config', { demo: true })).body.code, '50101');
    assert.equal((await get(demoKey, '/api/v5/account/config')).body.code, '50101');
    assert.equal((await get(demoKey, '/api/v5/account/config', { demo: true })).body.code, '0');
  });

  test('demo keys see their own balances', async () => {
    await rt.ledger.deposit(userId, 'demo', '18', 'BTC', '2', Date.now());
    const res = await get(demoKey, '/api/v5/account/balance', { demo: true });
    const details = (res.body.data[0] as { details: Array<{ ccy: string; availBal: string }> }).details;
    assert.deepEqual(
      details.map((d) => [d.ccy, d.availBal]),
      [['BTC', '2']],
    );
  });

  test('IP whitelist: admitted addresses pass, others get 50110 naming the IP', async () => {
    assert.equal((await get(boundKey, '/api/v5/account/config', { remoteAddress: '203.0.113.77' })).body.code, '0');
    assert.equal(
      (await get(boundKey, '/api/v5/account/config', { remoteAddress: '::ffff:203.0.113.9' })).body.code,
      '0',
    );
    assert.equal((await get(boundKey, '/api/v5/account/config', { remoteAddress: '2001:db8::1' })).body.code, '0');
    const refused = await get(boundKey, '/api/v5/account/config', { remoteAddress: '198.51.100.4' });
    assert.deepEqual(
      [refused.status, refused.body.code, refused.body.msg],
      [401, '50110', "Your IP 198.51.100.4 is not included in your API key's IP whitelist."],
    );
    const mapped = await get(boundKey, '/api/v5/account/config', { remoteAddress: '::ffff:198.51.100.4' });
    assert.equal(mapped.body.msg, "Your IP 198.51.100.4 is not included in your API key's IP whitelist.");
    // X-Forwarded-For is ignored unless the peer is a trusted proxy.
    const spoofed = await get(boundKey, '/api/v5/account/config', {
      remoteAddress: '198.51.100.4',
      headers: { 'x-forwarded-for': '203.0.113.5' },
    });
    assert.equal(spoofed.body.code, '50110');
    // Each client IP the key authenticated from is recorded once (IPv4-mapped as IPv4); refused ones are not.
    await get(boundKey, '/api/v5/account/config', { remoteAddress: '203.0.113.77' });
    await get(boundKey, '/api/v5/account/config', { remoteAddress: '::ffff:203.0.113.77' });
    await rt.usage.flush();
    assert.deepEqual(await rt.store.listKeyIps(boundKey.apiKey, 10), ['203.0.113.77', '203.0.113.9', '2001:db8::1']);
    const ips = (await rt.store.listKeyAudit(userId, boundKey.apiKey, 10))
      .filter((e) => e.action === 'new_ip')
      .map((e) => e.detail['ip']);
    assert.deepEqual(ips.sort(), ['2001:db8::1', '203.0.113.77', '203.0.113.9']);
  });

  test('permission gate: a read-only key on a trade route gets 50120; a trade key passes', async () => {
    const body = '{"a":1}';
    const denied = await app.inject({
      method: 'POST',
      url: '/api/v5/test/trade-only',
      payload: body,
      headers: signedHeaders(readKey, 'POST', '/api/v5/test/trade-only', body),
    });
    assert.equal(denied.statusCode, 200);
    assert.deepEqual(denied.json<Envelope>(), {
      code: '50120',
      msg: "This API key doesn't have permission to use this function",
      data: [],
    });
    const allowed = await app.inject({
      method: 'POST',
      url: '/api/v5/test/trade-only',
      payload: body,
      headers: signedHeaders(tradeKey, 'POST', '/api/v5/test/trade-only', body),
    });
    assert.deepEqual(allowed.json<Envelope>().data, [{ echo: { a: 1 } }]);
  });

  test('account/config reports the key and the account', async () => {
    const { body } = await get(boundKey, '/api/v5/account/config', { remoteAddress: '203.0.113.1' });
    const cfg = body.data[0] as Record<string, unknown>;
    const user = await rt.store.findUserById(userId);
    assert.deepEqual(
      [cfg['perm'], cfg['ip'], cfg['label'], cfg['uid']],
      ['read_only', '203.0.113.0/24,2001:db8::1', 'bound', user?.uid],
    );
  });

  test('a key modified or deleted elsewhere is refused within one sync', async () => {
    const k = await newKey('short-lived');
    assert.equal((await get(k, '/api/v5/account/config')).body.code, '0');
    const user = await rt.store.findUserById(userId);
    assert.ok(user);
    await rt.keys.modify(userId, k.apiKey, { ip: '192.0.2.1' }, 'cli', Date.now());
    await rt.keyring.sync();
    assert.equal((await get(k, '/api/v5/account/config')).body.code, '50110');
    await rt.keys.remove(userId, k.apiKey, 'cli', Date.now());
    await rt.keyring.sync();
    assert.equal((await get(k, '/api/v5/account/config')).body.code, '50111');
  });

  test('unknown path 404, wrong method 50115, both OKX envelopes', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/v5/nothing/here' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<Envelope>().code, '404');
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v5/public/time',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual([wrong.statusCode, wrong.json<Envelope>().code], [405, '50115']);
  });

  test('malformed JSON 50002, oversized body 50008, odd content types parsed as JSON, never a 5xx', async () => {
    const url = '/api/v5/test/trade-only';
    const bad = '{"a":';
    const malformed = await app.inject({
      method: 'POST',
      url,
      payload: bad,
      headers: signedHeaders(tradeKey, 'POST', url, bad),
    });
    assert.deepEqual([malformed.statusCode, malformed.json<Envelope>().code], [400, '50002']);
    const huge = JSON.stringify({ a: 'x'.repeat(70_000) });
    const big = await app.inject({
      method: 'POST',
      url,
      payload: huge,
      headers: signedHeaders(tradeKey, 'POST', url, huge),
    });
    assert.deepEqual([big.statusCode, big.json<Envelope>().code], [413, '50008']);
    const body = '{"b":2}';
    const text = await app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { ...signedHeaders(tradeKey, 'POST', url, body), 'content-type': 'text/plain' },
    });
    assert.deepEqual(text.json<Envelope>().data, [{ echo: { b: 2 } }]);
    const proto = '{"__proto__":{"polluted":1}}';
    const poisoned = await app.inject({
      method: 'POST',
      url,
      payload: proto,
      headers: signedHeaders(tradeKey, 'POST', url, proto),
    });
    assert.ok(poisoned.statusCode < 500);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test('query validation: bad ccy list is 51000, missing instType is 50014', async () => {
    const bad = await get(readKey, '/api/v5/account/balance?ccy=US$DT');
    assert.deepEqual([bad.body.code, bad.body.msg], ['51000', 'Parameter ccy error']);
    const res = await app.inject({ method: 'GET', url: '/api/v5/public/instruments' });
    assert.deepEqual(
      [res.statusCode, res.json<Envelope>().code, res.json<Envelope>().msg],
      [400, '50014', 'Parameter instType cannot be empty.'],
    );
  });

  test('public endpoints need no key; instruments list spot only', async () => {
    const time = (await app.inject({ method: 'GET', url: '/api/v5/public/time' })).json<Envelope>();
    const ts = Number((time.data[0] as { ts: string }).ts);
    assert.ok(Math.abs(ts - Date.now()) < 5000);
    const spot = (
      await app.inject({ method: 'GET', url: '/api/v5/public/instruments?instType=SPOT' })
    ).json<Envelope>();
    const ids = (spot.data as Array<{ instId: string; state: string }>).map((i) => i.instId);
    for (const id of ['BTC-USDT', 'ETH-USDT', 'ETH-BTC', 'SOL-USDT']) assert.ok(ids.includes(id), id);
    for (const type of ['FUTURES', 'SWAP', 'OPTION']) {
      assert.deepEqual(
        (await app.inject({ method: 'GET', url: `/api/v5/public/instruments?instType=${type}` })).json<Envelope>().data,
        [],
      );
    }
  });

  test('funding balances and currencies', async () => {
    await rt.ledger.deposit(userId, 'live', '6', 'ETH', '1.25', Date.now());
    const funding = await get(readKey, '/api/v5/asset/balances?ccy=ETH');
    assert.deepEqual(funding.body.data, [{ availBal: '1.25', bal: '1.25', ccy: 'ETH', frozenBal: '0' }]);
    const cur = await get(readKey, '/api/v5/asset/currencies?ccy=USDT');
    const chains = (cur.body.data as Array<{ chain: string; fee: string; minWd: string }>).map((c) => c.chain);
    assert.deepEqual(chains, ['USDT-TRC20', 'USDT-ERC20']);
  });
});

describe('trusted proxies and failed-authentication limits', () => {
  test('X-Forwarded-For is honoured only from a configured proxy', async () => {
    const { rt, app, close } = await testApp({ SIGNET_TRUST_PROXY: '10.0.0.1' });
    try {
      const user = await rt.users.create('proxy@example.com', 'long enough password', Date.now());
      const k = await rt.keys.create(
        user.id,
        { label: 'p', passphrase: PASSPHRASE, ip: '198.51.100.7', env: 'live' },
        'cli',
        Date.now(),
      );
      const c = { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
      const via = (remoteAddress: string) =>
        app.inject({
          method: 'GET',
          url: '/api/v5/account/config',
          remoteAddress,
          headers: { ...signedHeaders(c, 'GET', '/api/v5/account/config'), 'x-forwarded-for': '198.51.100.7' },
        });
      assert.equal((await via('10.0.0.1')).json<Envelope>().code, '0');
      assert.equal((await via('10.0.0.2')).json<Envelope>().code, '50110');
    } finally {
      await close();
    }
  });

  test('repeated failures from one IP get 50011 (HTTP 429) even with valid credentials, other IPs unaffected', async () => {
    const { rt, app, close } = await testApp({ SIGNET_AUTH_FAILS_PER_IP: '5', SIGNET_AUTH_FAILS_PER_KEY: '1000' });
    try {
      const user = await rt.users.create('limits@example.com', 'long enough password', Date.now());
      const k = await rt.keys.create(user.id, { label: 'l', passphrase: PASSPHRASE, env: 'live' }, 'cli', Date.now());
      const good = { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
      const call = (c: Credentials, remoteAddress: string) =>
        app.inject({
          method: 'GET',
          url: '/api/v5/account/config',
          remoteAddress,
          headers: signedHeaders(c, 'GET', '/api/v5/account/config'),
        });
      for (let i = 0; i < 5; i++)
        assert.equal((await call({ ...good, secretKey: 'B'.repeat(32) }, '192.0.2.50')).json<Envelope>().code, '50113');
      await new Promise((r) => setImmediate(r));
      const blocked = await call(good, '192.0.2.50');
      assert.deepEqual([blocked.statusCode, blocked.json<Envelope>().code], [429, '50011']);
      assert.equal((await call(good, '192.0.2.51')).json<Envelope>().code, '0');
    } finally {
      await close();
    }
  });

  test('repeated failures for one key get 50011 from any IP', async () => {
    const { rt, app, close } = await testApp({ SIGNET_AUTH_FAILS_PER_IP: '1000', SIGNET_AUTH_FAILS_PER_KEY: '4' });
    try {
      const user = await rt.users.create('keylimit@example.com', 'long enough password', Date.now());
      const k = await rt.keys.create(user.id, { label: 'k', passphrase: PASSPHRASE, env: 'live' }, 'cli', Date.now());
      const good = { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
      const call = (c: Credentials, remoteAddress: string) =>
        app.inject({
          method: 'GET',
          url: '/api/v5/account/config',
          remoteAddress,
          headers: signedHeaders(c, 'GET', '/api/v5/account/config'),
        });
      for (let i = 0; i < 4; i++) await call({ ...good, passphrase: `Wrong${i}pass!` }, `192.0.2.${i + 1}`);
      await new Promise((r) => setImmediate(r));
      assert.equal((await call(good, '192.0.2.99')).json<Envelope>().code, '50011');
    } finally {
      await close();
    }
  });
});
