import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ccxt from 'ccxt';
import {
  type Credentials,
  cliOk,
  createTradingKey,
  pollUntil,
  type RunningServer,
  startServer,
  tempDir,
} from './helpers.js';
import { ccxtOkx, okxApi, wsLoggedIn } from './real-clients.js';
import { seedSubAccountOf } from './subaccount-seed.js';

const MASTER = 'platform@example.com';
const SUB = 'desk0001';
const SUB_PASSPHRASE = 'Sub-Passw0rd!';
const LIMIT = { timeout: 30_000 };

/** What ccxt's fetchBalance answers with the key: 'ok', or the OKX code in the error it throws. */
async function balanceOutcome(url: string, key: Credentials): Promise<string> {
  try {
    await ccxtOkx(url, key).fetchBalance();
    return 'ok';
  } catch (err) {
    const code = /"code":"(\d+)"/.exec(String(err))?.[1] ?? String(err);
    return `${err instanceof ccxt.BaseError ? err.constructor.name : 'Error'} ${code}`;
  }
}

describe("a platform manages its sub-account's keys with okx-api and trades with them through ccxt (real server, SQLite)", () => {
  let server: RunningServer;
  let master: Credentials;
  let created: Credentials;

  before(async () => {
    const data = tempDir();
    await cliOk(['user', 'create', '--email', MASTER, '--password', 'a long enough password'], data);
    master = await createTradingKey(data, MASTER, 'platform');
    await seedSubAccountOf({ SIGNET_DATA: data }, MASTER, SUB, { USDT: '10000' });
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0', SIGNET_RATE_LIMITS: '0', SIGNET_LOG_LEVEL: 'warn' });
  });
  after(() => server?.stop());

  test("okx-api's createSubAccountAPIKey makes a key that ccxt trades with in the sub-account", LIMIT, async () => {
    const client = okxApi(server.url, master);
    const [made] = (await client.createSubAccountAPIKey({
      subAcct: SUB,
      label: 'desk bot',
      passphrase: SUB_PASSPHRASE,
      perm: 'trade',
      ip: '127.0.0.1',
    })) as Array<Record<string, string>>;
    assert.equal(made?.subAcct, SUB);
    assert.equal(made?.perm, 'read_only,trade');
    created = { apiKey: made?.apiKey ?? '', secretKey: made?.secretKey ?? '', passphrase: SUB_PASSPHRASE };

    const ex = ccxtOkx(server.url, created);
    const balance = await ex.fetchBalance();
    assert.equal(balance['USDT']?.total, 10000, "the sub-account's own balance");
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 1000);
    const open = await ex.fetchOpenOrders('BTC/USDT');
    assert.deepEqual(
      open.map((o) => o.id),
      [order.id],
    );
    assert.equal((await ex.fetchBalance())['USDT']?.free, 9990);
    // The master's own account saw none of it.
    const masterBalance = await ccxtOkx(server.url, master).fetchBalance();
    assert.equal(masterBalance['USDT']?.total ?? 0, 0);
  });

  test('the query shows the key without a secret (getPrivate, as okx-api has no method for it)', LIMIT, async () => {
    const rows = (await okxApi(server.url, master).getPrivate('/api/v5/users/subaccount/apikey', {
      subAcct: SUB,
    })) as Array<Record<string, string>>;
    assert.deepEqual(
      rows.map((r) => [r.label, r.apiKey, r.perm, r.ip]),
      [['desk bot', created.apiKey, 'read_only,trade', '127.0.0.1']],
    );
    assert.equal(JSON.stringify(rows).includes(created.secretKey), false);
    // ccxt's implicit method for the same endpoint.
    const viaCcxt = (await ccxtOkx(server.url, master).privateGetUsersSubaccountApikey({ subAcct: SUB })) as {
      data: Array<Record<string, string>>;
    };
    assert.deepEqual(
      viaCcxt.data.map((r) => r.apiKey),
      [created.apiKey],
    );
  });

  test("a sub-account's key cannot manage keys (59500), through okx-api", LIMIT, async () => {
    const sub = okxApi(server.url, created);
    await assert.rejects(
      sub.createSubAccountAPIKey({ subAcct: SUB, label: 'nope', passphrase: SUB_PASSPHRASE }),
      (err: unknown) => (err as { code?: string }).code === '59500',
    );
    await assert.rejects(
      sub.resetSubAccountAPIKey({ subAcct: SUB, apiKey: created.apiKey, ip: '' }),
      (err: unknown) => (err as { code?: string }).code === '59500',
    );
  });

  test(
    "resetSubAccountAPIKey to another IP: ccxt gets 50110 and the key's socket closes with 4007",
    LIMIT,
    async () => {
      const socket = await wsLoggedIn(server.url, created);
      const client = okxApi(server.url, master);
      const [changed] = await client.resetSubAccountAPIKey({
        subAcct: SUB,
        apiKey: created.apiKey,
        ip: '192.0.2.1',
      });
      assert.equal(changed?.ip, '192.0.2.1');
      const refused = await pollUntil('50110', async () => {
        const outcome = await balanceOutcome(server.url, created);
        return outcome === 'ok' ? undefined : outcome;
      });
      assert.equal(refused.value, 'PermissionDenied 50110');
      assert.equal(await socket.closed, 4007);
      // ip "" unbinds: usable from here again.
      await client.resetSubAccountAPIKey({ subAcct: SUB, apiKey: created.apiKey, ip: '' });
      await pollUntil('the key usable again', async () =>
        (await balanceOutcome(server.url, created)) === 'ok' ? true : undefined,
      );
    },
  );

  test('delete-apikey: ccxt gets 50111 within 1 s, and a logged-in socket is closed with 4007', LIMIT, async () => {
    const socket = await wsLoggedIn(server.url, created);
    const client = okxApi(server.url, master);
    const [deleted] = (await client.postPrivate('/api/v5/users/subaccount/delete-apikey', {
      subAcct: SUB,
      apiKey: created.apiKey,
    })) as Array<Record<string, string>>;
    assert.deepEqual(deleted, { subAcct: SUB });
    const refused = await pollUntil('50111', async () => {
      const outcome = await balanceOutcome(server.url, created);
      return outcome === 'ok' ? undefined : outcome;
    });
    assert.equal(refused.value, 'AuthenticationError 50111');
    assert.ok(refused.ms < 1000, `refused after ${refused.ms} ms`);
    assert.equal(await socket.closed, 4007);
  });
});
