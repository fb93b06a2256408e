import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Big from 'big.js';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../src/runtime.js';
import { seedSubAccount } from '../src/services/test-store.test-helpers.js';
import type { SubAccountRecord } from '../src/store/store.js';
import { checkConservation } from './conservation.js';
import { type Credentials, PASSPHRASE, signedHeaders, testApp } from './helpers.js';

/**
 * Randomized transfers of every type (0 to 4) between a master and its sub-accounts, sent by any
 * of their keys with any sub-account name, while sub-accounts are frozen and unfrozen and lose and
 * regain transfer-out: every answer is an OKX envelope with an expected code, and the money of the
 * master and its sub-accounts together never changes. FUZZ_SEED=<n> replays a run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = 250;
const DEPOSIT = { USDT: '5000', BTC: '2' } as const;
/** Every code a transfer may answer here: success, a rule of who may send what, or too little money. */
const EXPECTED = new Set([
  '0',
  '50014',
  '51000',
  '58115',
  '58119',
  '58123',
  '58127',
  '58128',
  '58350',
  '59507',
  '59508',
  // A frozen sub-account's own key is refused before any transfer rule ("API frozen").
  '50100',
]);

describe('randomized transfers between a master and its sub-accounts conserve their money', () => {
  let rt: Runtime;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let masterId = 0;
  const subs: SubAccountRecord[] = [];
  const keys: Credentials[] = [];

  before(async () => {
    ({ rt, app, close } = await testApp({ SIGNET_MARKET_MAKER: '0', SIGNET_RATE_LIMITS: '0' }));
    const now = Date.now();
    const user = await rt.users.create('fuzz-master@example.com', 'a long enough password', now);
    masterId = user.id;
    for (const [ccy, amt] of Object.entries(DEPOSIT)) {
      await rt.ledger.deposit(user.id, 'live', '6', ccy, amt, now);
      await rt.ledger.deposit(user.id, 'live', '18', ccy, amt, now);
    }
    const key = async (userId: number) => {
      const k = await rt.keys.create(
        userId,
        { label: `k${userId}`, passphrase: PASSPHRASE, perm: 'read,trade', env: 'live' },
        'cli',
        now,
      );
      keys.push({ apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE });
    };
    await key(user.id);
    for (const name of ['fuzzSubOne', 'fuzzSubTwo', 'fuzzSubThree']) {
      const sub = await seedSubAccount(rt.store, user.id, name, { at: now });
      subs.push(sub);
      await key(sub.userId);
    }
  });
  after(async () => {
    await close();
  });

  const totals = async () => {
    const sum = new Map<string, Big>();
    for (const id of [masterId, ...subs.map((s) => s.userId)])
      for (const account of ['6', '18'] as const)
        for (const r of await rt.store.getBalances(id, 'live', account))
          sum.set(r.ccy, (sum.get(r.ccy) ?? new Big(0)).plus(r.avail).plus(r.frozen));
    return Object.fromEntries([...sum].map(([ccy, v]) => [ccy, v.toFixed()]));
  };

  test('any caller, type, sub-account and amount', async () => {
    const transfer = fc.record({
      caller: fc.nat({ max: 3 }),
      type: fc.constantFrom('0', '1', '2', '3', '4', ''),
      subAcct: fc.constantFrom('fuzzSubOne', 'fuzzSubTwo', 'fuzzSubThree', 'noSuchSub1', ''),
      ccy: fc.constantFrom('USDT', 'BTC'),
      amt: fc.oneof(
        fc.integer({ min: 1, max: 3000 }).map(String),
        fc.integer({ min: 1, max: 10 ** 6 }).map((n) => new Big(n).div(10 ** 6).toFixed()),
      ),
      from: fc.constantFrom('6', '18'),
      to: fc.constantFrom('6', '18'),
      // Now and then a sub-account is frozen or unfrozen, or loses or regains transfer-out.
      change: fc.option(fc.record({ sub: fc.nat({ max: 2 }), enabled: fc.boolean(), canTransOut: fc.boolean() }), {
        freq: 8,
      }),
    });
    const start = await totals();
    // Successes seen: any transfer, and the master key's own to or from a sub-account (types 1, 2).
    let anyOk = 0;
    let subOk = 0;
    await fc.assert(
      fc.asyncProperty(transfer, async (t) => {
        if (t.change !== null) {
          const sub = subs[t.change.sub];
          if (sub !== undefined) {
            // Frozen the way the CLI and console freeze (its keys' caches are told), then transfer-out.
            await rt.store.setSubAccountEnabled(masterId, sub.name, t.change.enabled, 'cli', Date.now());
            await rt.keyring.sync();
            await rt.store.updateSubAccount(masterId, sub.name, { canTransOut: t.change.canTransOut }, Date.now());
          }
        }
        const key = keys[t.caller];
        if (key === undefined) throw new Error('no key');
        const target = '/api/v5/asset/transfer';
        const body = JSON.stringify({
          type: t.type,
          subAcct: t.subAcct,
          ccy: t.ccy,
          amt: t.amt,
          from: t.from,
          to: t.to,
        });
        const res = await app.inject({
          method: 'POST',
          url: target,
          headers: signedHeaders(key, 'POST', target, body),
          payload: body,
        });
        const env = JSON.parse(res.body) as { code: string; msg: string };
        assert.ok(EXPECTED.has(env.code), `unexpected ${env.code} ${env.msg} for ${body} from key ${t.caller}`);
        if (env.code === '0') {
          anyOk++;
          if (t.caller === 0 && (t.type === '1' || t.type === '2')) subOk++;
        }
        assert.deepEqual(await totals(), start, `money made or lost by ${body}`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    checkConservation(rt);
    assert.ok(anyOk > 0, 'some transfers went through');
    // Whether a sub-account transfer succeeded depends on the seed (about one run in twenty has
    // none: amounts beyond the balances, frozen sub-accounts); when one did, it is in the bills.
    const bills = await rt.funding.subTransfers.bills(masterId, 'live', { limit: 100 });
    if (subOk > 0) assert.ok(bills.length > 0, `${subOk} master-sub transfers, none in the master's bills`);
  });
});
