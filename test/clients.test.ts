import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ccxt from 'ccxt';
import { RestClient } from 'okx-api';
import { cli, cliJson, cliOk, PASSPHRASE, type RunningServer, startServer, tempDir } from './helpers.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
  label: string;
  perm: string;
  ip: string;
  env: string;
}

/**
 * The real OKX clients from npm, unchanged, against `signet serve` in its own process, with
 * users, keys and funds made by the real CLI on the same data directory.
 */
describe('ccxt okx and okx-api against a listening server', () => {
  const data = tempDir();
  const email = 'bot@example.com';
  let server: RunningServer;
  let key: CreatedKey;

  const ccxtFor = (k: { apiKey: string; secretKey: string }, passphrase = PASSPHRASE, sandbox = false) => {
    const ex = new ccxt.okx({
      apiKey: k.apiKey,
      secret: k.secretKey,
      password: passphrase,
      urls: { api: { rest: server.url }, test: { rest: server.url } },
    });
    if (sandbox) ex.setSandboxMode(true);
    return ex;
  };
  const okxApiFor = (k: { apiKey: string; secretKey: string }, demoTrading = false) =>
    new RestClient({ apiKey: k.apiKey, apiSecret: k.secretKey, apiPass: PASSPHRASE, baseUrl: server.url, demoTrading });
  const newKey = (name: string, extra: string[] = []) =>
    cliJson<CreatedKey>(
      ['keys', 'create', '--user', email, '--name', name, '--passphrase', PASSPHRASE, ...extra],
      data,
    );

  before(async () => {
    await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
    await cliOk(['deposit', '--user', email, '--ccy', 'USDT', '--amt', '1000'], data);
    await cliOk(['deposit', '--user', email, '--ccy', 'BTC', '--amt', '0.5', '--to', 'funding'], data);
    await cliOk(['deposit', '--user', email, '--ccy', 'ETH', '--amt', '3', '--demo'], data);
    server = await startServer(data);
    key = await newKey('main bot', ['--perm', 'read,trade']);
  });
  after(async () => {
    await server.stop();
  });

  test('ccxt: loadMarkets and fetchBalance (trading and funding)', async () => {
    const ex = ccxtFor(key);
    const markets = await ex.loadMarkets();
    for (const symbol of ['BTC/USDT', 'ETH/USDT', 'ETH/BTC', 'SOL/USDT']) {
      assert.equal(markets[symbol]?.spot, true, symbol);
      assert.equal(markets[symbol]?.active, true, symbol);
    }
    assert.equal(markets['BTC/USDT']?.precision.price, 0.1);
    assert.equal(markets['BTC/USDT']?.limits.amount?.min, 0.00001);
    assert.ok(ex.currencies['USDT']?.networks !== undefined);
    const balance = await ex.fetchBalance();
    assert.deepEqual([balance['USDT']?.free, balance['USDT']?.used, balance['USDT']?.total], [1000, 0, 1000]);
    const funding = await ex.fetchBalance({ type: 'funding' });
    assert.equal(funding['BTC']?.total, 0.5);
  });

  test('okx-api: getServerTime, getAccountConfiguration, getBalance', async () => {
    const client = okxApiFor(key);
    const time = await client.getServerTime();
    assert.ok(Math.abs(Number(time) - Date.now()) < 5000, `server time ${String(time)}`);
    const [config] = await client.getAccountConfiguration();
    assert.equal(config?.perm, 'read_only,trade');
    assert.equal(config?.ip, '');
    assert.equal(config?.label, 'main bot');
    assert.match(String(config?.uid), /^[1-9]\d{15}$/);
    const [balance] = await client.getBalance();
    assert.deepEqual(
      balance?.details.map((d) => [d.ccy, d.availBal]),
      [['USDT', '1000']],
    );
    // okx-api signs `ccy=USDT,BTC` unencoded and axios sends the comma as it is: the raw target matches, as at OKX.
    const [filtered] = await client.getBalance({ ccy: 'USDT,BTC' });
    assert.deepEqual(
      filtered?.details.map((d) => d.ccy),
      ['USDT'],
    );
    const [none] = await client.getBalance({ ccy: 'ETH' });
    assert.deepEqual(none?.details, []);
  });

  test('demo keys: ccxt sandbox mode and okx-api demoTrading see the demo ledger; live key refused there', async () => {
    const demo = await newKey('demo bot', ['--demo']);
    assert.equal(demo.env, 'demo');
    const balance = await ccxtFor(demo, PASSPHRASE, true).fetchBalance();
    assert.equal(balance['ETH']?.total, 3);
    assert.equal(balance['USDT'], undefined);
    const [okxBalance] = await okxApiFor(demo, true).getBalance();
    assert.deepEqual(
      okxBalance?.details.map((d) => d.ccy),
      ['ETH'],
    );
    await assert.rejects(ccxtFor(key, PASSPHRASE, true).fetchBalance(), ccxt.AuthenticationError);
    await assert.rejects(ccxtFor(demo).fetchBalance(), ccxt.AuthenticationError);
  });

  test('wrong secret and wrong passphrase: ccxt AuthenticationError, okx-api sees the OKX code', async () => {
    await assert.rejects(ccxtFor({ ...key, secretKey: 'F'.repeat(32) }).fetchBalance(), ccxt.AuthenticationError);
    await assert.rejects(ccxtFor(key, 'Wr0ng-passphrase').fetchBalance(), ccxt.AuthenticationError);
    const wrong = new RestClient({
      apiKey: key.apiKey,
      apiSecret: key.secretKey,
      apiPass: 'Wr0ng-passphrase',
      baseUrl: server.url,
    });
    await assert.rejects(wrong.getBalance(), (err: unknown) => JSON.stringify(err).includes('50105'));
  });

  test('a key bound to other IPs: ccxt PermissionDenied', async () => {
    const bound = await newKey('bound bot', ['--ip', '203.0.113.9,2001:db8::/32']);
    await assert.rejects(ccxtFor(bound).fetchBalance(), (err: unknown) => {
      assert.ok(err instanceof ccxt.PermissionDenied, String(err));
      assert.match(String(err), /Your IP 127\.0\.0\.1 is not included/);
      return true;
    });
    // Binding 127.0.0.1 with the CLI admits it within a second.
    await cliOk(['keys', 'modify', '--user', email, '--key', bound.apiKey, '--ip', '203.0.113.9,127.0.0.1'], data);
    await eventually(async () => {
      await ccxtFor(bound).fetchBalance();
    }, 1000);
  });

  test('a stale timestamp: ccxt InvalidNonce', async () => {
    const ex = ccxtFor(key);
    // The client's clock runs 45 s behind: what a bot on a drifting machine sends.
    ex.milliseconds = () => Date.now() - 45_000;
    await assert.rejects(ex.fetchBalance(), ccxt.InvalidNonce);
  });

  test('deleted with the CLI while the server runs: ccxt AuthenticationError within 1 s', async () => {
    const doomed = await newKey('doomed');
    const ex = ccxtFor(doomed);
    await ex.fetchBalance();
    const r = await cli(['keys', 'delete', '--user', email, '--key', doomed.apiKey, '--yes'], { data });
    assert.equal(r.code, 0, r.stderr);
    const deletedAt = Date.now();
    let refusedAfter = -1;
    while (Date.now() - deletedAt < 3000) {
      try {
        await ex.fetchBalance();
      } catch (err) {
        assert.ok(err instanceof ccxt.AuthenticationError, String(err));
        refusedAfter = Date.now() - deletedAt;
        break;
      }
      await new Promise((res) => setTimeout(res, 25));
    }
    assert.ok(refusedAfter >= 0 && refusedAfter < 1000, `refused after ${refusedAfter} ms`);
  });

  test('a key created by the CLI works at once', async () => {
    const fresh = await newKey('fresh');
    const [config] = await okxApiFor(fresh).getAccountConfiguration();
    assert.equal(config?.label, 'fresh');
  });

  test('rejections are logged with their code, never with secrets', async () => {
    await assert.rejects(ccxtFor(key, 'Wr0ng-passphrase-2').fetchBalance());
    const logs = server.logs();
    assert.match(logs, /"code":"50105"/);
    assert.ok(!logs.includes(key.secretKey));
    assert.ok(!logs.includes(PASSPHRASE));
    assert.ok(!logs.includes('Wr0ng-passphrase-2'));
  });
});

async function eventually(check: () => Promise<void>, withinMs: number): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() - start > withinMs) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
