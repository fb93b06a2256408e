import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Runtime } from '../src/runtime.js';
import { type Credentials, type Envelope, PASSPHRASE, signedHeaders, testApp } from './helpers.js';
import { type SeededSub, seedSubAccount } from './subaccount-seed.js';

const APIKEY = '/api/v5/users/subaccount/apikey';
const MODIFY = '/api/v5/users/subaccount/modify-apikey';
const DELETE = '/api/v5/users/subaccount/delete-apikey';
const SUB_PASSPHRASE = 'Sub-Passw0rd!';

/** One app on a fresh SQLite runtime, with helpers to make accounts and keys and to call it signed. */
async function harness(env: Record<string, string>) {
  const { app, rt, close } = await testApp({ SIGNET_MARKET_MAKER: '0', ...env });
  let n = 0;
  const key = async (userId: number, perm: string, ip = '') => {
    const k = await rt.keys.create(
      userId,
      { label: `k${++n}`, passphrase: PASSPHRASE, perm, ip, env: 'live' },
      'cli',
      Date.now(),
    );
    return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
  };
  const master = async (email: string) => (await rt.users.create(email, 'long enough password', Date.now())).id;
  const call = async (c: Credentials, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const res = await app.inject({
      method,
      url: path,
      remoteAddress: '127.0.0.1',
      headers: signedHeaders(c, method, path, text),
      ...(body === undefined ? {} : { payload: text }),
    });
    return { status: res.statusCode, body: res.json<Envelope>() };
  };
  return { app, rt, close, key, master, call };
}

const codeOf = async (p: Promise<{ body: Envelope }>) => (await p).body.code;

describe('sub-account API keys on the V5 wire (app.inject, SQLite)', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  let rt: Runtime;
  let masterId: number;
  let sub: SeededSub;
  let boundTrade: Credentials;
  let unbound: Credentials;
  let readOnly: Credentials;
  let subKey: Credentials;
  let otherSub: SeededSub;

  const create = (body: Record<string, unknown>, c = boundTrade) =>
    h.call(c, 'POST', APIKEY, { subAcct: sub.name, passphrase: SUB_PASSPHRASE, ...body });

  before(async () => {
    h = await harness({ SIGNET_RATE_LIMITS: '0' });
    ({ rt } = h);
    masterId = await h.master('platform@example.com');
    sub = await seedSubAccount(rt.store, masterId, 'alpha001');
    boundTrade = await h.key(masterId, 'read,trade', '127.0.0.1');
    unbound = await h.key(masterId, 'read,trade');
    readOnly = await h.key(masterId, 'read', '127.0.0.1');
    subKey = await h.key(sub.userId, 'read,trade', '127.0.0.1');
    otherSub = await seedSubAccount(rt.store, await h.master('other@example.com'), 'other001');
  });
  after(() => h.close());

  test("create answers OKX's fields once (secret, passphrase), the key works, query never shows a secret; pwd is ignored", async () => {
    const r = await create({ label: 'bot one', perm: 'trade', ip: '127.0.0.1,10.0.0.0/8', pwd: 'old funds password' });
    assert.equal(r.status, 200);
    assert.equal(r.body.code, '0', r.body.msg);
    const made = r.body.data[0] ?? {};
    assert.deepEqual(Object.keys(made).sort(), [
      'apiKey',
      'ip',
      'label',
      'passphrase',
      'perm',
      'secretKey',
      'subAcct',
      'ts',
    ]);
    assert.deepEqual(
      [made.subAcct, made.label, made.perm, made.ip, made.passphrase],
      ['alpha001', 'bot one', 'read_only,trade', '127.0.0.1,10.0.0.0/8', SUB_PASSPHRASE],
    );
    assert.match(made.secretKey ?? '', /^[0-9A-F]{32}$/);
    const creds = { apiKey: made.apiKey ?? '', secretKey: made.secretKey ?? '', passphrase: SUB_PASSPHRASE };
    assert.equal(await codeOf(h.call(creds, 'GET', '/api/v5/account/balance')), '0');

    const q = await h.call(boundTrade, 'GET', `${APIKEY}?subAcct=alpha001&apiKey=${creds.apiKey}`);
    assert.equal(q.body.code, '0');
    assert.deepEqual(q.body.data, [
      { label: 'bot one', apiKey: creds.apiKey, perm: 'read_only,trade', ip: '127.0.0.1,10.0.0.0/8', ts: made.ts },
    ]);
    const all = await h.call(readOnly, 'GET', `${APIKEY}?subAcct=alpha001`);
    assert.equal(all.body.code, '0', 'a Read-only master key may query');
    assert.ok(all.body.data.some((k) => k.apiKey === creds.apiKey));
    assert.ok(all.body.data.every((k) => !('secretKey' in k) && !('passphrase' in k)));

    const audit = await rt.store.listKeyAudit(sub.userId, creds.apiKey, 10);
    assert.deepEqual(
      audit.map((e) => [e.action, e.actor, e.detail['by']]),
      [['create', 'api', boundTrade.apiKey]],
    );
    assert.equal(JSON.stringify(audit).includes(creds.secretKey), false);
  });

  test("perm defaults to read_only; withdraw is not a sub-account key's permission", async () => {
    const r = await create({ label: 'reader' });
    assert.equal(r.body.code, '0', r.body.msg);
    assert.equal(r.body.data[0]?.perm, 'read_only');
    assert.equal(await codeOf(create({ label: 'taker', perm: 'read_only,withdraw' })), '51000');
  });

  test('master only: 50120 for a Read-only key, then 59500 for a sub-account key, 50035 for a master key without IPs', async () => {
    assert.equal(await codeOf(create({ label: 'x1' }, readOnly)), '50120');
    assert.equal(await codeOf(create({ label: 'x1' }, subKey)), '59500');
    assert.equal(await codeOf(h.call(subKey, 'GET', `${APIKEY}?subAcct=alpha001`)), '59500');
    const unboundCreate = await create({ label: 'x1' }, unbound);
    assert.deepEqual([unboundCreate.status, unboundCreate.body.code], [403, '50035']);
    assert.equal(await codeOf(h.call(unbound, 'GET', `${APIKEY}?subAcct=alpha001`)), '0', 'reads need no IPs');
    for (const [path, body] of [
      [MODIFY, { subAcct: 'alpha001', apiKey: subKey.apiKey, label: 'n' }],
      [DELETE, { subAcct: 'alpha001', apiKey: subKey.apiKey }],
    ] as const) {
      assert.equal(await codeOf(h.call(readOnly, 'POST', path, body)), '50120', path);
      assert.equal(await codeOf(h.call(subKey, 'POST', path, body)), '59500', path);
      assert.equal(await codeOf(h.call(unbound, 'POST', path, body)), '50035', path);
    }
  });

  test("59510 for a sub-account that is not this master's; 59506 for a key that is not the sub-account's", async () => {
    assert.equal(await codeOf(create({ subAcct: 'nosuch01', label: 'x2' })), '59510');
    assert.equal(await codeOf(create({ subAcct: otherSub.name, label: 'x2' })), '59510');
    assert.equal(await codeOf(h.call(boundTrade, 'GET', `${APIKEY}?subAcct=${otherSub.name}`)), '59510');
    const foreign = [boundTrade.apiKey, '00000000-0000-4000-8000-000000000000'];
    for (const apiKey of foreign) {
      assert.equal(await codeOf(h.call(boundTrade, 'GET', `${APIKEY}?subAcct=alpha001&apiKey=${apiKey}`)), '59506');
      assert.equal(
        await codeOf(h.call(boundTrade, 'POST', MODIFY, { subAcct: 'alpha001', apiKey, label: 'n' })),
        '59506',
      );
      assert.equal(await codeOf(h.call(boundTrade, 'POST', DELETE, { subAcct: 'alpha001', apiKey })), '59506');
    }
    assert.equal(await codeOf(h.call(boundTrade, 'GET', APIKEY)), '50014', 'subAcct is required');
  });

  test('the rules of every key: 21 IPs (59503), a weak passphrase (59505), a taken label (59502), the 51st key (59501)', async () => {
    const ips = Array.from({ length: 21 }, (_, i) => `10.0.0.${i + 1}`).join(',');
    assert.equal(await codeOf(create({ label: 'many ips', ip: ips })), '59503');
    assert.equal(await codeOf(create({ label: 'weak', passphrase: 'password' })), '59505');
    assert.equal(await codeOf(create({ label: '' })), '50014');
    assert.equal((await create({ label: 'twin' })).body.code, '0');
    const twin = await create({ label: 'twin' });
    assert.equal(twin.body.code, '59502');
    assert.match(twin.body.msg, /note name already exists/);

    const crowded = await seedSubAccount(rt.store, masterId, 'crowded01');
    for (let i = 0; i < 50; i++) await h.key(crowded.userId, 'read');
    const last = await create({ subAcct: 'crowded01', label: 'fifty-one' });
    assert.equal(last.body.code, '59501');
  });

  test('modify resets only what is passed; ip "" unbinds; delete removes it (59506 after); the audit names the master key', async () => {
    const made = (await create({ label: 'changing', perm: 'trade', ip: '127.0.0.1' })).body.data[0] ?? {};
    const apiKey = made.apiKey ?? '';
    const modify = (body: Record<string, unknown>) =>
      h.call(boundTrade, 'POST', MODIFY, { subAcct: 'alpha001', apiKey, ...body });

    let r = await modify({ label: 'renamed' });
    assert.equal(r.body.code, '0', r.body.msg);
    assert.deepEqual(r.body.data, [
      { subAcct: 'alpha001', label: 'renamed', apiKey, perm: 'read_only,trade', ip: '127.0.0.1', ts: made.ts },
    ]);
    r = await modify({ ip: '192.0.2.7,192.0.2.8', pwd: 'ignored' });
    assert.deepEqual([r.body.data[0]?.label, r.body.data[0]?.ip], ['renamed', '192.0.2.7,192.0.2.8']);
    r = await modify({ perm: 'read_only' });
    assert.deepEqual([r.body.data[0]?.perm, r.body.data[0]?.ip], ['read_only', '192.0.2.7,192.0.2.8']);
    r = await modify({ ip: '' });
    assert.equal(r.body.data[0]?.ip, '', 'ip "" unbinds');
    assert.equal(await codeOf(modify({})), '50014', 'nothing to change');
    assert.equal(await codeOf(modify({ label: 'twin' })), '59502');
    assert.equal(await codeOf(modify({ perm: 'withdraw' })), '51000');

    const del = await h.call(boundTrade, 'POST', DELETE, { subAcct: 'alpha001', apiKey, pwd: 'ignored' });
    assert.deepEqual([del.body.code, del.body.data], ['0', [{ subAcct: 'alpha001' }]]);
    assert.equal(await codeOf(h.call(boundTrade, 'POST', DELETE, { subAcct: 'alpha001', apiKey })), '59506');
    assert.equal(await codeOf(h.call(boundTrade, 'GET', `${APIKEY}?subAcct=alpha001&apiKey=${apiKey}`)), '59506');

    const audit = await rt.store.listKeyAudit(sub.userId, apiKey, 20);
    assert.deepEqual(
      new Set(audit.map((e) => `${e.actor} ${String(e.detail['by'])}`)),
      new Set([`api ${boundTrade.apiKey}`]),
    );
    assert.deepEqual(audit.map((e) => e.action).sort(), ['create', 'delete', 'modify', 'modify', 'modify', 'modify']);
  });

  test("the ND-broker twins (okx-api's createSubAccountAPIKey path) answer as the users/ paths", async () => {
    const nd = '/api/v5/broker/nd/subaccount/apikey';
    const r = await h.call(boundTrade, 'POST', nd, {
      subAcct: 'alpha001',
      label: 'via nd',
      passphrase: SUB_PASSPHRASE,
    });
    assert.equal(r.body.code, '0', r.body.msg);
    const apiKey = r.body.data[0]?.apiKey ?? '';
    assert.equal(
      (await h.call(boundTrade, 'GET', `${nd}?subAcct=alpha001&apiKey=${apiKey}`)).body.data[0]?.label,
      'via nd',
    );
    const m = await h.call(boundTrade, 'POST', '/api/v5/broker/nd/subaccount/modify-apikey', {
      subAcct: 'alpha001',
      apiKey,
      label: 'nd renamed',
    });
    assert.equal(m.body.data[0]?.label, 'nd renamed');
    const d = await h.call(boundTrade, 'POST', '/api/v5/broker/nd/subaccount/delete-apikey', {
      subAcct: 'alpha001',
      apiKey,
    });
    assert.equal(d.body.code, '0');
    assert.equal(
      await codeOf(h.call(subKey, 'POST', nd, { subAcct: 'alpha001', label: 'x', passphrase: SUB_PASSPHRASE })),
      '59500',
    );
  });
});

describe("sub-account key changes: OKX's 1 per second per account", () => {
  test('a second change within the second is 50011, from any key of the same account; reads and other accounts go on', async () => {
    const h = await harness({ SIGNET_RATE_LIMITS: '1' });
    try {
      const m1 = await h.master('limited@example.com');
      const m2 = await h.master('unlimited@example.com');
      await seedSubAccount(h.rt.store, m1, 'limited01');
      await seedSubAccount(h.rt.store, m2, 'limited02');
      const [k1, k1b, k2] = [
        await h.key(m1, 'trade', '127.0.0.1'),
        await h.key(m1, 'trade', '127.0.0.1'),
        await h.key(m2, 'trade', '127.0.0.1'),
      ];
      const body = (subAcct: string, label: string) => ({ subAcct, label, passphrase: SUB_PASSPHRASE });
      // Both keys' passphrases checked first, so the three changes below reach the limiter together.
      for (const k of [k1, k1b]) assert.equal(await codeOf(h.call(k, 'GET', `${APIKEY}?subAcct=limited01`)), '0');
      const codes = await Promise.all([
        codeOf(h.call(k1, 'POST', APIKEY, body('limited01', 'a'))),
        codeOf(h.call(k1b, 'POST', APIKEY, body('limited01', 'b'))),
        codeOf(h.call(k1, 'POST', APIKEY, body('limited01', 'c'))),
      ]);
      assert.equal(codes.filter((c) => c === '0').length, 1, codes.join(','));
      assert.equal(codes.filter((c) => c === '50011').length, 2, codes.join(','));
      assert.equal(await codeOf(h.call(k1, 'GET', `${APIKEY}?subAcct=limited01`)), '0');
      assert.equal(await codeOf(h.call(k2, 'POST', APIKEY, body('limited02', 'a'))), '0');
    } finally {
      await h.close();
    }
  });
});
