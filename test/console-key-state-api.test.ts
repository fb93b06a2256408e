import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../src/runtime.js';
import { type Agent, type CallArgs, consoleCall, cookieOf, TotpClock } from './console-agent.js';
import { PASSPHRASE, signedHeaders, testApp } from './helpers.js';

const PASSWORD = 'correct horse battery';
const clock = new TotpClock();
const nextCode = (agent: Agent): string => clock.nextCode(agent.secret);

/** The console API of a key's state: disable with the session; enable and roll with a code, checked after every rule. */
describe('console API: disable, enable, roll', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let rt: Runtime;
  let agent: Agent;
  let apiKey: string;
  let secretKey: string;
  const call = (...args: CallArgs) => consoleCall(app, ...args);
  /** The V5 code for a balance request signed with `secret`, after this process has seen every key change. */
  const balance = async (secret: string) => {
    await rt.keyring.sync();
    const path = '/api/v5/account/balance';
    const timestamp = new Date(clock.at).toISOString();
    return await app
      .inject({
        method: 'GET',
        url: path,
        headers: signedHeaders({ apiKey, secretKey: secret, passphrase: PASSPHRASE }, 'GET', path, '', { timestamp }),
      })
      .then((r) => String(r.json().code));
  };

  before(async () => {
    ({ app, close, rt } = await testApp({ SIGNET_SIGNUPS_PER_IP: '100' }, clock.now));
    const res = await call(null, 'POST', '/signup', { email: 'state@example.com', password: PASSWORD });
    agent = { cookie: cookieOf(res), csrf: String(res.json().csrfToken), secret: '' };
    agent.secret = String((await call(agent, 'POST', '/security/totp/setup')).json().secret);
    assert.equal((await call(agent, 'POST', '/security/totp/enable', { code: nextCode(agent) })).statusCode, 200);
    const made = await call(agent, 'POST', '/keys', {
      name: 'bot',
      passphrase: PASSPHRASE,
      perm: ['read', 'trade'],
      ip: '',
      env: 'live',
      code: nextCode(agent),
    });
    assert.equal(made.statusCode, 201, made.body);
    ({ apiKey, secretKey } = made.json() as { apiKey: string; secretKey: string });
  });
  after(async () => close());

  test('disable needs the session only (and its CSRF token); the key list says Disabled; the key answers 50100', async () => {
    assert.equal((await call(agent, 'POST', `/keys/${apiKey}/disable`, undefined, { csrf: null })).statusCode, 403);
    assert.equal((await call(null, 'POST', `/keys/${apiKey}/disable`)).statusCode, 401);
    const res = await call(agent, 'POST', `/keys/${apiKey}/disable`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().disabled, true);
    const again = await call(agent, 'POST', `/keys/${apiKey}/disable`);
    assert.equal(again.statusCode, 400);
    assert.match(again.json().error.message, /already disabled/);
    const [listed] = (await call(agent, 'GET', '/keys')).json().keys as Array<{
      disabled: boolean;
      disabledAt: string;
    }>;
    assert.deepEqual([listed?.disabled, listed?.disabledAt], [true, new Date(clock.at).toISOString()]);
    assert.equal(await balance(secretKey), '50100');
  });

  test('enable needs a code; a wrong or missing one changes nothing; enabling an enabled key spends no code', async () => {
    assert.notEqual((await call(agent, 'POST', `/keys/${apiKey}/enable`, { code: '000000' })).statusCode, 200);
    assert.notEqual((await call(agent, 'POST', `/keys/${apiKey}/enable`, {})).statusCode, 200);
    assert.equal(await balance(secretKey), '50100');
    const code = nextCode(agent);
    const unknown = await call(agent, 'POST', '/keys/ffffffff-0000-4000-8000-000000000000/enable', { code });
    assert.equal(unknown.json().error.code, '59506');
    const res = await call(agent, 'POST', `/keys/${apiKey}/enable`, { code });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().disabled, false);
    assert.equal(await balance(secretKey), '0');
    const code2 = nextCode(agent);
    const notDisabled = await call(agent, 'POST', `/keys/${apiKey}/enable`, { code: code2 });
    assert.match(notDisabled.json().error.message, /not disabled/);
    // The code was not spent on it: it still authorizes a roll.
    const rolled = await call(agent, 'POST', `/keys/${apiKey}/roll`, { grace: '0', code: code2 });
    assert.equal(rolled.statusCode, 200, rolled.body);
    assert.equal(rolled.json().graceUntil, null);
    assert.equal(await balance(secretKey), '50113', 'grace 0: the old secret stops at once');
    secretKey = String(rolled.json().secretKey);
    assert.equal(await balance(secretKey), '0');
  });

  test('roll: a bad grace is refused before the code; the new secret once, the old one until the grace ends', async () => {
    const code = nextCode(agent);
    for (const grace of ['8d', '1w', '-1h']) {
      const bad = await call(agent, 'POST', `/keys/${apiKey}/roll`, { grace, code });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(bad.json().error.field, 'grace');
    }
    const res = await call(agent, 'POST', `/keys/${apiKey}/roll`, { grace: '1h', code });
    assert.equal(res.statusCode, 200, res.body);
    const rolled = res.json() as { apiKey: string; secretKey: string; graceUntil: string };
    const graceEnd = clock.at + 3_600_000;
    assert.deepEqual([rolled.apiKey, rolled.graceUntil], [apiKey, new Date(graceEnd).toISOString()]);
    assert.equal(await balance(rolled.secretKey), '0');
    assert.equal(await balance(secretKey), '0', 'the old secret during the grace');
    const [listed] = (await call(agent, 'GET', '/keys')).json().keys as Array<{ graceUntil: string | null }>;
    assert.equal(listed?.graceUntil, rolled.graceUntil);
    assert.ok(!JSON.stringify(listed).includes(rolled.secretKey), 'the list never shows a secret');

    clock.at = graceEnd;
    assert.equal(await balance(secretKey), '50113', 'refused from the end of the grace');
    assert.equal(await balance(rolled.secretKey), '0');
    const [ended] = (await call(agent, 'GET', '/keys')).json().keys as Array<{ graceUntil: string | null }>;
    assert.equal(ended?.graceUntil, null);
    const { events } = (await call(agent, 'GET', `/keys/${apiKey}/activity`)).json() as {
      events: Array<{ action: string; detail: Record<string, unknown> }>;
    };
    assert.deepEqual(
      events.slice(0, 4).map((e) => e.action),
      ['roll', 'roll', 'enable', 'disable'],
    );
    assert.equal(events[0]?.detail['graceUntil'], rolled.graceUntil);
  });
});
