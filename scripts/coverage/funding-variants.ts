import { expect, same, type Variant, v } from './variant.js';
import { HISTORY_ROWS, WD_ADDRESS } from './world.js';

/** Funding account at the start: 20000 + (1 + 2 + … + 105) deposited, 105 internal withdrawals of 1. */
const FUNDING_USDT = 20000 + (HISTORY_ROWS * (HISTORY_ROWS + 1)) / 2 - HISTORY_ROWS;

/** Balances, account facts, fees, deposits, withdrawals and transfers; demo (sandbox) mode. */
export const FUNDING_VARIANTS: readonly Variant[] = [
  v('fetchBalance', 'funding account', async ({ rest }) => {
    const b = await rest.fetchBalance({ type: 'funding' });
    same(b['USDT']?.total, FUNDING_USDT, 'USDT total');
  }),
  v('fetchBalance', 'trading account', async ({ rest, history }) => {
    const b = await rest.fetchBalance();
    const usdt = b['USDT'];
    const btc = b['BTC'];
    expect(usdt !== undefined && btc !== undefined, 'no USDT or BTC');
    // The open history orders hold 1000 × 0.001 USDT each.
    expect((usdt.used ?? 0) >= history.open.length, `USDT used ${usdt.used}`);
    expect(Math.abs((usdt.free ?? 0) + (usdt.used ?? 0) - (usdt.total ?? 0)) < 1e-6, 'USDT free + used is not total');
    expect((btc.total ?? 0) > 5, `BTC total ${btc.total}`);
  }),
  v('fetchAccounts', 'default', async ({ rest }) => {
    const accounts = await rest.fetchAccounts();
    expect(accounts.length > 0 && typeof accounts[0]?.id === 'string' && accounts[0]?.id !== '', 'no account id');
  }),
  v('fetchTradingFee', 'BTC/USDT', async ({ rest }) => {
    const fee = await rest.fetchTradingFee('BTC/USDT');
    same([fee.maker, fee.taker], [0.0008, 0.001], 'maker, taker');
  }),
  v('fetchDepositWithdrawFees', 'USDT', async ({ rest }) => {
    const fees = await rest.fetchDepositWithdrawFees(['USDT']);
    const usdt = fees['USDT'] as { networks?: Record<string, { withdraw?: { fee?: number } }> } | undefined;
    const nets = usdt?.networks ?? {};
    expect(Object.keys(nets).length >= 2, `networks ${Object.keys(nets)}`);
    expect(
      Object.values(nets).every((n) => typeof n.withdraw?.fee === 'number'),
      'a network without a withdrawal fee',
    );
  }),
  v('fetchDepositWithdrawFee', 'USDT', async ({ rest }) => {
    const fee = (await rest.fetchDepositWithdrawFee('USDT')) as { networks?: Record<string, unknown> };
    expect(Object.keys(fee.networks ?? {}).length >= 2, 'networks');
  }),
  v('fetchDepositAddress', 'USDT (stable)', async ({ rest }) => {
    const a = await rest.fetchDepositAddress('USDT');
    const b = await rest.fetchDepositAddress('USDT');
    expect(typeof a.address === 'string' && a.address.length > 10, `address ${a.address}`);
    same(b.address, a.address, 'second call');
  }),
  v('fetchDepositAddress', 'network TRC20', async ({ rest }) => {
    const a = await rest.fetchDepositAddress('USDT', { network: 'TRC20' });
    same(a.network, 'TRC20', 'network');
    expect(typeof a.address === 'string' && a.address.length > 10, `address ${a.address}`);
  }),
  v('fetchDepositAddressesByNetwork', 'USDT', async ({ rest }) => {
    const byNet = await rest.fetchDepositAddressesByNetwork('USDT');
    const nets = Object.keys(byNet);
    expect(nets.length >= 2, `networks ${nets}`);
    const addrs = Object.values(byNet).map((a) => a.address);
    expect(new Set(addrs).size === addrs.length, 'two networks share an address');
  }),
  v('fetchDeposits', 'default', async ({ rest }) => {
    const d = await rest.fetchDeposits();
    expect(d.length > 0 && d.every((x) => x.type === 'deposit' && x.status === 'ok'), 'deposit fields');
  }),
  v('fetchDeposits', 'code, limit 5', async ({ rest }) => {
    const d = await rest.fetchDeposits('USDT', undefined, 5);
    same(d.length, 5, 'deposits');
    expect(
      d.every((x) => x.currency === 'USDT'),
      'other currencies',
    );
  }),
  v('fetchDeposits', 'since', async ({ rest }) => {
    const all = await rest.fetchDeposits('USDT');
    const since = all[Math.floor(all.length / 2)]?.timestamp ?? 0;
    const d = await rest.fetchDeposits('USDT', since);
    expect(d.length > 0 && d.every((x) => (x.timestamp ?? 0) >= since), 'deposits before since');
  }),
  v('fetchDeposits', 'paginate over >100', async ({ rest, history }) => {
    const d = await rest.fetchDeposits('USDT', undefined, undefined, { paginate: true, paginationCalls: 4 });
    expect(new Set(d.map((x) => x.id)).size === d.length, 'repeated deposits');
    expect(d.length >= history.deposits, `${d.length} deposits, expected at least ${history.deposits}`);
  }),
  v('fetchDeposit', 'by id', async ({ rest }) => {
    const all = await rest.fetchDeposits('USDT', undefined, 10);
    const pick = all[3];
    expect(pick?.id !== undefined, 'no deposit');
    const d = await rest.fetchDeposit(pick.id, 'USDT');
    same([d.id, d.amount], [pick.id, pick.amount], 'deposit');
  }),
  v('fetchWithdrawals', 'default', async ({ rest }) => {
    const d = await rest.fetchWithdrawals();
    expect(d.length > 0 && d.every((x) => x.type === 'withdrawal'), 'withdrawal fields');
  }),
  v('fetchWithdrawals', 'code, limit 5', async ({ rest }) => {
    const d = await rest.fetchWithdrawals('USDT', undefined, 5);
    same(d.length, 5, 'withdrawals');
  }),
  v('fetchWithdrawals', 'paginate over >100', async ({ rest, history }) => {
    const d = await rest.fetchWithdrawals('USDT', undefined, undefined, { paginate: true, paginationCalls: 4 });
    expect(new Set(d.map((x) => x.id)).size === d.length, 'repeated withdrawals');
    expect(d.length >= history.withdrawals, `${d.length} withdrawals, expected at least ${history.withdrawals}`);
  }),
  v('withdraw', 'on chain to a listed address; fetchWithdrawal', async ({ rest }) => {
    const w = await rest.withdraw('USDT', 12, WD_ADDRESS, undefined, { network: 'TRC20' });
    expect(typeof w.id === 'string' && w.id !== '', 'no id');
    const f = await rest.fetchWithdrawal(w.id, 'USDT');
    same([f.id, f.amount, f.address], [w.id, 12, WD_ADDRESS], 'fetchWithdrawal');
  }),
  v('fetchWithdrawal', 'an old one by id', async ({ rest }) => {
    const all = await rest.fetchWithdrawals('USDT', undefined, 10);
    const pick = all[2];
    expect(pick?.id !== undefined, 'no withdrawal');
    const f = await rest.fetchWithdrawal(pick.id, 'USDT');
    same([f.id, f.amount], [pick.id, pick.amount], 'withdrawal');
  }),
  v('transfer', 'funding to spot and back', async ({ rest, notes }) => {
    const before = (await rest.fetchBalance())['USDT']?.total ?? 0;
    const t = await rest.transfer('USDT', 10, 'funding', 'spot');
    expect(typeof t.id === 'string' && t.id !== '', 'no id');
    same((await rest.fetchBalance())['USDT']?.total, before + 10, 'trading USDT after');
    await rest.transfer('USDT', 10, 'spot', 'funding');
    notes.set('transfer', t.id);
  }),
  v('fetchTransfer', 'by id', async ({ rest, notes }) => {
    const id = notes.get('transfer');
    expect(typeof id === 'string', 'no transfer made');
    const t = await rest.fetchTransfer(id, 'USDT');
    // Made as 'funding' -> 'spot', but ccxt names accounts back by OKX's id through
    // options.accountsById in okx.js ('6' -> 'funding', '18' -> 'trading': every trading alias
    // 'spot', 'margin', 'swap', ... maps to '18' on the way in), so against OKX too it reads 'trading'.
    same([t.id, t.amount, t.currency, t.fromAccount, t.toAccount], [id, 10, 'USDT', 'funding', 'trading'], 'transfer');
  }),
  v('fetchTransfers', 'code', async ({ rest }) => {
    const t = await rest.fetchTransfers('USDT');
    expect(
      t.some((x) => x.amount === 10),
      `${t.length} transfers, none of 10 USDT`,
    );
  }),
  v('setSandboxMode', 'demo key: demo balance', async ({ demo }) => {
    const b = await demo.fetchBalance();
    same(b['USDT']?.total, 777, 'demo USDT');
  }),
];
