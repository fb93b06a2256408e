import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../src/runtime.js';
import { type Credentials, PASSPHRASE, signedHeaders, testApp } from './helpers.js';

interface Envelope {
  code: string;
  msg: string;
  data: Array<Record<string, unknown>>;
}

const CREATE = '/api/v5/users/subaccount/create-subaccount';
const LIST = '/api/v5/users/subaccount/list';

describe('sub-accounts over HTTP (app.inject): create, list, set-transfer-out, account config', () => {
  let app: FastifyInstance;
  let rt: Runtime;
  let close: () => Promise<void>;
  let masterUid: string;
  let masterId: number;
  let bound: Credentials;
  let unbound: Credentials;
  let reader: Credentials;
  let demoKey: Credentials;

  const keyFor = async (userId: number, label: string, perm: string, ip?: string, env: 'live' | 'demo' = 'live') => {
    const k = await rt.keys.create(userId, { label, passphrase: PASSPHRASE, perm, ip, env }, 'cli', Date.now());
    return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
  };
  const call = async (c: Credentials, method: 'GET' | 'POST', target: string, body?: unknown, demo = false) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const res = await app.inject({
      method,
      url: target,
      payload: text,
      headers: signedHeaders(c, method, target, text, { demo }),
    });
    return { status: res.statusCode, body: res.json<Envelope>() };
  };

  before(async () => {
    ({ app, rt, close } = await testApp({ SIGNET_MARKET_MAKER: '0', SIGNET_RATE_LIMITS: '0' }));
    const master = await rt.users.create('master@example.com', 'long enough password', Date.now());
    masterUid = master.uid;
    masterId = master.id;
    bound = await keyFor(master.id, 'bound', 'trade', '127.0.0.1');
    unbound = await keyFor(master.id, 'unbound', 'trade');
    reader = await keyFor(master.id, 'reader', 'read', '127.0.0.1');
    demoKey = await keyFor(master.id, 'demo', 'trade', '127.0.0.1', 'demo');
  });
  after(() => close());

  test('a bound master key with Trade creates; pwd is ignored; the list shows it with OKX fields', async () => {
    const before = Date.now();
    const r = await call(bound, 'POST', CREATE, {
      subAcct: 'apiDesk01',
      type: '1',
      label: 'desk*01',
      pwd: 'Ignored1!',
    });
    assert.equal(r.body.code, '0', r.body.msg);
    const [made] = r.body.data;
    assert.equal(made?.subAcct, 'apiDesk01');
    assert.equal(made?.label, 'desk*01');
    assert.match(String(made?.uid), /^[1-9][0-9]{15}$/);
    assert.ok(Number(made?.ts) >= before);
    assert.deepEqual(Object.keys(made ?? {}).sort(), ['label', 'subAcct', 'ts', 'uid']);

    const list = await call(reader, 'GET', `${LIST}?subAcct=apiDesk01`);
    assert.equal(list.body.code, '0', list.body.msg);
    assert.deepEqual(list.body.data, [
      {
        type: '1',
        enable: true,
        subAcct: 'apiDesk01',
        uid: made?.uid,
        label: 'desk*01',
        mobile: '',
        gAuth: false,
        frozenFunc: [],
        canTransOut: true,
        ts: made?.ts,
        subAcctLv: '1',
        firstLvSubAcct: 'apiDesk01',
        ifDma: false,
      },
    ]);
  });

  test('refusals: no IPs 50035, Read-only 50120, duplicate 59601, bad name 51000, missing 50014, custody type 51000', async () => {
    const body = { subAcct: 'refused01', type: '1' };
    assert.equal((await call(unbound, 'POST', CREATE, body)).body.code, '50035');
    const ro = await call(reader, 'POST', CREATE, body);
    assert.deepEqual(
      [ro.body.code, ro.body.msg],
      ['50120', "This API key doesn't have permission to use this function"],
    );
    assert.equal((await call(bound, 'POST', CREATE, { subAcct: 'apiDesk01', type: '1' })).body.code, '59601');
    for (const subAcct of ['short', '1234567', 'has space1', 'x'.repeat(21)]) {
      const r = await call(bound, 'POST', CREATE, { subAcct, type: '1' });
      assert.deepEqual([r.body.code, r.body.msg], ['51000', 'Parameter subAcct error'], subAcct);
    }
    assert.equal((await call(bound, 'POST', CREATE, { type: '1' })).body.code, '50014');
    assert.equal((await call(bound, 'POST', CREATE, { subAcct: 'refused01' })).body.code, '50014');
    const custody = await call(bound, 'POST', CREATE, { subAcct: 'refused01', type: '5' });
    assert.deepEqual([custody.body.code, custody.body.msg], ['51000', 'Parameter type error']);
    assert.equal((await call(reader, 'GET', `${LIST}?subAcct=refused01`)).body.data.length, 0, 'nothing was made');
  });

  test("a sub-account's key: 59500 on every master-only endpoint; its account/config names the master", async () => {
    const sub = await rt.subAccounts.get(masterId, 'apiDesk01');
    const subKey = await keyFor(sub.userId, 'subkey', 'trade', '127.0.0.1');
    const created = await call(subKey, 'POST', CREATE, { subAcct: 'nested01', type: '1' });
    assert.deepEqual(
      [created.body.code, created.body.msg],
      ['59500', 'Only the API key of the main account has permission.'],
    );
    assert.equal((await call(subKey, 'GET', LIST)).body.code, '59500');
    const setOut = await call(subKey, 'POST', '/api/v5/users/subaccount/set-transfer-out', { subAcct: 'apiDesk01' });
    assert.equal(setOut.body.code, '59500');

    const config = await call(subKey, 'GET', '/api/v5/account/config');
    assert.equal(config.body.code, '0');
    assert.equal(config.body.data[0]?.uid, sub.uid);
    assert.equal(config.body.data[0]?.mainUid, masterUid);
    assert.equal(config.body.data[0]?.type, '1');
    const own = await call(reader, 'GET', '/api/v5/account/config');
    assert.deepEqual(
      [own.body.data[0]?.uid, own.body.data[0]?.mainUid, own.body.data[0]?.type],
      [masterUid, masterUid, '0'],
    );
  });

  test('list: enable filter, creation-time cursors, limit; bad parameters 51000', async () => {
    const t0 = Date.now();
    for (const name of ['pageA001', 'pageB001', 'pageC001']) {
      assert.equal((await call(bound, 'POST', CREATE, { subAcct: name, type: '1' })).body.code, '0');
    }
    const all = (await call(reader, 'GET', LIST)).body.data;
    const names = all.map((s) => s.subAcct);
    assert.deepEqual(
      names.slice(0, 3),
      ['pageC001', 'pageB001', 'pageA001'].filter((n) => names.includes(n)),
    );
    const two = (await call(reader, 'GET', `${LIST}?limit=2`)).body.data;
    assert.equal(two.length, 2);
    const older = (await call(reader, 'GET', `${LIST}?after=${String(two[1]?.ts)}`)).body.data;
    assert.ok(older.every((s) => Number(s.ts) < Number(two[1]?.ts)));
    assert.ok((await call(reader, 'GET', `${LIST}?before=${t0 - 1}`)).body.data.length >= 3);
    await rt.subAccounts.freeze(masterId, 'pageB001', 'cli', Date.now());
    const frozen = (await call(reader, 'GET', `${LIST}?enable=false`)).body.data;
    assert.deepEqual(
      frozen.map((s) => [s.subAcct, s.enable]),
      [['pageB001', false]],
    );
    assert.ok((await call(reader, 'GET', `${LIST}?enable=true`)).body.data.every((s) => s.enable === true));
    for (const q of ['enable=yes', 'limit=0', 'after=soon']) {
      assert.equal((await call(reader, 'GET', `${LIST}?${q}`)).body.code, '51000', q);
    }
  });

  test('set-transfer-out: several at once, default true, unknown name 59510', async () => {
    const url = '/api/v5/users/subaccount/set-transfer-out';
    const off = await call(bound, 'POST', url, { subAcct: 'pageA001,pageC001', canTransOut: false });
    assert.equal(off.body.code, '0', off.body.msg);
    assert.deepEqual(off.body.data, [
      { subAcct: 'pageA001', canTransOut: false },
      { subAcct: 'pageC001', canTransOut: false },
    ]);
    const listed = (await call(reader, 'GET', `${LIST}?subAcct=pageA001`)).body.data[0];
    assert.equal(listed?.canTransOut, false);
    const on = await call(bound, 'POST', url, { subAcct: 'pageA001' });
    assert.deepEqual(on.body.data, [{ subAcct: 'pageA001', canTransOut: true }]);
    const unknown = await call(bound, 'POST', url, { subAcct: 'nosuch01', canTransOut: false });
    assert.deepEqual([unknown.body.code, unknown.body.msg], ['59510', 'Sub-account does not exist']);
    assert.equal((await call(reader, 'POST', url, { subAcct: 'pageA001' })).body.code, '50120');
  });

  test('demo: a demo master key sees and creates the same sub-accounts (one identity in both environments)', async () => {
    const made = await call(demoKey, 'POST', CREATE, { subAcct: 'demoDesk01', type: '1' }, true);
    assert.equal(made.body.code, '0', made.body.msg);
    const seen = await call(reader, 'GET', `${LIST}?subAcct=demoDesk01`);
    assert.equal(seen.body.data[0]?.uid, made.body.data[0]?.uid);
  });
});
