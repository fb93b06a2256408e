import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Big from 'big.js';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { openRuntime, type Runtime } from '../src/runtime.js';
import { cli, cliJson, cliOk, PASSPHRASE, tempDir } from './helpers.js';
import { ccxtOkx, okxApi } from './real-clients.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

type Bill = Record<string, string>;

/** Sums `balChg` per currency, exactly. */
function sums(bills: readonly Bill[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of bills) out.set(b.ccy ?? '', new Big(out.get(b.ccy ?? '') ?? '0').plus(b.balChg ?? '0').toFixed());
  return out;
}

const TRADES = 105;

/**
 * The ledger as OKX bills, read the way bots read it (ccxt fetchLedger with paginate, okx-api
 * getBills paged by bill id), reconciling exactly to the balances after transfers, withdrawals,
 * deposits to a deposit address and 105 trades; fee rates, max sizes, asset valuation, transfer
 * state and deposit addresses.
 */
describe('ledger bills and account endpoints through ccxt and okx-api', () => {
  const data = tempDir();
  const maker = 'maker@example.com';
  const taker = 'taker@example.com';
  let rt: Runtime;
  let app: FastifyInstance;
  let url = '';
  let a: CreatedKey;
  let b: CreatedKey;
  // Every reading of the clock is a later millisecond: each operation has its own ts (ccxt's
  // paginate moves its `until` cursor by ts).
  let last = 0;
  const now = () => {
    last = Math.max(Date.now(), last + 1);
    return last;
  };

  const ccxtFor = (k: CreatedKey) => ccxtOkx(url, k);
  const okxFor = (k: CreatedKey) => okxApi(url, k);

  before(async () => {
    for (const email of [maker, taker])
      await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
    await cliOk(['deposit', '--user', maker, '--ccy', 'USDT', '--amt', '20000', '--to', 'funding'], data);
    await cliOk(['deposit', '--user', maker, '--ccy', 'BTC', '--amt', '5'], data);
    await cliOk(['deposit', '--user', taker, '--ccy', 'USDT', '--amt', '100000'], data);
    await cliOk(
      ['address', 'add', '--user', maker, '--ccy', 'USDT', '--chain', 'USDT-TRC20', '--addr', 'TXyzListedAddress1'],
      data,
    );
    const key = (email: string) =>
      cliJson<CreatedKey>(
        [
          'keys',
          'create',
          '--user',
          email,
          '--name',
          'bot',
          '--passphrase',
          PASSPHRASE,
          '--perm',
          'read,trade,withdraw',
        ],
        data,
      );
    a = await key(maker);
    b = await key(taker);
    const config = loadConfig({
      SIGNET_DATA: data,
      SIGNET_LOG_LEVEL: 'silent',
      SIGNET_MARKET_MAKER: '0',
      SIGNET_RATE_LIMITS: '0',
      SIGNET_WITHDRAWAL_SETTLE_MS: '0',
    });
    rt = await openRuntime(config, now);
    app = buildApp(rt.appDeps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app.close();
    await rt.close();
  });

  test('deposit address: stable per chain; a CLI deposit to it shows in deposit history and bills', async () => {
    const ex = ccxtFor(a);
    const trc = await ex.fetchDepositAddress('USDT', { network: 'TRC20' });
    const addr = String(trc.address);
    assert.match(addr, /^T[1-9A-HJ-NP-Za-km-z]{33}$/);
    assert.equal(trc.network, 'TRC20');
    const rows = (await okxFor(a).getDepositAddress({ ccy: 'USDT' })) as Array<Record<string, unknown>>;
    assert.deepEqual(
      rows.map((r) => [r.chain, r.to, r.selected, r.ccy]),
      [
        ['USDT-TRC20', '6', true, 'USDT'],
        ['USDT-ERC20', '6', true, 'USDT'],
      ],
    );
    assert.equal(rows[0]?.addr, trc.address);
    assert.match(String(rows[1]?.addr), /^0x[0-9a-f]{40}$/);
    // The taker's address differs.
    assert.notEqual((await ccxtFor(b).fetchDepositAddress('USDT', { network: 'TRC20' })).address, trc.address);
    const missing = await okxFor(a)
      .getDepositAddress({ ccy: '' })
      .catch((e: unknown) => e);
    assert.equal((missing as { code?: string }).code, '50014');

    const out = await cliOk(['deposit', '--address', addr, '--amount', '25', '--txid', '0xfeed'], data);
    assert.match(out, /Deposited 25 USDT on USDT-TRC20/);
    const bad = await cli(['deposit', '--address', 'Tnope', '--amount', '1'], { data });
    assert.equal(bad.code, 1);
    await rt.ledger.sync();
    const dep = (await ex.fetchDeposits('USDT')).find((d) => d.txid === '0xfeed');
    assert.deepEqual([dep?.amount, dep?.txid, dep?.network, dep?.addressTo], [25, '0xfeed', 'TRC20', trc.address]);
  });

  test('transfers get a transId and clientId that transfer-state finds', async () => {
    const ex = ccxtFor(a);
    const t = await ex.transfer('USDT', 5000, 'funding', 'trading', { clientId: 'move1' });
    const found = await ex.fetchTransfer(String(t.id));
    assert.deepEqual(
      [found.amount, found.fromAccount, found.toAccount, found.status],
      [5000, 'funding', 'trading', 'ok'],
    );
    const [byClient] = await okxFor(a).getFundsTransferState({ clientId: 'move1' });
    assert.deepEqual([byClient?.transId, byClient?.clientId, byClient?.state], [String(t.id), 'move1', 'success']);
  });

  test('withdrawals: a sent one is a bill, a canceled one is none', async () => {
    const api = okxFor(a);
    await api.submitWithdraw({ ccy: 'USDT', amt: '10', dest: '4', toAddr: 'TXyzListedAddress1', chain: 'USDT-TRC20' });
    const [pending] = await api.submitWithdraw({
      ccy: 'USDT',
      amt: '20',
      dest: '4',
      toAddr: 'TXyzListedAddress1',
      chain: 'USDT-TRC20',
    });
    await api.cancelWithdrawal({ wdId: String(pending?.wdId) });
    assert.equal(await rt.funding.settlePending(now()), 1);
  });

  test(`${TRADES} trades: each fill one bill per currency, the fee inside`, async () => {
    const makerApi = okxFor(a);
    const takerApi = okxFor(b);
    for (let i = 0; i < TRADES; i += 20) {
      const batch = Array.from({ length: Math.min(20, TRADES - i) }, (_, j) => ({
        instId: 'BTC-USDT',
        tdMode: 'cash' as const,
        side: 'sell' as const,
        ordType: 'limit' as const,
        px: String(60000 + i + j),
        sz: '0.001',
      }));
      const placed = await makerApi.submitMultipleOrders(batch);
      assert.ok(placed.every((o) => o.sCode === '0'));
    }
    for (let i = 0; i < TRADES; i++) {
      const [o] = await takerApi.submitOrder({
        instId: 'BTC-USDT',
        tdMode: 'cash',
        side: 'buy',
        ordType: 'market',
        sz: '0.001',
        tgtCcy: 'base_ccy',
      });
      assert.equal(o?.sCode, '0');
    }
  });

  test('ccxt fetchLedger (paginate) reconciles exactly to fetchBalance, trading and funding', async () => {
    const ex = ccxtFor(a);
    await ex.loadMarkets();
    const ledger = await ex.fetchLedger(undefined, undefined, undefined, { paginate: true });
    // The trades, the transfer in, the operator's BTC deposit.
    assert.equal(ledger.length, 2 * TRADES + 2);
    assert.equal(new Set(ledger.map((e) => e.id)).size, ledger.length);
    const balance = await ex.fetchBalance();
    const details =
      (balance.info as { data: Array<{ details: Array<Record<string, string>> }> }).data[0]?.details ?? [];
    const billSums = sums(ledger.map((e) => e.info as Bill));
    assert.deepEqual([...billSums].sort(), details.map((d) => [d.ccy, new Big(d.eq ?? '0').toFixed()]).sort());
    assert.equal(new Big(billSums.get('BTC') ?? '0').toFixed(), new Big(5).minus(0.001 * TRADES).toFixed());
    const trade = ledger.find((e) => e.currency === 'USDT' && e.type === 'trade');
    const info = trade?.info as Bill;
    assert.deepEqual(
      [info.type, info.subType, info.instId, info.instType, info.execType],
      ['2', '2', 'BTC-USDT', 'SPOT', 'M'],
    );
    assert.equal(new Big(info.sz ?? '0').plus(info.fee ?? '0').toFixed(), info.balChg);
    assert.ok(new Big(info.fee ?? '0').lt(0));

    const funding = await ex.fetchLedger(undefined, undefined, undefined, { method: 'privateGetAssetBills' });
    const fundingBalance = await ex.fetchBalance({ type: 'funding' });
    assert.deepEqual(
      funding.map((e) => (e.info as Bill).type),
      // Oldest first (ccxt sorts by ts): two deposits, the transfer out, the sent withdrawal and its
      // fee (one ts, newest first). The canceled withdrawal left no bill.
      ['1', '1', '131', '221', '2'],
    );
    assert.equal(sums(funding.map((e) => e.info as Bill)).get('USDT'), String(fundingBalance.USDT?.total));
    assert.equal(fundingBalance.USDT?.total, 20000 + 25 - 5000 - 10 - 1);
  });

  test('okx-api getBills: paged to the end by bill id, balances chained, filters', async () => {
    const api = okxFor(a);
    const all: Bill[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await api.getBills(after === undefined ? {} : { after })) as unknown as Bill[];
      if (page.length === 0) break;
      all.push(...page);
      after = page.at(-1)?.billId;
    }
    assert.equal(all.length, 2 * TRADES + 2);
    // Oldest first, each bill's `bal` is the previous balance plus its change.
    const bal = new Map<string, Big>();
    for (const bill of [...all].reverse()) {
      const next = (bal.get(bill.ccy ?? '') ?? new Big(0)).plus(bill.balChg ?? '0');
      assert.equal(next.toFixed(), bill.bal);
      bal.set(bill.ccy ?? '', next);
    }
    const newest = all[0]?.billId ?? '';
    const older = (await api.getBills({ before: all[2]?.billId ?? '' })) as unknown as Bill[];
    assert.deepEqual(
      older.map((x) => x.billId),
      [newest, all[1]?.billId],
    );
    assert.equal(((await api.getBills({ type: '2', subType: '1' })) as unknown[]).length, 0);
    assert.equal(((await api.getBills({ type: '2', subType: '2', limit: '5' })) as unknown[]).length, 5);
    assert.equal(((await api.getBills({ type: '1' })) as unknown[]).length, 2);
    assert.equal(((await api.getBills({ instType: 'SWAP' })) as unknown[]).length, 0);
    assert.equal(((await api.getBills({ ccy: 'BTC', instId: 'BTC-USDT' })) as unknown[]).length, 100);
    assert.equal(((await api.getBillsArchive({ type: '1', subType: '11' })) as unknown as Bill[])[0]?.from, '6');
    // Above the maximum of 100 reads as 100 (ccxt's paginate asks for 1000); not a number is refused.
    assert.equal(((await api.getBills({ limit: '1000' })) as unknown[]).length, 100);
    const bad = await api.getBills({ limit: 'x' }).catch((e: unknown) => e);
    assert.equal((bad as { code?: string }).code, '51000');
    const takerBuys = (await okxFor(b).getBills({ type: '2', subType: '1', ccy: 'BTC' })) as unknown as Bill[];
    assert.equal(takerBuys.length, 100);
    assert.equal(takerBuys[0]?.execType, 'T');
  });

  test('fee rates, max sizes, max withdrawals and asset valuation', async () => {
    const ex = ccxtFor(a);
    const fee = await ex.fetchTradingFee('BTC/USDT');
    assert.deepEqual([fee.maker, fee.taker], [0.0008, 0.001]);
    const api = okxFor(a);
    const balance = await ex.fetchBalance();
    const usdt = balance.USDT?.free ?? 0;
    const btc = balance.BTC?.free ?? 0;
    const [max] = await api.getMaxBuySellAmount({ instId: 'BTC-USDT', tdMode: 'cash', px: '50000' });
    assert.equal(max?.maxBuy, new Big(usdt).div(50000).round(8, Big.roundDown).toFixed());
    assert.equal(Number(max?.maxSell), btc);
    const [avail] = await api.getMaxAvailableTradableAmount({ instId: 'BTC-USDT', tdMode: 'cash' });
    assert.deepEqual([Number(avail?.availBuy), Number(avail?.availSell)], [usdt, btc]);
    const [wd] = await api.getMaxWithdrawals({ ccy: 'USDT' });
    assert.equal(Number(wd?.maxWd), usdt);
    // Valued at the BTC-USDT book's last trade (the taker's last buy took the highest ask).
    const lastPx = 60000 + TRADES - 1;
    const funding = await ex.fetchBalance({ type: 'funding' });
    const [value] = await api.getAccountAssetValuation({ ccy: 'USDT' });
    const expected = new Big(balance.USDT?.total ?? 0)
      .plus(new Big(balance.BTC?.total ?? 0).times(lastPx))
      .plus(funding.USDT?.total ?? 0);
    assert.equal(value?.totalBal, expected.round(2, Big.roundDown).toFixed());
    const [detail] =
      ((await api.getBalance({ ccy: 'BTC' })) as unknown as Array<{ details: Bill[] }>)[0]?.details ?? [];
    assert.equal(detail?.eqUsd, new Big(balance.BTC?.total ?? 0).times(lastPx).toFixed());
    const bad = await api.getMaxBuySellAmount({ instId: 'NOPE-USDT', tdMode: 'cash' }).catch((e: unknown) => e);
    assert.equal((bad as { code?: string }).code, '51001');
  });
});
