import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type Credentials,
  cli,
  cliJson,
  cliOk,
  consoleLogin,
  createTradingKey,
  type RunningServer,
  startServer,
  tempDir,
} from './helpers.js';
import { balanceCode, untilBalanceCode, wsLoggedIn } from './real-clients.js';

/**
 * Disable, enable and roll against `signet serve` in its own process, changed from the CLI and the
 * console API, seen from ccxt (unchanged) and a logged-in WebSocket.
 */

const EMAIL = 'state@example.com';
const PASSWORD = 'a long enough password';

interface KeyJson {
  apiKey: string;
  disabled: boolean;
  disabledAt: string | null;
  graceUntil: string | null;
  perm: string;
  ip: string;
}
interface Activity {
  events: Array<{ action: string; actor: string; detail: Record<string, unknown> }>;
  rejections: Array<{ code: string; count: number }>;
}

describe('disable, enable and roll through the CLI and the console, seen by ccxt and WebSocket', () => {
  const data = tempDir();
  let server: RunningServer;
  let key: Credentials;
  const keyJson = async (): Promise<KeyJson> => {
    const found = (await cliJson<KeyJson[]>(['keys', 'list', '--user', EMAIL], data)).find(
      (k) => k.apiKey === key.apiKey,
    );
    assert.ok(found !== undefined);
    return found;
  };
  const activity = async (): Promise<Activity> => {
    const { cookie } = await consoleLogin(server.url, EMAIL, PASSWORD);
    const res = await fetch(`${server.url}/console/api/keys/${key.apiKey}/activity`, { headers: { cookie } });
    assert.equal(res.status, 200);
    return (await res.json()) as Activity;
  };

  before(async () => {
    await cliOk(['user', 'create', '--email', EMAIL, '--password', PASSWORD], data);
    key = await createTradingKey(data, EMAIL, 'bot');
    server = await startServer(data, {
      SIGNET_MARKET_MAKER: '0',
      SIGNET_AUTH_FAILS_PER_IP: '1000',
      SIGNET_AUTH_FAILS_PER_KEY: '1000',
    });
  });
  after(() => server?.stop());

  test('disable from the console: ccxt gets 50100 within 1 s and the WebSocket session is closed; enable from the CLI restores it', async (t) => {
    assert.equal(await balanceCode(server.url, key), '0');
    const session = await wsLoggedIn(server.url, key);
    const { cookie, csrf } = await consoleLogin(server.url, EMAIL, PASSWORD);
    const res = await fetch(`${server.url}/console/api/keys/${key.apiKey}/disable`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as KeyJson).disabled, true);
    const took = await untilBalanceCode(server.url, key, '50100');
    t.diagnostic(`50100 after ${took} ms`);
    assert.ok(took < 1000, `refused after ${took} ms`);
    assert.equal(await session.closed, 4007, "the key's WebSocket session is closed");
    await assert.rejects(wsLoggedIn(server.url, key), /50100/, 'and a new login is refused');

    const again = await cli(['keys', 'disable', '--user', EMAIL, '--key', key.apiKey], { data });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already disabled/);
    const unknown = await cli(['keys', 'disable', '--key', '00000000-0000-4000-8000-000000000000'], { data });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no API key 00000000-0000-4000-8000-000000000000/);
    const listed = await cliOk(['keys', 'list', '--user', EMAIL], data);
    assert.match(listed, /State: +DISABLED since/);

    const enabled = await cliJson<KeyJson>(['keys', 'enable', '--user', EMAIL, '--key', key.apiKey], data);
    assert.deepEqual([enabled.disabled, enabled.perm, enabled.ip], [false, 'read_only,trade', '127.0.0.1']);
    await untilBalanceCode(server.url, key, '0');
    const session2 = await wsLoggedIn(server.url, key);
    session2.ws.close();

    const { events, rejections } = await activity();
    assert.deepEqual(
      events.slice(0, 2).map((e) => [e.action, e.actor]),
      [
        ['enable', 'cli'],
        ['disable', 'user'],
      ],
    );
    t.diagnostic(`rejections: ${JSON.stringify(rejections)}`);
  });

  test('roll with a grace: old and new secrets both work; a second roll with a 2 s grace ends the old one right at its end', async (t) => {
    const first = await cliJson<{ apiKey: string; secretKey: string; graceUntil: string }>(
      // As the issue names it: the key alone identifies the account.
      ['keys', 'roll', '--key', key.apiKey, '--grace', '24h'],
      data,
    );
    assert.equal(first.apiKey, key.apiKey);
    const rolled = { ...key, secretKey: first.secretKey };
    // A key change, like any other: every instance has the new secret within ~1 s.
    assert.ok((await untilBalanceCode(server.url, rolled, '0')) < 1000, 'the new secret works within 1 s');
    assert.equal(await balanceCode(server.url, key), '0', 'the old one during the grace');
    assert.equal((await keyJson()).graceUntil, first.graceUntil);

    const text = await cliOk(['keys', 'roll', '--user', EMAIL, '--key', key.apiKey, '--grace', '2s'], data);
    const secret = /Secret key: +([0-9A-F]{32})/.exec(text)?.[1];
    const graceUntil = Date.parse(/until (\S+) \(grace 2s\)/.exec(text)?.[1] ?? '');
    assert.ok(secret !== undefined && Number.isFinite(graceUntil), text);
    const newest = { ...key, secretKey: secret };
    await untilBalanceCode(server.url, newest, '0');
    assert.equal(await balanceCode(server.url, key), '50113', 'the original secret stopped: only the last one is kept');
    // The first roll's secret: accepted while the grace runs, refused from its end.
    let asked = 0;
    for (;;) {
      const sentAt = Date.now();
      const got = await balanceCode(server.url, rolled);
      const answeredAt = Date.now();
      asked++;
      if (answeredAt < graceUntil) assert.equal(got, '0', 'accepted during the grace');
      if (sentAt >= graceUntil) {
        assert.equal(got, '50113', 'refused after the grace');
        t.diagnostic(`refused ${sentAt - graceUntil} ms after the grace ended (${asked} requests)`);
        break;
      }
    }
    assert.equal(await balanceCode(server.url, newest), '0');

    const over = await cli(['keys', 'roll', '--user', EMAIL, '--key', key.apiKey, '--grace', '8d'], { data });
    assert.equal(over.code, 1);
    assert.match(over.stderr, /at most 7 days/);

    const { events } = await activity();
    const rolls = events.filter((e) => e.action === 'roll');
    assert.equal(rolls.length, 2);
    assert.equal(rolls[0]?.detail['graceUntil'], new Date(graceUntil).toISOString());
    assert.equal(rolls[1]?.detail['graceUntil'], first.graceUntil);
    assert.ok(!JSON.stringify(events).includes(secret) && !JSON.stringify(events).includes(first.secretKey));
  });
});
