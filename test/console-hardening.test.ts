import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { WEB_DIST } from '../src/http/web-console.js';
import { testApp } from './helpers.js';

// Issue 14 (red-team pass on the console): guessing limits, login CSRF, session rotation, headers.
const BASE = '/console/api';
const PASSWORD = 'correct horse battery';

let clock = Date.UTC(2026, 5, 1, 12);
const now = () => clock;
const codeFor = (secret: string) => {
  clock += 30_000;
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: clock });
};
const wrongFor = (secret: string) => {
  const right = new TOTP({ secret: Secret.fromBase32(secret) });
  for (let i = 0; ; i++) {
    const guess = String(100000 + i);
    if (right.validate({ token: guess, timestamp: clock, window: 1 }) === null) return guess;
  }
};

interface Agent {
  cookie: string;
  csrf: string;
  ip: string;
}

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie'];
  const first = Array.isArray(raw) ? String(raw[0]) : String(raw);
  return first.split(';', 1)[0] ?? '';
}

describe('console hardening (issue 14)', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let nextIp = 1;
  const freshIp = () => `198.51.100.${nextIp++}`;

  before(async () => {
    ({ app, close } = await testApp({ SIGNET_SIGNUPS_PER_IP: '3', SIGNET_LOGIN_ATTEMPTS: '3' }, now));
  });
  after(async () => close());

  const call = (
    agent: Agent | null,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    opts: { ip?: string; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (agent !== null) {
      headers.cookie = agent.cookie;
      headers['x-csrf-token'] = agent.csrf;
    }
    return app.inject({
      method,
      url: `${BASE}${url}`,
      headers,
      remoteAddress: opts.ip ?? agent?.ip ?? '127.0.0.1',
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  };

  /** A fresh account with 2FA on; its own client IP. */
  async function userWith2fa(email: string): Promise<{ agent: Agent; secret: string }> {
    const ip = freshIp();
    const res = await call(null, 'POST', '/signup', { email, password: PASSWORD }, { ip });
    assert.equal(res.statusCode, 201, res.body);
    const agent = { cookie: cookieOf(res), csrf: String(res.json().csrfToken), ip };
    const secret = String((await call(agent, 'POST', '/security/totp/setup')).json().secret);
    assert.equal((await call(agent, 'POST', '/security/totp/enable', { code: codeFor(secret) })).statusCode, 200);
    return { agent, secret };
  }

  async function pendingLogin(email: string, ip: string): Promise<Agent> {
    const res = await call(null, 'POST', '/login', { email, password: PASSWORD }, { ip });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().totpRequired, true);
    return { cookie: cookieOf(res), csrf: String(res.json().csrfToken), ip };
  }

  test('2FA at login: 5 wrong codes, then 429 with a retry time; the pending login ends; codes per minute counted', async () => {
    const { agent, secret } = await userWith2fa('guess@example.com');
    const pending = await pendingLogin('guess@example.com', agent.ip);
    // An attacker with the password guesses as fast as the server answers, for one minute of clock.
    let evaluated = 0;
    let throttled = 0;
    let last = null as null | Awaited<ReturnType<typeof call>>;
    for (let i = 0; i < 200; i++) {
      const res = await call(pending, 'POST', '/login/verify', { code: wrongFor(secret) });
      if (res.statusCode === 403) evaluated++;
      if (res.statusCode === 429) {
        throttled++;
        last ??= res;
      }
    }
    assert.equal(evaluated, 4, 'four wrong codes answered as wrong, the fifth starts the lockout');
    assert.ok(last !== null && throttled > 0, 'then 429');
    assert.equal(last.json().error.code, 'throttled');
    assert.equal(last.json().error.field, 'code');
    assert.match(last.json().error.message, /too many wrong codes; try again in \d+ seconds/);
    assert.match(String(last.headers['retry-after']), /^\d+$/);
    // The pending session ended: the right code no longer helps, and the session is gone.
    const right = await call(pending, 'POST', '/login/verify', { code: codeFor(secret) });
    assert.equal(right.statusCode, 401, right.body);
    // A new login with the password: the account is still locked, the right code is not evaluated.
    const again = await pendingLogin('guess@example.com', agent.ip);
    const locked = await call(again, 'POST', '/login/verify', { code: codeFor(secret) });
    assert.equal(locked.statusCode, 429, locked.body);
    // The same lock guards key creation from the signed-in session (another IP does not help).
    const key = await call(agent, 'POST', '/keys', {
      name: 'bot',
      passphrase: 'Passw0rd!',
      env: 'live',
      code: codeFor(secret),
    });
    assert.equal(key.statusCode, 429, key.body);
  });

  test('wrong codes on key creation and address adding are counted too (per account)', async () => {
    const { agent, secret } = await userWith2fa('keys2fa@example.com');
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res =
        i % 2 === 0
          ? await call(agent, 'POST', '/keys', {
              name: 'bot',
              passphrase: 'Passw0rd!',
              env: 'live',
              code: wrongFor(secret),
            })
          : await call(agent, 'POST', '/addresses', {
              ccy: 'USDT',
              chain: 'USDT-TRC20',
              address: 'TXYZabcdefghijklmnop',
              code: wrongFor(secret),
            });
      answers.push(res.statusCode);
    }
    assert.deepEqual(answers, [403, 403, 403, 403, 429, 429]);
    // A missing code is not a guess: it does not count (another account, fresh).
    const other = await userWith2fa('nocode@example.com');
    for (let i = 0; i < 8; i++) {
      const res = await call(other.agent, 'POST', '/keys', { name: 'bot', passphrase: 'Passw0rd!', env: 'live' });
      assert.equal(res.json().error.code, 'totp_required');
    }
  });

  test('the 2FA step rotates the session: new cookie and CSRF token, the old cookie is dead', async () => {
    const { agent, secret } = await userWith2fa('rotate@example.com');
    const pending = await pendingLogin('rotate@example.com', agent.ip);
    const verified = await call(pending, 'POST', '/login/verify', { code: codeFor(secret) });
    assert.equal(verified.statusCode, 200, verified.body);
    const cookie = cookieOf(verified);
    assert.match(cookie, /^signet_session=/);
    assert.notEqual(cookie, pending.cookie);
    assert.notEqual(verified.json().csrfToken, pending.csrf);
    assert.equal((await call(pending, 'GET', '/me')).statusCode, 401, 'the pre-2FA token is deleted');
    const fresh = { cookie, csrf: String(verified.json().csrfToken), ip: agent.ip };
    assert.equal((await call(fresh, 'GET', '/keys')).statusCode, 200);
  });

  test('login: per-account limit across IPs, with backoff; per (IP, email) counts an IPv6 /64 once', async () => {
    await call(null, 'POST', '/signup', { email: 'spray@example.com', password: PASSWORD }, { ip: freshIp() });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await call(
        null,
        'POST',
        '/login',
        { email: 'spray@example.com', password: `wrong guess ${i}` },
        {
          ip: `203.0.113.${i + 1}`,
        },
      );
      statuses.push(res.statusCode);
    }
    assert.equal(statuses.filter((s) => s === 401).length, 9, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 21);
    const right = await call(
      null,
      'POST',
      '/login',
      { email: 'spray@example.com', password: PASSWORD },
      {
        ip: '192.0.2.77',
      },
    );
    assert.equal(right.statusCode, 429, 'locked out, even with the right password');
    assert.match(right.json().error.message, /try again in \d+ seconds/);
    // An unknown email is counted the same way: a lockout says nothing about whether the account exists.
    for (let i = 0; i < 10; i++)
      await call(null, 'POST', '/login', { email: 'ghost@example.com', password: 'x' }, { ip: `203.0.113.${i + 1}` });
    const ghost = await call(null, 'POST', '/login', { email: 'ghost@example.com', password: 'x' });
    assert.equal(ghost.statusCode, 429);

    // Per (IP, email), SIGNET_LOGIN_ATTEMPTS=3 here: the addresses of one IPv6 /64 count as one client.
    await call(null, 'POST', '/signup', { email: 'v6@example.com', password: PASSWORD }, { ip: freshIp() });
    const v6: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(
        null,
        'POST',
        '/login',
        { email: 'v6@example.com', password: 'wrong password' },
        {
          ip: `2001:db8:1:2::${i + 1}`,
        },
      );
      v6.push(res.statusCode);
    }
    assert.deepEqual(v6, [401, 401, 401, 429]);
    const otherNet = await call(
      null,
      'POST',
      '/login',
      { email: 'v6@example.com', password: PASSWORD },
      {
        ip: '2001:db8:1:3::1',
      },
    );
    assert.equal(otherNet.statusCode, 200, 'another /64 is another client');
  });

  test('sign-up is limited per client IP (IPv6 per /64)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(
        null,
        'POST',
        '/signup',
        { email: `many${i}@example.com`, password: PASSWORD },
        {
          ip: `2001:db8:9:9::${i + 1}`,
        },
      );
      statuses.push(res.statusCode);
    }
    assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
  });

  test('console bodies must be application/json; cross-site and foreign-origin calls are refused', async () => {
    const plain = await call(null, 'POST', '/login', undefined, { headers: { 'content-type': 'text/plain' } });
    const form = await app.inject({
      method: 'POST',
      url: `${BASE}/login`,
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ email: 'x@example.com', password: PASSWORD }),
    });
    assert.equal(form.statusCode, 415, form.body);
    assert.equal(form.json().error.code, 'unsupported_media_type');
    assert.ok(plain.statusCode < 500);
    const crossSite = await call(
      null,
      'POST',
      '/login',
      { email: 'x@example.com', password: PASSWORD },
      {
        headers: { 'sec-fetch-site': 'cross-site' },
      },
    );
    assert.equal(crossSite.statusCode, 403);
    assert.equal(crossSite.json().error.code, 'csrf');
    const foreign = await call(
      null,
      'POST',
      '/signup',
      { email: 'y@example.com', password: PASSWORD },
      {
        headers: { origin: 'https://evil.example', host: 'signet.example' },
        ip: freshIp(),
      },
    );
    assert.equal(foreign.statusCode, 403);
    const same = await call(
      null,
      'POST',
      '/signup',
      { email: 'y@example.com', password: PASSWORD },
      {
        headers: { origin: 'https://signet.example', host: 'signet.example', 'sec-fetch-site': 'same-origin' },
        ip: freshIp(),
      },
    );
    assert.equal(same.statusCode, 201, same.body);
  });

  test('every console API answer: no-store, no referrer, nosniff', async () => {
    const answers = [
      await call(null, 'GET', '/session'),
      await call(null, 'POST', '/login', { email: 'nobody@example.com', password: 'x' }, { ip: freshIp() }),
      await call(null, 'GET', '/keys'),
      await call(null, 'GET', '/no-such-call'),
      await call(null, 'GET', `/keys/${'a'.repeat(300)}/activity`),
    ];
    for (const res of answers) {
      assert.equal(res.headers['cache-control'], 'no-store', res.body);
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('an over-long path parameter answers in the console shape without echoing the path', async () => {
    const long = 'z'.repeat(300);
    const res = await call(null, 'GET', `/keys/${long}/activity`);
    assert.equal(res.statusCode, 414);
    assert.deepEqual(Object.keys(res.json().error).sort(), ['code', 'field', 'message']);
    assert.ok(!res.body.includes(long.slice(0, 50)), res.body);
    const v5 = await app.inject({ method: 'GET', url: `/api/v5/asset/x/${long}` });
    assert.ok(!v5.body.includes(long.slice(0, 50)), v5.body);
  });

  test('index.html is never cached for long; only hashed assets are immutable', async () => {
    const page = await app.inject({ method: 'GET', url: '/signup' });
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const asset = readdirSync(`${WEB_DIST}assets`)[0];
    assert.ok(asset !== undefined, 'web/dist/assets has files (npm run build:web)');
    const res = await app.inject({ method: 'GET', url: `/assets/${asset}` });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['cache-control']), /immutable/);
  });
});
