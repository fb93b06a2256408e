import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sign } from '../src/core/signing.js';
import type { Runtime } from '../src/runtime.js';
import { type Credentials, PASSPHRASE, signedHeaders, testApp } from './helpers.js';

type Answer =
  | { ok: true; uid: string; apiKey: string; perm: string; label: string; env: string }
  | { ok: false; code: string; msg: string };

describe('gateway verify API: POST /gateway/v1/verify and the authz endpoint', () => {
  let app: FastifyInstance;
  let rt: Runtime;
  let close: () => Promise<void>;
  let userId: number;
  let uid: string;
  let token: string;
  let reader: Credentials;
  let trader: Credentials;
  let demo: Credentials;
  let ipCounter = 0;
  /** A fresh client address per case: failures count per client IP (the limit is 3 here). */
  const freshIp = () => `192.0.2.${++ipCounter}`;

  const newKey = async (label: string, opts: { perm?: string; ip?: string; demo?: boolean } = {}) => {
    const k = await rt.keys.create(
      userId,
      { label, passphrase: PASSPHRASE, perm: opts.perm, ip: opts.ip, env: opts.demo === true ? 'demo' : 'live' },
      'cli',
      Date.now(),
    );
    return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
  };

  const verify = async (
    request: {
      method: string;
      target: string;
      headers: Record<string, string | string[]>;
      body?: string;
      ip: string;
      perm?: string;
    },
    bearer = token,
  ): Promise<{ status: number; answer: Answer }> => {
    const res = await app.inject({
      method: 'POST',
      url: '/gateway/v1/verify',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      payload: JSON.stringify(request),
    });
    return { status: res.statusCode, answer: res.json<Answer>() };
  };

  /** The request of a client signed with `c`, as a platform would pass it on. */
  const signed = (c: Credentials, method = 'GET', target = '/orders?limit=1', body = '', opts = {}) => ({
    method,
    target,
    headers: signedHeaders(c, method, target, body, opts),
    ...(body === '' ? {} : { body }),
    ip: freshIp(),
  });

  const codeOf = async (request: Parameters<typeof verify>[0]): Promise<string> => {
    const { status, answer } = await verify(request);
    assert.equal(status, 200);
    return answer.ok ? '0' : answer.code;
  };

  before(async () => {
    ({ app, rt, close } = await testApp({
      SIGNET_MARKET_MAKER: '0',
      SIGNET_AUTH_FAILS_PER_IP: '3',
      SIGNET_AUTH_FAILS_PER_KEY: '1000',
    }));
    const user = await rt.users.create('verify@example.com', 'long enough password', Date.now());
    userId = user.id;
    uid = user.uid;
    reader = await newKey('reader');
    trader = await newKey('trader', { perm: 'trade' });
    demo = await newKey('demo', { demo: true });
    token = (await rt.gatewayTokens.create('billing', Date.now())).token;
  });
  after(() => close());

  test('a wrong, missing or deleted service token is refused with 401 and 50114', async () => {
    const request = signed(reader);
    assert.deepEqual(await verify(request, 'sgt_wrong'), {
      status: 401,
      answer: { ok: false, code: '50114', msg: 'Invalid authorization.' },
    });
    const res = await app.inject({ method: 'POST', url: '/gateway/v1/verify', payload: request });
    assert.equal(res.statusCode, 401);
    // Checked before the body: a malformed body without a token is still 50114, not a validation error.
    const bare = await app.inject({ method: 'POST', url: '/gateway/v1/verify', payload: {} });
    assert.deepEqual([bare.statusCode, bare.json().code], [401, '50114']);
    const other = await rt.gatewayTokens.create('short-lived', Date.now());
    assert.equal((await verify(signed(reader), other.token)).status, 200);
    await rt.gatewayTokens.remove(other.view.id);
    assert.equal((await verify(signed(reader), other.token)).status, 401);
  });

  test('a good request answers who signed it; a signed body and a needed permission are checked', async () => {
    const { status, answer } = await verify(signed(reader));
    assert.equal(status, 200);
    assert.deepEqual(answer, { ok: true, uid, apiKey: reader.apiKey, perm: 'read_only', label: 'reader', env: 'live' });
    const body = '{"instId":"BTC-USDT","sz":"1"}';
    const post = await verify({ ...signed(trader, 'POST', '/orders', body), perm: 'trade' });
    assert.equal(post.answer.ok, true);
    const d = await verify({ ...signed(demo, 'GET', '/x', '', { demo: true }) });
    assert.equal(d.answer.ok && d.answer.env, 'demo');
    // Header names in any case, as platforms pass them on.
    const lower = signed(reader);
    const headers = Object.fromEntries(Object.entries(lower.headers).map(([k, v]) => [k.toLowerCase(), v]));
    assert.equal((await verify({ ...lower, headers })).answer.ok, true);
    // Or as Node's req.headersDistinct gives them, every value an array.
    const distinct = Object.fromEntries(Object.entries(lower.headers).map(([k, v]) => [k.toLowerCase(), [v]]));
    assert.equal((await verify({ ...lower, headers: distinct })).answer.ok, true);
    // A header sent twice fails as it would directly (Node joins the values).
    const twice = signed(reader);
    const sign = twice.headers['OK-ACCESS-SIGN'] ?? '';
    assert.equal(await codeOf({ ...twice, headers: { ...twice.headers, 'OK-ACCESS-SIGN': [sign, sign] } }), '50113');
  });

  test('each rejection code, as a direct request gets it', async () => {
    const without = (name: string) => {
      const r = signed(reader);
      const { [name]: _, ...rest } = r.headers;
      return { ...r, headers: rest };
    };
    assert.equal(await codeOf(without('OK-ACCESS-KEY')), '50103');
    assert.equal(await codeOf(without('OK-ACCESS-SIGN')), '50106');
    assert.equal(await codeOf(without('OK-ACCESS-TIMESTAMP')), '50107');
    assert.equal(await codeOf(without('OK-ACCESS-PASSPHRASE')), '50104');
    assert.equal(await codeOf(signed(reader, 'GET', '/x', '', { timestamp: 'yesterday' })), '50112');
    const old = new Date(Date.now() - 120_000).toISOString();
    assert.equal(await codeOf(signed(reader, 'GET', '/x', '', { timestamp: old })), '50102');
    assert.equal(await codeOf(signed({ ...reader, apiKey: '00000000-0000-4000-8000-000000000000' })), '50111');
    assert.equal(await codeOf(signed(demo)), '50101');
    const r = signed(reader, 'POST', '/orders', '{"sz":"1"}');
    assert.equal(await codeOf({ ...r, body: '{"sz":"2"}' }), '50113');
    assert.equal(await codeOf(signed({ ...reader, passphrase: 'Wrong-pass1' })), '50105');
    const bound = await newKey('bound', { ip: '203.0.113.5' });
    const refused = await verify(signed(bound));
    assert.deepEqual(refused.answer, {
      ok: false,
      code: '50110',
      msg: `Your IP ${`192.0.2.${ipCounter}`} is not included in your API key's IP whitelist.`,
    });
    assert.equal(await codeOf({ ...signed(bound), ip: '203.0.113.5' }), '0');
    assert.equal(await codeOf({ ...signed(reader), perm: 'trade' }), '50120');
    const disabled = await newKey('disabled');
    await rt.keys.disable(userId, disabled.apiKey, 'cli', Date.now());
    // The key cache learns of the change from the store; asked again until it has.
    const since = Date.now();
    let code = '0';
    while (code === '0' && Date.now() - since < 5000) code = await codeOf(signed(disabled));
    assert.equal(code, '50100');
    // Failures count per client IP as for a direct request: `limit` failures, then 50011.
    const ip = freshIp();
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) codes.push(await codeOf({ ...signed({ ...reader, passphrase: 'Wrong-pass1' }), ip }));
    assert.deepEqual(codes, ['50105', '50105', '50105', '50011']);
  });

  test('the same side effects: rejections of a known key are in its activity, a use is its last use', async () => {
    const k = await newKey('watched');
    await verify(signed({ ...k, passphrase: 'Wrong-pass1' }));
    assert.equal((await verify(signed(k))).answer.ok, true);
    await rt.usage.flush();
    await rt.rejections.flush(Date.now());
    const activity = await rt.keys.activity(userId, k.apiKey);
    assert.ok(activity.rejections.some((x) => x.code === '50105'));
    const listed = (await rt.keys.list(userId)).find((v) => v.apiKey === k.apiKey);
    assert.notEqual(listed?.lastUsedAt ?? null, null);
  });

  test('the authz endpoint (Envoy ext_authz, nginx auth_request): the original request, 200 with x-signet-* or 401/403', async () => {
    const target = '/partner/orders?limit=5';
    const body = '{"sz":"1"}';
    const envoy = await app.inject({
      method: 'POST',
      url: `/gateway/v1/authz${target}`,
      headers: {
        ...signedHeaders(trader, 'POST', target, body),
        'x-signet-token': token,
        'x-forwarded-for': '198.51.100.4',
      },
      payload: body,
    });
    assert.equal(envoy.statusCode, 200);
    assert.equal(envoy.headers['x-signet-uid'], uid);
    assert.equal(envoy.headers['x-signet-api-key'], trader.apiKey);
    assert.equal(envoy.headers['x-signet-perm'], 'read_only,trade');
    // nginx: no body in the subrequest, the original URI and method in headers.
    const ts = new Date().toISOString();
    const nginx = await app.inject({
      method: 'GET',
      url: '/gateway/v1/authz',
      headers: {
        'OK-ACCESS-KEY': reader.apiKey,
        'OK-ACCESS-SIGN': sign(reader.secretKey, ts, 'DELETE', target, ''),
        'OK-ACCESS-TIMESTAMP': ts,
        'OK-ACCESS-PASSPHRASE': PASSPHRASE,
        'x-original-uri': target,
        'x-original-method': 'DELETE',
        'x-real-ip': '198.51.100.5',
        'x-signet-token': token,
      },
    });
    assert.equal(nginx.statusCode, 200);
    const bad = await app.inject({
      method: 'GET',
      url: '/gateway/v1/authz/partner/x',
      headers: { ...signedHeaders(reader, 'GET', '/partner/y'), 'x-signet-token': token, 'x-real-ip': freshIp() },
    });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.headers['x-signet-code'], '50113');
    assert.equal(bad.json<{ code: string }>().code, '50113');
    const noToken = await app.inject({
      method: 'GET',
      url: '/gateway/v1/authz/partner/x',
      headers: signedHeaders(reader, 'GET', '/partner/x'),
    });
    assert.equal(noToken.statusCode, 401);
  });
});
