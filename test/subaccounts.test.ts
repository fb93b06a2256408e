import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type Credentials,
  cli,
  cliJson,
  cliOk,
  createTradingKey,
  PASSPHRASE,
  type RunningServer,
  startServer,
  tempDir,
} from './helpers.js';
import { balanceCode, ccxtOkx, okxApi, untilBalanceCode, wsLoggedIn } from './real-clients.js';

/**
 * Sub-accounts against `signet serve` in its own process: created and listed with okx-api's
 * RestClient (unchanged), a key made in one with the CLI (`keys create --sub`), traded with ccxt in
 * the sub-account's own balances, frozen and unfrozen from the CLI (seen by ccxt and a WebSocket).
 */

const MASTER = 'platform@example.com';
const PASSWORD = 'a long enough password';

interface CreatedKey extends Credentials {
  perm: string;
}
interface Listing {
  name: string;
  uid: string;
  state: string;
  canTransOut: boolean;
  keys: number;
  balances: { trading: Record<string, string>; funding: Record<string, string> };
}

describe('sub-accounts with okx-api, ccxt and the CLI against a real server', () => {
  const data = tempDir();
  let server: RunningServer;
  let master: Credentials;
  let masterUid: string;
  let subKey: CreatedKey;
  let subUid: string;

  before(async () => {
    await cliOk(['user', 'create', '--email', MASTER, '--password', PASSWORD], data);
    master = await createTradingKey(data, MASTER, 'platform');
    masterUid = String((await cliJson<Array<{ email: string; uid: string }>>(['user', 'list'], data))[0]?.uid);
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0' });
  });
  after(async () => {
    await server.stop();
  });

  test('okx-api: create-subaccount (postPrivate) and getSubAccountList; the CLI lists it', async () => {
    const client = okxApi(server.url, master);
    const made = (await client.postPrivate('/api/v5/users/subaccount/create-subaccount', {
      subAcct: 'platUser01',
      type: '1',
      label: 'user*0001',
    })) as Array<{ subAcct: string; label: string; uid: string; ts: string }>;
    assert.equal(made[0]?.subAcct, 'platUser01');
    subUid = String(made[0]?.uid);
    // okx-api's SubAccount type leaves out `uid`, which OKX (and signet) answer.
    const list = (await client.getSubAccountList({ subAcct: 'platUser01' })) as unknown as Array<{
      subAcct: string;
      enable: boolean;
      type: string;
      uid: string;
    }>;
    assert.deepEqual(
      list.map((s) => [s.subAcct, s.enable, s.type, s.uid]),
      [['platUser01', true, '1', subUid]],
    );
    // OKX's limit: 1 create per second per account (User ID). Two at once: one is refused with 50011.
    const burst = await Promise.allSettled(
      ['platUser02', 'platUser03'].map((subAcct) =>
        client.postPrivate('/api/v5/users/subaccount/create-subaccount', { subAcct, type: '1' }),
      ),
    );
    const codes = burst.map((r) => (r.status === 'fulfilled' ? '0' : String((r.reason as { code?: string }).code)));
    assert.ok(codes.includes('50011'), `one of two creates at once is over the limit: ${codes.join(',')}`);
    for (const name of ['platUser02', 'platUser03']) {
      const found = await client.getSubAccountList({ subAcct: name });
      if (found.length > 0) await cliOk(['subaccount', 'freeze', '--user', MASTER, '--name', name], data);
    }
    const listed = await cliJson<Listing[]>(['subaccount', 'list', '--user', MASTER], data);
    assert.deepEqual(
      listed.filter((s) => s.name === 'platUser01').map((s) => [s.name, s.uid, s.state, s.keys]),
      [['platUser01', subUid, 'active', 0]],
    );
    const users = await cliJson<Array<{ email: string }>>(['user', 'list'], data);
    assert.deepEqual(
      users.map((u) => u.email),
      [MASTER],
      'a sub-account is no login: user list leaves it out',
    );
  });

  test("the CLI makes a key in the sub-account; ccxt trades in the sub-account's own balances and sees the master", async () => {
    await cliOk(['deposit', '--user', MASTER, '--sub', 'platUser01', '--ccy', 'USDT', '--amt', '1000'], data);
    subKey = {
      ...(await cliJson<CreatedKey>(
        [
          'keys',
          'create',
          '--user',
          MASTER,
          '--sub',
          'platUser01',
          '--name',
          'bot',
          '--passphrase',
          PASSPHRASE,
          '--perm',
          'read,trade',
        ],
        data,
      )),
      passphrase: PASSPHRASE,
    };
    const keys = await cliJson<Array<{ apiKey: string }>>(
      ['keys', 'list', '--user', MASTER, '--sub', 'platUser01'],
      data,
    );
    assert.deepEqual(
      keys.map((k) => k.apiKey),
      [subKey.apiKey],
    );
    const masterKeys = await cliJson<Array<{ apiKey: string }>>(['keys', 'list', '--user', MASTER], data);
    assert.equal(
      masterKeys.some((k) => k.apiKey === subKey.apiKey),
      false,
      "not the master's key",
    );

    const ex = ccxtOkx(server.url, subKey);
    await ex.loadMarkets();
    assert.equal((await ex.fetchBalance())['USDT']?.free, 1000);
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000);
    assert.match(String(order.id), /^\d+$/);
    const after = await ex.fetchBalance();
    assert.deepEqual([after['USDT']?.free, after['USDT']?.used], [500, 500]);
    assert.equal((await ccxtOkx(server.url, master).fetchBalance())['USDT']?.free, undefined, "the master's is apart");

    const [account] = await ex.fetchAccounts();
    const info = account?.info as { uid: string; mainUid: string; type: string };
    assert.deepEqual([info.uid, info.mainUid, info.type], [subUid, masterUid, '1']);
    const listed = (await cliJson<Listing[]>(['subaccount', 'list', '--user', MASTER], data)).find(
      (s) => s.name === 'platUser01',
    );
    assert.deepEqual([listed?.keys, listed?.balances.trading], [1, { USDT: '500' }]);

    await assert.rejects(okxApi(server.url, subKey).getSubAccountList(), (err: unknown) => {
      assert.equal((err as { code?: string }).code, '59500');
      return true;
    });
  });

  test('freeze from the CLI: the key is refused (50100) within 1 s and its WebSocket closed; unfreeze restores it', async (t) => {
    assert.equal(await balanceCode(server.url, subKey), '0');
    const session = await wsLoggedIn(server.url, subKey);
    const frozen = await cliJson<Listing>(['subaccount', 'freeze', '--user', MASTER, '--name', 'platUser01'], data);
    assert.equal(frozen.state, 'frozen');
    const took = await untilBalanceCode(server.url, subKey, '50100');
    t.diagnostic(`50100 after ${took} ms`);
    assert.ok(took < 1000, `refused after ${took} ms`);
    assert.equal(await session.closed, 4007, "the key's WebSocket session is closed");
    const list = await okxApi(server.url, master).getSubAccountList({ subAcct: 'platUser01' });
    assert.deepEqual(
      list.map((s: { subAcct: string; enable: boolean }) => [s.subAcct, s.enable]),
      [['platUser01', false]],
    );
    const again = await cli(['subaccount', 'freeze', '--user', MASTER, '--name', 'platUser01'], { data });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already frozen/);

    await cliOk(['subaccount', 'unfreeze', '--user', MASTER, '--name', 'platUser01'], data);
    const back = await untilBalanceCode(server.url, subKey, '0');
    assert.ok(back < 1000, `works again after ${back} ms`);
    (await wsLoggedIn(server.url, subKey)).ws.close();
  });

  test('a sub-account cannot log in to the console, nor can its name be signed up', async () => {
    for (const email of ['subaccount:platUser01', 'subaccount:platuser01']) {
      const login = await fetch(`${server.url}/console/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      assert.notEqual(login.status, 200, email);
      const signup = await fetch(`${server.url}/console/api/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      assert.notEqual(signup.status, 201, email);
      assert.match(await signup.text(), /not an email address/);
    }
    const bad = await cli(['subaccount', 'create', '--user', MASTER, '--name', '123456'], { data });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /at least one letter.*\(OKX code 51000\)/);
    const unknown = await cli(['keys', 'list', '--user', MASTER, '--sub', 'nosuch01'], { data });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /59510/);
  });
});
