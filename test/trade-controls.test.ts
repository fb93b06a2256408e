import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  type Credentials,
  cli,
  cliJson,
  cliOk,
  type Envelope,
  PASSPHRASE,
  type RunningServer,
  signedCall,
  sleep,
  startServer,
  tempDir,
} from './helpers.js';
import { dropSchemas, freshSchemaUrl, postgresUnavailable } from './pg.js';
import { ccxtOkx, okxApi } from './real-clients.js';

const INST = 'BTC-USDT';
const limitBuy = (px: string, extra: Record<string, string> = {}) => ({
  instId: INST,
  tdMode: 'cash',
  side: 'buy',
  ordType: 'limit',
  px,
  sz: '0.01',
  ...extra,
});

/** Polls `probe` until it is true, or fails after `ms` (a countdown fires within a check interval of its time). */
async function until(label: string, probe: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${label}`);
    await sleep(100);
  }
}

const stateOf = async (url: string, c: Credentials, ordId: string): Promise<string> =>
  (await signedCall(url, c, 'GET', `/api/v5/trade/order?instId=${INST}&ordId=${ordId}`)).data[0]?.state ?? '';

const placeRaw = async (url: string, c: Credentials, order: Record<string, string>): Promise<string> => {
  const r = await signedCall(url, c, 'POST', '/api/v5/trade/order', order);
  assert.equal(r.code, '0', JSON.stringify(r));
  return r.data[0]?.ordId ?? '';
};

describe('trade/amend-batch-orders and trade/cancel-all-after against a listening server', () => {
  const data = tempDir();
  let server: RunningServer;
  const keys = new Map<string, Credentials>();
  const key = (name: string): Credentials => {
    const k = keys.get(name);
    if (k === undefined) throw new Error(`no key ${name}`);
    return k;
  };
  const ccxtFor = (c: Credentials) => ccxtOkx(server.url, c);
  const okxApiFor = (c: Credentials) => okxApi(server.url, c);

  before(async () => {
    for (const name of ['amender', 'tagged', 'account', 'disarmed']) {
      const email = `${name}@example.com`;
      await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
      await cliOk(['deposit', '--user', email, '--ccy', 'USDT', '--amt', '100000'], data);
      const k = await cliJson<{ apiKey: string; secretKey: string }>(
        ['keys', 'create', '--user', email, '--name', 'k', '--passphrase', PASSPHRASE, '--perm', 'read,trade'],
        data,
      );
      keys.set(name, { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE });
    }
    const reader = await cliJson<{ apiKey: string; secretKey: string }>(
      ['keys', 'create', '--user', 'amender@example.com', '--name', 'r', '--passphrase', PASSPHRASE, '--perm', 'read'],
      data,
    );
    keys.set('reader', { apiKey: reader.apiKey, secretKey: reader.secretKey, passphrase: PASSPHRASE });
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0' });
  });
  after(async () => {
    await server.stop();
  });

  test('okx-api amendMultipleOrders: every order amended, each answered with its ids', async () => {
    const c = key('amender');
    const a = await placeRaw(server.url, c, limitBuy('50000'));
    const b = await placeRaw(server.url, c, limitBuy('50001', { clOrdId: 'batchB' }));
    const answers = await okxApiFor(c).amendMultipleOrders([
      { instId: INST, ordId: a, newPx: '49000', reqId: 'r1' },
      { instId: INST, clOrdId: 'batchB', newSz: '0.02' },
    ]);
    assert.deepEqual(
      answers.map((x) => [x.ordId, x.clOrdId, x.reqId, x.sCode]),
      [
        [a, '', 'r1', '0'],
        [b, 'batchB', '', '0'],
      ],
    );
    const details = await okxApiFor(c).getOrderDetails({ instId: INST, ordId: a });
    assert.equal(details[0]?.px, '49000');
    const other = await okxApiFor(c).getOrderDetails({ instId: INST, ordId: b });
    assert.deepEqual([other[0]?.sz, other[0]?.px], ['0.02', '50001']);
  });

  test('amend-batch-orders: some fail (code 2, per-item sCode), all fail (1), and the body rules', async () => {
    const c = key('amender');
    const a = await placeRaw(server.url, c, limitBuy('48000'));
    const call = (body: unknown) => signedCall(server.url, c, 'POST', '/api/v5/trade/amend-batch-orders', body);
    const partial = await call([
      { instId: INST, ordId: a, newPx: '47000' },
      { instId: INST, ordId: '123456', newPx: '47000' },
      { instId: INST, newPx: '47000' },
    ]);
    assert.equal(partial.code, '2');
    assert.deepEqual(
      partial.data.map((x) => x.sCode),
      ['0', '51503', '50014'],
    );
    assert.equal(await stateOf(server.url, c, a), 'live');
    const none = await call([{ instId: 'NOPE-USDT', ordId: a, newPx: '1' }]);
    assert.deepEqual([none.code, none.data[0]?.sCode], ['1', '51001']);
    assert.equal((await call({ instId: INST, ordId: a, newPx: '1' })).code, '51000');
    assert.equal((await call([])).code, '50014');
    const tooMany = await call(Array.from({ length: 21 }, () => ({ instId: INST, ordId: a, newPx: '1' })));
    assert.equal(tooMany.code, '51111');
    const readOnly = await signedCall(server.url, key('reader'), 'POST', '/api/v5/trade/amend-batch-orders', [
      { instId: INST, ordId: a, newPx: '1' },
    ]);
    assert.equal(readOnly.code, '50120');
  });

  test('cancel-all-after: parameter errors as OKX documents (timeOut 0 or 10-120, tag up to 16 letters and digits)', async () => {
    // Each on a key of its own account: the endpoint allows one request per second.
    const attempts: Array<[unknown, string]> = [
      [{}, '50014'],
      [{ timeOut: '9' }, '51000'],
      [{ timeOut: '121' }, '51000'],
      [{ timeOut: 'soon' }, '51000'],
      [{ timeOut: '30', tag: 'not-ok' }, '51000'],
    ];
    for (const [body, code] of attempts) {
      const r = await signedCall(server.url, key('amender'), 'POST', '/api/v5/trade/cancel-all-after', body);
      assert.equal(r.code, code, JSON.stringify(body));
      await sleep(1000);
    }
    const r = await signedCall(server.url, key('reader'), 'POST', '/api/v5/trade/cancel-all-after', { timeOut: '10' });
    assert.equal(r.code, '50120');
  });

  test('the countdown fires after a restart: account level (ccxt), tag level (okx-api), and 0 disarms', async () => {
    const account = key('account');
    const tagged = key('tagged');
    const disarmed = key('disarmed');
    // Account level: every open order of the account, whatever its tag.
    const acc1 = await placeRaw(server.url, account, limitBuy('40000'));
    const acc2 = await placeRaw(server.url, account, limitBuy('40001', { tag: 'mine' }));
    const armed = (await ccxtFor(account).cancelAllOrdersAfter(10_000)) as { data?: Array<Record<string, string>> };
    const caa = armed.data?.[0];
    assert.equal(caa?.tag, '');
    assert.ok(Math.abs(Number(caa?.triggerTime) - Number(caa?.ts) - 10_000) < 5, JSON.stringify(caa));
    // Tag level: okx-api tags every order and this call with its program id, so only its own orders go.
    const [viaOkxApi] = await okxApiFor(tagged).submitOrder({
      instId: INST,
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '40000',
      sz: '0.01',
    });
    const untagged = await placeRaw(server.url, tagged, limitBuy('40002'));
    const [tagCaa] = await okxApiFor(tagged).cancelAllAfter({ timeOut: '10' });
    assert.match(tagCaa?.tag ?? '', /^[A-Za-z0-9]{1,16}$/);
    // Disarmed: set, then 0.
    const kept = await placeRaw(server.url, disarmed, limitBuy('40003'));
    await ccxtFor(disarmed).cancelAllOrdersAfter(10_000);
    await sleep(1000);
    const off = (await ccxtFor(disarmed).cancelAllOrdersAfter(0)) as { data?: Array<Record<string, string>> };
    assert.equal(off.data?.[0]?.triggerTime, '0');

    // A restart in between: the countdowns are in the database, not in the process.
    await server.stop();
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0' });
    await until(
      'the account-level countdown',
      async () =>
        (await stateOf(server.url, account, acc1)) === 'canceled' &&
        (await stateOf(server.url, account, acc2)) === 'canceled',
      15_000,
    );
    await until(
      'the tag-level countdown',
      async () => (await stateOf(server.url, tagged, viaOkxApi?.ordId ?? '')) === 'canceled',
      15_000,
    );
    assert.equal(await stateOf(server.url, tagged, untagged), 'live');
    assert.equal(await stateOf(server.url, disarmed, kept), 'live');
  });
});

const unavailable = await postgresUnavailable();

/** Two instances on one PostgreSQL schema: a countdown set through one fires though that one is gone. */
describe('cancel-all-after with two instances on one PostgreSQL', { skip: unavailable ?? false }, () => {
  const masterKey = randomBytes(32).toString('hex');
  let env: Record<string, string> = {};
  let a: RunningServer | null = null;
  let b: RunningServer | null = null;
  let c: Credentials;

  before(async () => {
    const url = await freshSchemaUrl();
    env = { SIGNET_MASTER_KEY: masterKey, DATABASE_URL: url, SIGNET_MARKET_MAKER: '0', SIGNET_LOG_LEVEL: 'warn' };
    const run = async (args: string[]): Promise<string> => {
      const r = await cli([...args, '--db', url], { env: { SIGNET_MASTER_KEY: masterKey } });
      if (r.code !== 0) throw new Error(`signet ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };
    await run(['migrate']);
    await run(['user', 'create', '--email', 'pg@example.com', '--password', 'a long enough password']);
    await run(['deposit', '--user', 'pg@example.com', '--ccy', 'USDT', '--amt', '10000']);
    const k = JSON.parse(
      await run([
        'keys',
        'create',
        '--user',
        'pg@example.com',
        '--name',
        'k',
        '--passphrase',
        PASSPHRASE,
        '--perm',
        'read,trade',
        '--json',
      ]),
    ) as { apiKey: string; secretKey: string };
    c = { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
    [a, b] = await Promise.all([startServer(tempDir(), env), startServer(tempDir(), env)]);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await dropSchemas();
  });

  test('set on A, A crashes, B cancels the orders when the time comes', async () => {
    if (a === null || b === null) throw new Error('servers not started');
    const first = await placeRaw(a.url, c, limitBuy('30000'));
    const second = await placeRaw(b.url, c, limitBuy('30001'));
    const r: Envelope = await signedCall(a.url, c, 'POST', '/api/v5/trade/cancel-all-after', { timeOut: '10' });
    assert.equal(r.code, '0');
    await a.kill('SIGKILL');
    a = null;
    const survivor = b;
    await until(
      'the countdown set on the instance that crashed',
      async () =>
        (await stateOf(survivor.url, c, first)) === 'canceled' &&
        (await stateOf(survivor.url, c, second)) === 'canceled',
      15_000,
    );
  });
});
