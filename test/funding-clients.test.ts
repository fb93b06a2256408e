import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ccxt from 'ccxt';
import { loadConfig } from '../src/config.js';
import { openRuntime } from '../src/runtime.js';
import { checkConservation } from './conservation.js';
import { cli, cliJson, cliOk, PASSPHRASE, type RunningServer, startServer, tempDir } from './helpers.js';
import { ccxtOkx, okxApi } from './real-clients.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}

/** Transfers and withdrawals with ccxt and okx-api against `signet serve`. */
describe('funding: transfers, the address book and withdrawals', () => {
  const data = tempDir();
  const email = 'saver@example.com';
  let server: RunningServer;
  let wd: CreatedKey;
  let trader: CreatedKey;

  const ccxtFor = (k: CreatedKey) => ccxtOkx(server.url, k);
  const okxApiFor = (k: CreatedKey) => okxApi(server.url, k);
  const newKey = (name: string, perm: string) =>
    cliJson<CreatedKey>(
      ['keys', 'create', '--user', email, '--name', name, '--passphrase', PASSPHRASE, '--perm', perm],
      data,
    );

  before(async () => {
    await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
    await cliOk(['user', 'create', '--email', 'friend@example.com', '--password', 'a long enough password'], data);
    await cliOk(['deposit', '--user', email, '--ccy', 'USDT', '--amt', '1000', '--to', 'funding'], data);
    await cliOk(
      ['address', 'add', '--user', email, '--ccy', 'USDT', '--chain', 'USDT-TRC20', '--addr', 'TXyzListedAddress1'],
      data,
    );
    wd = await newKey('withdrawer', 'read,trade,withdraw');
    trader = await newKey('trader', 'read,trade');
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0', SIGNET_WITHDRAWAL_SETTLE_MS: '1500' });
  });
  after(async () => {
    await server.stop();
  });

  test('CLI: the address book refuses unlisted chains and duplicates, and lists', async () => {
    const bad = await cli(
      ['address', 'add', '--user', email, '--ccy', 'USDT', '--chain', 'USDT-NOPE', '--addr', 'T1'],
      { data },
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /chain: "USDT-NOPE" is not a chain of USDT; use one of USDT-TRC20, USDT-ERC20/);
    const dup = await cli(
      ['address', 'add', '--user', email, '--ccy', 'USDT', '--chain', 'USDT-TRC20', '--addr', 'TXyzListedAddress1'],
      { data },
    );
    assert.match(dup.stderr, /already in the address book/);
    const list = await cliJson<Array<{ address: string; chain: string }>>(['address', 'list', '--user', email], data);
    assert.deepEqual(
      list.map((a) => [a.chain, a.address]),
      [['USDT-TRC20', 'TXyzListedAddress1']],
    );
  });

  test('ccxt: withdraw to a listed address (pending, then ok); unlisted refused; trade key gets 50120', async () => {
    const ex = ccxtFor(wd);
    await ex.loadMarkets();
    const tx = await ex.withdraw('USDT', 10, 'TXyzListedAddress1', undefined, { network: 'TRC20' });
    assert.match(tx.id ?? '', /^\d+$/);
    let funding = await ex.fetchBalance({ type: 'funding' });
    // 10 + the chain's fee of 1 held while pending.
    assert.deepEqual([funding['USDT']?.free, funding['USDT']?.used], [989, 11]);
    const [pending] = await ex.fetchWithdrawals('USDT');
    assert.deepEqual([pending?.status, pending?.amount, pending?.address], ['pending', 10, 'TXyzListedAddress1']);
    await assert.rejects(
      ex.withdraw('USDT', 10, 'TUnlistedAddress', undefined, { network: 'TRC20' }),
      (err: unknown) => {
        assert.ok(err instanceof ccxt.InvalidAddress, String(err));
        assert.match(String(err), /58207/);
        return true;
      },
    );
    await assert.rejects(ex.withdraw('USDT', 1, 'TXyzListedAddress1', undefined, { network: 'TRC20' }), /58206/);
    await assert.rejects(
      ex.withdraw('USDT', 5000, 'TXyzListedAddress1', undefined, { network: 'TRC20' }),
      ccxt.InsufficientFunds,
    );
    await assert.rejects(
      ccxtFor(trader).withdraw('USDT', 10, 'TXyzListedAddress1', undefined, { network: 'TRC20' }),
      /50120/,
    );
    let sent: Awaited<ReturnType<typeof ex.fetchWithdrawals>>[number] | undefined;
    for (let i = 0; i < 40; i++) {
      [sent] = await ex.fetchWithdrawals('USDT');
      if (sent?.status === 'ok') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(sent?.status, 'ok');
    assert.match(sent?.txid ?? '', /^0x[0-9a-f]{64}$/);
    funding = await ex.fetchBalance({ type: 'funding' });
    assert.deepEqual([funding['USDT']?.free, funding['USDT']?.used ?? 0], [989, 0]);
  });

  test('okx-api: submitWithdraw, then cancel while pending; internal withdrawal to another account', async () => {
    const client = okxApiFor(wd);
    const [ack] = await client.submitWithdraw({
      ccy: 'USDT',
      amt: '20',
      dest: '4',
      toAddr: 'TXyzListedAddress1',
      chain: 'USDT-TRC20',
    });
    assert.match(ack?.wdId ?? '', /^\d+$/);
    const [canceled] = await client.cancelWithdrawal({ wdId: ack?.wdId ?? '' });
    assert.equal(canceled?.wdId, ack?.wdId);
    await assert.rejects(client.cancelWithdrawal({ wdId: ack?.wdId ?? '' }), (err: unknown) =>
      JSON.stringify(err).includes('58216'),
    );
    const [row] = await client.getWithdrawalHistory({ wdId: ack?.wdId ?? '' });
    assert.equal(row?.state, '-2');
    const [internal] = await client.submitWithdraw({
      ccy: 'USDT',
      amt: '7.5',
      dest: '3',
      toAddr: 'friend@example.com',
    });
    assert.ok(internal?.wdId !== undefined);
    const [bal] = await client.getBalances({ ccy: 'USDT' });
    assert.equal(bal?.availBal, '981.5');
  });

  test('transfer between funding (6) and trading (18) with ccxt; 58350 when short', async () => {
    const ex = ccxtFor(trader);
    await ex.transfer('USDT', 100, 'funding', 'trading');
    const trading = await ex.fetchBalance();
    assert.equal(trading['USDT']?.free, 100);
    await ex.transfer('USDT', 40, 'trading', 'funding');
    assert.equal((await ex.fetchBalance())['USDT']?.free, 60);
    await assert.rejects(ex.transfer('USDT', 100000, 'funding', 'trading'), ccxt.InsufficientFunds);
    const deposits = await ccxtFor(wd).fetchDeposits('USDT');
    assert.deepEqual(
      deposits.map((d) => [d.amount, d.status]),
      [[1000, 'ok']],
    );
  });

  test('the ledger balances: balances + fees collected == deposits - withdrawals', async () => {
    const rt = await openRuntime(loadConfig({ SIGNET_DATA: data, SIGNET_LOG_LEVEL: 'silent' }));
    try {
      checkConservation(rt);
    } finally {
      await rt.close();
    }
  });
});
