import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { TRADING } from '../src/core/ledger.js';
import type { Runtime } from '../src/runtime.js';
import { type Agent, type CallArgs, consoleCall, cookieOf, TotpClock } from './console-agent.js';
import { PASSPHRASE, signedHeaders, testApp } from './helpers.js';

const PASSWORD = 'correct horse battery';
const clock = new TotpClock();
const nextCode = (agent: Agent): string => clock.nextCode(agent.secret);

interface SubRow {
  name: string;
  uid: string;
  label: string;
  frozen: boolean;
  canTransOut: boolean;
  keyCount: number;
  trading: Array<{ ccy: string; avail: string }>;
  funding: Array<{ ccy: string; avail: string }>;
}

/** The console API of the Sub-accounts page: the logged-in master's sub-accounts, their balances and keys. */
describe('console API: sub-accounts', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let rt: Runtime;
  let master: Agent;
  let other: Agent;
  let apiKey: string;
  let secretKey: string;
  const call = (...args: CallArgs) => consoleCall(app, ...args);
  const signup = async (email: string): Promise<Agent> => {
    const res = await call(null, 'POST', '/signup', { email, password: PASSWORD });
    const agent = { cookie: cookieOf(res), csrf: String(res.json().csrfToken), secret: '' };
    agent.secret = String((await call(agent, 'POST', '/security/totp/setup')).json().secret);
    assert.equal((await call(agent, 'POST', '/security/totp/enable', { code: nextCode(agent) })).statusCode, 200);
    return agent;
  };
  const list = async (agent: Agent): Promise<SubRow[]> => {
    const res = await call(agent, 'GET', '/subaccounts');
    assert.equal(res.statusCode, 200, res.body);
    return res.json().subaccounts as SubRow[];
  };
  /** The V5 code of a balance request with the sub-account's key, after this process has seen every key change. */
  const v5 = async () => {
    await rt.keyring.sync();
    const path = '/api/v5/account/balance';
    const headers = signedHeaders({ apiKey, secretKey, passphrase: PASSPHRASE }, 'GET', path, '', {
      timestamp: new Date(clock.at).toISOString(),
    });
    return String((await app.inject({ method: 'GET', url: path, headers })).json().code);
  };

  before(async () => {
    ({ app, close, rt } = await testApp({ SIGNET_SIGNUPS_PER_IP: '100' }, clock.now));
    master = await signup('master@example.com');
    other = await signup('other@example.com');
  });
  after(async () => close());

  test('create: the session and CSRF token are needed; bad names are refused with their field; a taken name is 59601', async () => {
    assert.equal((await call(null, 'POST', '/subaccounts', { name: 'desk001' })).statusCode, 401);
    assert.equal((await call(master, 'POST', '/subaccounts', { name: 'desk001' }, { csrf: null })).statusCode, 403);
    const bad = await call(master, 'POST', '/subaccounts', { name: 'ab' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'subAcct');
    assert.match(bad.json().error.message, /subAcct/);
    const res = await call(master, 'POST', '/subaccounts', { name: 'desk001', label: 'DeskOne' });
    assert.equal(res.statusCode, 201, res.body);
    const made = res.json() as SubRow;
    assert.deepEqual([made.name, made.label, made.frozen, made.keyCount], ['desk001', 'DeskOne', false, 0]);
    assert.match(made.uid, /^\d+$/);
    const taken = await call(other, 'POST', '/subaccounts', { name: 'desk001' });
    assert.equal(taken.json().error.code, '59601');
  });

  test('list: only the master’s own sub-accounts, with trading and funding balances and the key count', async () => {
    const sub = await rt.subAccounts.get((await rt.users.byEmail('master@example.com')).id, 'desk001');
    await rt.ledger.deposit(sub.userId, 'live', TRADING, 'USDT', '1234.5', clock.now());
    const made = await rt.keys.create(
      sub.userId,
      { label: 'sub bot', passphrase: PASSPHRASE, perm: 'read,trade', ip: '', env: 'live' },
      'cli',
      clock.now(),
    );
    ({ apiKey, secretKey } = made);
    const [row] = await list(master);
    assert.equal(row?.name, 'desk001');
    assert.equal(row?.keyCount, 1);
    assert.deepEqual(
      row?.trading.map((b) => [b.ccy, Number(b.avail)]),
      [['USDT', 1234.5]],
    );
    assert.deepEqual(row?.funding, []);
    assert.deepEqual(await list(other), [], 'another master sees none of them');
  });

  test('keys: listed without secrets; another master gets 404; delete makes the key answer 50111', async () => {
    assert.equal(await v5(), '0');
    const res = await call(master, 'GET', '/subaccounts/desk001/keys');
    assert.equal(res.statusCode, 200, res.body);
    const keys = res.json().keys as Array<Record<string, unknown>>;
    assert.deepEqual(
      keys.map((k) => [k.apiKey, k.label, k.perm]),
      [[apiKey, 'sub bot', 'read_only,trade']],
    );
    assert.ok(!res.body.includes(secretKey), 'never the secret');
    assert.ok(!JSON.stringify(keys).includes('passphrase'), 'never the passphrase');

    const foreign = await call(other, 'GET', '/subaccounts/desk001/keys');
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().error.code, '59510');
    const foreignDelete = await call(other, 'DELETE', `/subaccounts/desk001/keys/${apiKey}`);
    assert.equal(foreignDelete.statusCode, 404);
    assert.equal(await v5(), '0', 'another master deleted nothing');
    // The master's own key list does not reach the sub-account's keys.
    assert.equal((await call(master, 'DELETE', `/keys/${apiKey}`)).statusCode, 404);

    const gone = await call(master, 'DELETE', `/subaccounts/desk001/keys/${apiKey}`);
    assert.equal(gone.statusCode, 200, gone.body);
    assert.equal(await v5(), '50111');
    assert.deepEqual((await call(master, 'GET', '/subaccounts/desk001/keys')).json().keys, []);
    assert.equal((await list(master))[0]?.keyCount, 0);
    const subId = (await rt.subAccounts.get((await rt.users.byEmail('master@example.com')).id, 'desk001')).userId;
    const audit = await rt.store.listKeyAudit(subId, apiKey, 10);
    assert.ok(
      audit.some((a) => a.action === 'delete' && a.actor === 'user'),
      JSON.stringify(audit),
    );
  });

  test('freeze with the session; unfreeze needs a code (a wrong or missing one changes nothing); another master gets 404', async () => {
    const made = await rt.keys.create(
      (await rt.subAccounts.get((await rt.users.byEmail('master@example.com')).id, 'desk001')).userId,
      { label: 'sub bot 2', passphrase: PASSPHRASE, perm: 'read', ip: '', env: 'live' },
      'cli',
      clock.now(),
    );
    ({ apiKey, secretKey } = made);
    assert.equal((await call(other, 'POST', '/subaccounts/desk001/freeze')).statusCode, 404);
    const frozen = await call(master, 'POST', '/subaccounts/desk001/freeze');
    assert.equal(frozen.statusCode, 200, frozen.body);
    assert.equal(frozen.json().frozen, true);
    assert.equal(await v5(), '50100');
    const again = await call(master, 'POST', '/subaccounts/desk001/freeze');
    assert.equal(again.statusCode, 400);
    assert.match(again.json().error.message, /already frozen/);

    assert.notEqual((await call(master, 'POST', '/subaccounts/desk001/unfreeze', {})).statusCode, 200);
    assert.notEqual((await call(master, 'POST', '/subaccounts/desk001/unfreeze', { code: '000000' })).statusCode, 200);
    assert.equal((await list(master))[0]?.frozen, true);
    assert.equal(
      (await call(other, 'POST', '/subaccounts/desk001/unfreeze', { code: nextCode(other) })).statusCode,
      404,
    );
    const res = await call(master, 'POST', '/subaccounts/desk001/unfreeze', { code: nextCode(master) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().frozen, false);
    assert.equal(await v5(), '0');
  });
});
