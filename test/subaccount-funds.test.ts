import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Big from 'big.js';
import ccxt from 'ccxt';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../src/runtime.js';
import { seedSubAccount } from '../src/services/test-store.test-helpers.js';
import type { SubAccountRecord } from '../src/store/store.js';
import { checkConservation } from './conservation.js';
import { PASSPHRASE, testApp } from './helpers.js';
import { type ClientKey, ccxtOkx, okxApi } from './real-clients.js';

type Row = Record<string, unknown>;
const DEPOSIT = '1000';

/** An okx-api rejection's OKX code (okx-api throws the parsed envelope). */
async function okxCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
  throw new Error('expected an OKX error');
}

/** Money between a master and its sub-accounts through okx-api and ccxt against a listening signet. */
describe('sub-account funds: transfers of types 1 to 4 and the master views, with okx-api and ccxt', () => {
  let rt: Runtime;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let url = '';
  let master: ClientKey;
  let readOnly: ClientKey;
  let subKey: ClientKey;
  let alpha: SubAccountRecord;
  let bravo: SubAccountRecord;
  let frozen: SubAccountRecord;

  before(async () => {
    ({ rt, app, close } = await testApp({ SIGNET_MARKET_MAKER: '0', SIGNET_RATE_LIMITS: '0' }));
    const now = Date.now();
    const user = await rt.users.create('platform@example.com', 'a long enough password', now);
    await rt.ledger.deposit(user.id, 'live', '6', 'USDT', DEPOSIT, now);
    const key = async (userId: number, label: string, perm: string) =>
      rt.keys.create(userId, { label, passphrase: PASSPHRASE, perm, env: 'live' }, 'cli', now);
    master = await key(user.id, 'platform', 'read,trade');
    readOnly = await key(user.id, 'reader', 'read');
    alpha = await seedSubAccount(rt.store, user.id, 'alphaUser1', { at: now });
    bravo = await seedSubAccount(rt.store, user.id, 'bravoUser2', { at: now });
    frozen = await seedSubAccount(rt.store, user.id, 'frozenUser3', { at: now, enabled: false });
    subKey = await key(alpha.userId, 'alpha-bot', 'read,trade');
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await close();
  });

  test('okx-api fundsTransfer type 1 then 2; transfer-state answers for both parties', async () => {
    const client = okxApi(url, master);
    const [sent] = await client.fundsTransfer({
      ccy: 'USDT',
      amt: '300',
      from: '6',
      to: '18',
      type: '1',
      subAcct: alpha.name,
      clientId: 'platformIn1',
    });
    assert.deepEqual(
      { ...sent, transId: '' },
      { transId: '', ccy: 'USDT', amt: '300', from: '6', to: '18', clientId: 'platformIn1' },
    );
    const transId = sent?.transId ?? '';
    const [state] = await client.getFundsTransferState({ transId, type: '1' });
    assert.deepEqual(
      [state?.state, state?.subAcct, state?.type, state?.from, state?.to, state?.amt],
      ['success', alpha.name, '1', '6', '18', '300'],
    );
    const [bySub] = (await okxApi(url, subKey).getPrivate('/api/v5/asset/transfer-state', {
      clientId: 'platformIn1',
    })) as Row[];
    assert.equal(bySub?.transId, transId);
    assert.deepEqual(await client.getFundsTransferState({ transId, type: '2' }), []);
    await client.fundsTransfer({ ccy: 'USDT', amt: '20', from: '18', to: '6', type: '2', subAcct: alpha.name });
  });

  test('ccxt transfer master → sub and sub → master (types 1 and 2, 6 → 6), and types 3 and 4 from the sub key', async () => {
    const ex = ccxtOkx(url, master);
    const t1 = await ex.transfer('USDT', 100, 'master', bravo.name);
    assert.equal(t1.amount, 100);
    const t2 = await ex.transfer('USDT', 40, bravo.name, 'master');
    const state = await ex.fetchTransfer(String(t2.id), 'USDT');
    assert.equal(state.amount, 40);
    const sub = ccxtOkx(url, subKey);
    await sub.transfer('USDT', 10, 'trading', 'funding', { type: '3' });
    await sub.transfer('USDT', 15, 'trading', 'funding', { type: '4', subAcct: bravo.name });
    // 300 - 20 - 10 - 15 left in alpha's trading account; bravo: 100 - 40 + 15 in funding.
    const alphaBal = await sub.fetchBalance({ type: 'trading' });
    assert.equal(alphaBal.USDT?.total, 255);
  });

  test('okx-api master views: trading and funding balances, max-withdrawal, bills reconcile with the ledger', async () => {
    const client = okxApi(url, master);
    const [trading] = await client.getSubAccountBalances({ subAcct: alpha.name });
    const usdt = (trading?.details as Row[] | undefined)?.find((d) => d.ccy === 'USDT');
    assert.equal(usdt?.cashBal, '255');
    const funding = await client.getSubAccountFundingBalances({ subAcct: bravo.name, ccy: 'USDT' });
    assert.deepEqual(funding, [{ availBal: '75', bal: '75', ccy: 'USDT', frozenBal: '0' }]);
    const [maxWd] = await client.getSubAccountMaxWithdrawal({ subAcct: alpha.name, ccy: 'USDT' });
    assert.equal(maxWd?.maxWd, '255');

    // The master's own accounts plus every sub-account's hold the deposit: nothing made or lost.
    const ex = ccxtOkx(url, master);
    const mine = await ex.fetchBalance({ type: 'funding' });
    const mineTrading = await ex.fetchBalance({ type: 'trading' });
    let total = new Big(mine.USDT?.total ?? 0).plus(mineTrading.USDT?.total ?? 0);
    for (const s of [alpha, bravo, frozen]) {
      const [t] = await client.getSubAccountBalances({ subAcct: s.name });
      for (const d of (t?.details as Row[] | undefined) ?? []) if (d.ccy === 'USDT') total = total.plus(String(d.eq));
      for (const f of await client.getSubAccountFundingBalances({ subAcct: s.name })) total = total.plus(f.bal);
    }
    assert.equal(total.toFixed(), DEPOSIT);

    // Bills: 0 master → sub, 1 sub → master; per sub-account they net to what it received from the master.
    const bills = (await client.getSubAccountTransferHistory({})) as Row[];
    assert.deepEqual(
      bills.map((b) => [b.type, b.subAcct, b.amt]),
      [
        ['1', alpha.name, '10'],
        ['1', bravo.name, '40'],
        ['0', bravo.name, '100'],
        ['1', alpha.name, '20'],
        ['0', alpha.name, '300'],
      ],
    );
    for (const b of bills) assert.deepEqual(Object.keys(b).sort(), ['amt', 'billId', 'ccy', 'subAcct', 'ts', 'type']);
    const net = (name: string) =>
      bills
        .filter((b) => b.subAcct === name)
        .reduce((s, b) => (b.type === '0' ? s.plus(String(b.amt)) : s.minus(String(b.amt))), new Big(0));
    // alpha also paid bravo 15 (type 4, not a master bill).
    assert.equal(net(alpha.name).minus(15).toFixed(), '255');
    assert.equal(net(bravo.name).plus(15).toFixed(), '75');
    const page = (await client.getSubAccountTransferHistory({ type: '0', limit: '1' })) as Row[];
    assert.deepEqual(
      page.map((b) => b.amt),
      ['100'],
    );
    const older = (await client.getSubAccountTransferHistory({ type: '0', after: String(page[0]?.ts) })) as Row[];
    assert.deepEqual(
      older.map((b) => b.amt),
      ['300'],
    );
    // The master's own funding bills carry OKX's types 20 (to a sub-account) and 21 (from one).
    const own = await client.getAssetBillsDetails({ ccy: 'USDT' });
    assert.deepEqual(
      own.map((b) => [b.type, b.balChg]),
      [
        ['21', '10'],
        ['21', '40'],
        ['20', '-100'],
        ['21', '20'],
        ['20', '-300'],
        ['1', DEPOSIT],
      ],
    );
    checkConservation(rt);
  });

  test("OKX's codes: wrong key kind, unknown or frozen sub-account, read-only key, sub-account key on master views", async () => {
    const ex = ccxtOkx(url, master);
    await assert.rejects(
      ex.transfer('USDT', 1, 'master', 'nobodyHere9'),
      (e) => e instanceof ccxt.ExchangeError && /58115/.test(String(e)),
    );
    await assert.rejects(ex.transfer('USDT', 1, 'master', frozen.name), (e) => e instanceof ccxt.AccountSuspended);
    await assert.rejects(
      ex.transfer('USDT', 1, 'funding', 'funding', { type: '3' }),
      (e) => e instanceof ccxt.BadRequest && /58127/.test(String(e)),
    );
    const sub = ccxtOkx(url, subKey);
    await assert.rejects(
      sub.transfer('USDT', 1, 'master', bravo.name),
      (e) => e instanceof ccxt.BadRequest && /58128/.test(String(e)),
    );
    await assert.rejects(
      sub.transfer('USDT', 100000, 'trading', 'funding', { type: '3' }),
      (e) => e instanceof ccxt.InsufficientFunds,
    );

    const reader = okxApi(url, readOnly);
    assert.equal(
      await okxCode(
        reader.fundsTransfer({ ccy: 'USDT', amt: '1', from: '6', to: '6', type: '1', subAcct: alpha.name }),
      ),
      '50120',
    );
    const [own] = await reader.getSubAccountBalances({ subAcct: alpha.name });
    assert.ok(own !== undefined, 'Read is enough for the views');
    assert.equal(await okxCode(reader.getSubAccountBalances({ subAcct: 'nobodyHere9' })), '59510');
    assert.equal(await okxCode(reader.getSubAccountFundingBalances({ subAcct: 'nobodyHere9' })), '59510');
    assert.equal(await okxCode(reader.getSubAccountTransferHistory({ subAcct: 'nobodyHere9' })), '59510');
    const subClient = okxApi(url, subKey);
    assert.equal(await okxCode(subClient.getSubAccountBalances({ subAcct: bravo.name })), '59500');
    assert.equal(await okxCode(subClient.getSubAccountTransferHistory({})), '59500');
    assert.equal(await okxCode(subClient.getSubAccountMaxWithdrawal({ subAcct: bravo.name })), '59500');
    // As live OKX: a sub-account's key on the funding view finds no such sub-account first.
    assert.equal(await okxCode(subClient.getSubAccountFundingBalances({ subAcct: bravo.name })), '59510');
    checkConservation(rt);
  });
});
