import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../src/runtime.js';
import { checkConservation } from './conservation.js';
import { type Credentials, PASSPHRASE, signedHeaders, testApp } from './helpers.js';

/**
 * Bounded property-based fuzzing of the V5 wire API through `app.inject` (no sockets): the request
 * parser, the signature check and the order fields. Whatever comes in, the answer is never a 5xx
 * and always an OKX envelope; whatever was traded, no balance goes negative and every currency is
 * conserved. A fixed number of runs per property; FUZZ_SEED=<n> replays a failing run (the seed is
 * in the failure message).
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = { requests: 400, orders: 300, batches: 100 };

const PATHS = [
  'account/balance',
  'account/config',
  'asset/balances',
  'asset/transfer',
  'asset/withdrawal',
  'market/books',
  'market/candles',
  'market/ticker',
  'public/instruments',
  'public/time',
  'trade/amend-order',
  'trade/batch-orders',
  'trade/cancel-batch-orders',
  'trade/cancel-order',
  'trade/fills',
  'trade/order',
  'trade/orders-pending',
];
const INST_IDS = ['BTC-USDT', 'ETH-USDT', 'ETH-BTC', 'SOL-USDT'];

/** Any text, including unicode and very long runs. */
const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)),
);
/** Header values as Node would accept them off the wire: no CR, LF or NUL, Latin-1. */
const headerText = anyText.map((s) =>
  Buffer.from(s, 'utf8')
    .toString('latin1')
    .replace(/[\r\n\0]/g, ''),
);

/** Numbers as text in every shape an order field might be given. */
const amount = fc.oneof(
  fc.constantFrom('1', '0.001', '0.1', '0', '-1', '1e5', '1e-9', '0x10', '', ' 1', 'NaN', 'Infinity', '٣'),
  fc.integer({ min: 1, max: 100_000 }).map(String),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map(String),
  fc.nat({ max: 400 }).map((n) => `9${'9'.repeat(n)}`),
  fc.nat({ max: 400 }).map((n) => `0.${'0'.repeat(n)}1`),
  fc.double(),
  fc.integer(),
  anyText,
);
const oneOfOr = <T>(values: readonly T[]) =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: fc.jsonValue() });

const orderFields = fc.record(
  {
    instId: oneOfOr([...INST_IDS, 'BTC-USD', 'btc-usdt', '']),
    tdMode: oneOfOr(['cash', 'cross', 'isolated']),
    side: oneOfOr(['buy', 'sell']),
    ordType: oneOfOr(['market', 'limit', 'post_only', 'fok', 'ioc', 'optimal_limit_ioc']),
    px: amount,
    sz: amount,
    clOrdId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{1,32}$/), anyText),
    tgtCcy: oneOfOr(['base_ccy', 'quote_ccy']),
    tag: anyText,
    reduceOnly: fc.oneof(fc.boolean(), anyText),
    instIdCode: fc.oneof(fc.constantFrom(10001, 10002, 10003, 10004), fc.integer(), anyText),
  },
  { requiredKeys: [] },
);

/** Price range (integer units, decimals) and size range (units, decimals) near each book's quotes. */
const NEAR: Record<string, { px: [number, number, number]; sz: [number, number, number] }> = {
  'BTC-USDT': { px: [35_000, 55_000, 0], sz: [1, 100, 4] },
  'ETH-USDT': { px: [1_500, 3_500, 0], sz: [1, 500, 3] },
  'ETH-BTC': { px: [3_000, 7_000, 5], sz: [1, 500, 3] },
  'SOL-USDT': { px: [80, 170, 0], sz: [1, 500, 2] },
};
const decimal = ([min, max, places]: [number, number, number]) =>
  fc.integer({ min, max }).map((n) => (places === 0 ? String(n) : (n / 10 ** places).toFixed(places)));

/** Orders that could well be accepted: valid names, amounts near the books, some optional fields. */
const plausibleOrder = fc.constantFrom(...INST_IDS).chain((instId) => {
  const near = NEAR[instId] ?? { px: [1, 100, 0], sz: [1, 10, 0] };
  return fc.record(
    {
      instId: fc.constant(instId),
      tdMode: fc.constant('cash'),
      side: fc.constantFrom('buy', 'sell'),
      ordType: fc.constantFrom('market', 'limit', 'post_only', 'fok', 'ioc'),
      px: decimal(near.px),
      sz: decimal(near.sz),
      clOrdId: fc.stringMatching(/^[A-Za-z0-9]{1,32}$/),
      tgtCcy: fc.constantFrom('base_ccy', 'quote_ccy'),
    },
    { requiredKeys: ['instId', 'tdMode', 'side', 'ordType', 'sz'] },
  );
});
const someOrder = fc.oneof({ weight: 3, arbitrary: plausibleOrder }, { weight: 1, arbitrary: orderFields });

/** A body of any shape: valid JSON of the wrong shape, invalid JSON, huge numbers, deep nesting. */
const anyBody = fc.oneof(
  fc.constant(''),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? ''),
  orderFields.map((o) => JSON.stringify(o)),
  fc.array(orderFields, { maxLength: 25 }).map((a) => JSON.stringify(a)),
  anyText,
  fc.constantFrom('{', '[1,', '{"a":}', 'null', 'nul', '"x"', '1e999999', `{"sz":1${'0'.repeat(400)}}`, '\uFEFF{}'),
  fc.integer({ min: 1, max: 2000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 1, max: 2000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
);

interface Answer {
  status: number;
  body: string;
}

/** An OKX envelope: `{code: string, msg: string, data: array}` (the 404 of an unknown path too). */
function assertEnvelope(res: Answer, what: string): void {
  assert.ok(res.status < 500, `${what}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    assert.fail(`${what}: not JSON: ${res.body.slice(0, 300)}`);
  }
  const e = parsed as { code?: unknown; msg?: unknown; data?: unknown };
  assert.ok(
    typeof e === 'object' &&
      e !== null &&
      typeof e.code === 'string' &&
      typeof e.msg === 'string' &&
      Array.isArray(e.data),
    `${what}: not an envelope: ${res.body.slice(0, 300)}`,
  );
}

describe(`fuzzing the V5 API through app.inject (seed ${SEED})`, () => {
  let app: FastifyInstance;
  let rt: Runtime;
  let close: () => Promise<void>;
  let alice: Credentials;

  const send = async (method: string, url: string, headers: Record<string, string>, payload: string) => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === '' ? {} : { payload }),
    });
    return { status: res.statusCode, body: res.body };
  };

  before(async () => {
    ({ app, rt, close } = await testApp({
      SIGNET_MARKET_MAKER: '0',
      SIGNET_RATE_LIMITS: '0',
      SIGNET_AUTH_FAILS_PER_IP: '1000000',
      SIGNET_AUTH_FAILS_PER_KEY: '1000000',
    }));
    const now = Date.now();
    const users = [];
    for (const [email, usdt, btc] of [
      ['alice@example.com', '2000', '0.05'],
      ['bob@example.com', '1000000', '20'],
    ] as const) {
      const u = await rt.users.create(email, 'long enough password', now);
      await rt.ledger.deposit(u.id, 'live', '18', 'USDT', usdt, now);
      await rt.ledger.deposit(u.id, 'live', '18', 'BTC', btc, now);
      await rt.ledger.deposit(u.id, 'live', '18', 'ETH', '5', now);
      await rt.ledger.deposit(u.id, 'live', '18', 'SOL', '50', now);
      const k = await rt.keys.create(
        u.id,
        { label: 'fuzz', passphrase: PASSPHRASE, perm: 'trade', env: 'live' },
        'cli',
        now,
      );
      users.push({ apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE });
    }
    const [a, bob] = users;
    assert.ok(a !== undefined && bob !== undefined);
    alice = a;
    // Liquidity on both sides of every book, so that market and crossing orders fill.
    const quotes = [
      ['BTC-USDT', '40000', '50000', '0.5'],
      ['ETH-USDT', '2000', '3000', '1'],
      ['ETH-BTC', '0.04', '0.06', '1'],
      ['SOL-USDT', '100', '150', '10'],
    ];
    for (const [instId, bid, ask, sz] of quotes) {
      for (const [side, px] of [
        ['buy', bid],
        ['sell', ask],
      ]) {
        const body = JSON.stringify({ instId, tdMode: 'cash', side, ordType: 'limit', px, sz });
        const res = await send(
          'POST',
          '/api/v5/trade/order',
          signedHeaders(bob, 'POST', '/api/v5/trade/order', body),
          body,
        );
        assert.match(res.body, /"sCode":"0"/, res.body);
      }
    }
  });
  after(() => close());

  test('any method, path, OKX headers and body: never a 5xx, always an envelope', async () => {
    const header = fc.oneof(headerText, fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        fc.oneof(
          fc.constantFrom(...PATHS),
          fc.webPath().map((p) => p.replace(/^\//, '')),
        ),
        fc.oneof(
          fc.constant(''),
          fc.webQueryParameters().map((q) => `?${q}`),
        ),
        fc.record({
          'OK-ACCESS-KEY': fc.oneof(header, fc.constant(alice.apiKey)),
          'OK-ACCESS-SIGN': header,
          'OK-ACCESS-TIMESTAMP': fc.oneof(
            header,
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
          'OK-ACCESS-PASSPHRASE': fc.oneof(header, fc.constant(PASSPHRASE)),
          'x-simulated-trading': header,
          'content-type': fc.oneof(header, fc.constant('application/json')),
        }),
        anyBody,
        async (method, path, query, rawHeaders, body) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(rawHeaders)) if (value !== undefined) headers[name] = value;
          const url = `/api/v5/${path}${query}`;
          const res = await send(method, url, headers, method === 'GET' ? '' : body);
          assertEnvelope(res, `${method} ${url}`);
        },
      ),
      { numRuns: RUNS.requests, seed: SEED },
    );
  });

  test('signed orders with any fields: never a 5xx, always an envelope', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 6, arbitrary: plausibleOrder.map((o) => JSON.stringify(o)) },
          { weight: 2, arbitrary: orderFields.map((o) => JSON.stringify(o)) },
          { weight: 1, arbitrary: anyBody },
        ),
        fc.boolean(),
        async (body, cancelAfter) => {
          const target = '/api/v5/trade/order';
          const res = await send('POST', target, signedHeaders(alice, 'POST', target, body), body);
          assertEnvelope(res, `POST ${target} ${body.slice(0, 200)}`);
          const ordId = /"ordId":"(\d+)"/.exec(res.body)?.[1];
          const instId = (JSON.parse(res.body) as { data: Array<{ instId?: string }> }).data[0]?.instId;
          if (cancelAfter && ordId !== undefined) {
            // Resting orders freeze funds; canceling some keeps later orders affordable.
            for (const inst of instId === undefined ? INST_IDS : [instId]) {
              const cancel = JSON.stringify({ instId: inst, ordId });
              const c = await send(
                'POST',
                '/api/v5/trade/cancel-order',
                signedHeaders(alice, 'POST', '/api/v5/trade/cancel-order', cancel),
                cancel,
              );
              assertEnvelope(c, `cancel ${cancel}`);
            }
          }
        },
      ),
      { numRuns: RUNS.orders, seed: SEED },
    );
    checkConservation(rt);
  });

  test('signed batch orders (0 to 25 of any fields): never a 5xx, always an envelope; balances never negative', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(someOrder, { maxLength: 25 }), async (orders) => {
        const target = '/api/v5/trade/batch-orders';
        const body = JSON.stringify(orders);
        const res = await send('POST', target, signedHeaders(alice, 'POST', target, body), body);
        assertEnvelope(res, `POST ${target} ${body.slice(0, 300)}`);
      }),
      { numRuns: RUNS.batches, seed: SEED },
    );
    checkConservation(rt);
  });
});
