import ccxt from 'ccxt';
import { loadConfig } from '../../src/config.js';
import { FUNDING, TRADING } from '../../src/core/ledger.js';
import { openRuntime } from '../../src/runtime.js';
import {
  type Credentials,
  cliJson,
  cliOk,
  type Envelope,
  PASSPHRASE,
  type RunningServer,
  signedCall,
  startServer,
  tempDir,
} from '../../test/helpers.js';

export type Okx = InstanceType<typeof ccxt.okx>;
export type ProOkx = InstanceType<typeof ccxt.pro.okx>;

export const SYMBOL = 'BTC/USDT';
export const INST_ID = 'BTC-USDT';
export const TRADER = 'trader@coverage.test';
export const FRIEND = 'friend@coverage.test';
export const SWITCH = 'switch@coverage.test';
export const WD_ADDRESS = 'TCoverageListedAddress1';

/** How many rows of each history the trader has before the checks start: more than one page (OKX: 100). */
export const HISTORY_ROWS = 105;

/** Ids and times of the history made before the checks run, oldest first. */
export interface History {
  /** Market buys, each filled at once (one fill each), placed one by one at distinct milliseconds. */
  filled: Array<{ id: string; ts: number }>;
  /** Limit buys far below the market, left open. */
  open: Array<{ id: string; ts: number }>;
  /** Limit buys placed and canceled. */
  canceled: string[];
  /** Deposits to the funding account, one second apart, in the past. */
  deposits: number;
  /** Internal withdrawals to FRIEND. */
  withdrawals: number;
}

/** The server, the clients of the accounts the checks use, and the history made for them. */
export interface World {
  server: RunningServer;
  url: string;
  wsUrl: string;
  data: string;
  trader: Credentials;
  /** ccxt okx on the trader's live key (read, trade, withdraw). */
  rest: Okx;
  /** ccxt pro okx on the same key. */
  pro: ProOkx;
  /** ccxt okx in sandbox mode on the trader's demo key. */
  demo: Okx;
  /** ccxt okx of another account, for the dead man's switch (which cancels every order of its account). */
  deadman: Okx;
  history: History;
  /** A signed V5 request with the trader's key. */
  raw: (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<Envelope>;
  /** What checks leave for later checks (e.g. an armed dead man's switch). */
  notes: Map<string, unknown>;
  close: () => Promise<void>;
}

const newKey = (data: string, email: string, name: string, perm: string, extra: string[] = []) =>
  cliJson<{ apiKey: string; secretKey: string }>(
    ['keys', 'create', '--user', email, '--name', name, '--passphrase', PASSPHRASE, '--perm', perm, ...extra],
    data,
  ).then((k) => ({ apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE }));

/** Accounts, keys, deposits and withdrawals written straight to a fresh data directory (before the server starts). */
async function seedAccounts(data: string, now: number): Promise<number> {
  for (const email of [TRADER, FRIEND, SWITCH])
    await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
  await cliOk(
    ['address', 'add', '--user', TRADER, '--ccy', 'USDT', '--chain', 'USDT-TRC20', '--addr', WD_ADDRESS],
    data,
  );
  const rt = await openRuntime(loadConfig({ SIGNET_DATA: data, SIGNET_LOG_LEVEL: 'silent' }));
  let withdrawals = 0;
  try {
    const trader = await rt.users.byEmail(TRADER);
    const sw = await rt.users.byEmail(SWITCH);
    await rt.ledger.deposit(trader.id, 'live', TRADING, 'USDT', '500000', now - 400_000);
    await rt.ledger.deposit(trader.id, 'live', TRADING, 'BTC', '5', now - 400_000);
    await rt.ledger.deposit(trader.id, 'live', FUNDING, 'USDT', '20000', now - 400_000);
    await rt.ledger.deposit(trader.id, 'demo', TRADING, 'USDT', '777', now - 400_000);
    await rt.ledger.deposit(sw.id, 'live', TRADING, 'USDT', '10000', now - 400_000);
    for (let i = 0; i < HISTORY_ROWS; i++)
      await rt.ledger.deposit(trader.id, 'live', FUNDING, 'USDT', String(i + 1), now - 300_000 + i * 1000);
    for (let i = 0; i < HISTORY_ROWS; i++) {
      await rt.funding.withdraw(
        trader.id,
        'live',
        { ccy: 'USDT', amt: '1', dest: '3', toAddr: FRIEND, chain: 'USDT-TRC20' },
        now - 200_000 + i * 1000,
      );
      withdrawals++;
    }
  } catch (err) {
    console.error('coverage setup: seeding stopped early:', err instanceof Error ? err.message : err);
  } finally {
    await rt.close();
  }
  return withdrawals;
}

/** Waits until the next millisecond, so that consecutive orders have distinct timestamps (ccxt's backward paging steps by ms). */
async function nextMs(): Promise<void> {
  const t = Date.now();
  while (Date.now() === t) await new Promise((r) => setImmediate(r));
}

/** Places orders one by one through `trade/batch-orders` (a batch of one each) and returns their ids and times. */
async function placeEach(
  url: string,
  key: Credentials,
  count: number,
  order: Record<string, string>,
): Promise<Array<{ id: string; ts: number }>> {
  const out: Array<{ id: string; ts: number }> = [];
  for (let i = 0; i < count; i++) {
    await nextMs();
    const r = await signedCall(url, key, 'POST', '/api/v5/trade/batch-orders', [order]);
    const d = r.data[0];
    if (r.code !== '0' || d === undefined) throw new Error(`setup order refused: ${JSON.stringify(r)}`);
    out.push({ id: d.ordId ?? '', ts: Number(d.ts ?? '0') });
  }
  return out;
}

/** Starts a server on a fresh data directory with the accounts, keys and history the checks need. */
export async function makeWorld(): Promise<World> {
  const data = tempDir('signet-coverage-');
  const withdrawals = await seedAccounts(data, Date.now());
  const trader = await newKey(data, TRADER, 'main', 'read,trade,withdraw');
  const fillsKey = await newKey(data, TRADER, 'setup-fills', 'read,trade');
  const openKey = await newKey(data, TRADER, 'setup-open', 'read,trade');
  const demoKey = await newKey(data, TRADER, 'demo', 'read,trade', ['--demo']);
  const switchKey = await newKey(data, SWITCH, 'switch', 'read,trade');
  const server = await startServer(data, { SIGNET_MM_INTERVAL_MS: '500', SIGNET_WITHDRAWAL_SETTLE_MS: '1000' });
  const url = server.url;
  const wsUrl = `${url.replace(/^http/, 'ws')}/ws/v5`;
  const client = (k: Credentials): Okx =>
    new ccxt.okx({
      apiKey: k.apiKey,
      secret: k.secretKey,
      password: k.passphrase,
      timeout: 10_000,
      urls: { api: { rest: url }, test: { rest: url } },
    });
  const urls = { rest: url, ws: wsUrl };
  const pro = new ccxt.pro.okx({
    apiKey: trader.apiKey,
    secret: trader.secretKey,
    password: trader.passphrase,
    timeout: 10_000,
    urls: { api: urls, test: urls },
  });
  await pro.loadHttpProxyAgent();
  const demo = client(demoKey);
  demo.setSandboxMode(true);
  const rest = client(trader);
  const deadman = client(switchKey);

  // Filled: small market buys against the market maker (one level each, one fill each).
  const filled = await placeEach(url, fillsKey, HISTORY_ROWS, {
    instId: INST_ID,
    tdMode: 'cash',
    side: 'buy',
    ordType: 'market',
    tgtCcy: 'base_ccy',
    sz: '0.0001',
  });
  const open = await placeEach(url, openKey, HISTORY_ROWS, {
    instId: INST_ID,
    tdMode: 'cash',
    side: 'buy',
    ordType: 'limit',
    px: '1000',
    sz: '0.001',
  });
  // Canceled: batches of 20 placed and canceled (their times do not matter: ccxt cannot page canceled orders).
  const canceled: string[] = [];
  while (canceled.length < HISTORY_ROWS) {
    const batch = Array.from({ length: 20 }, () => ({
      instId: 'ETH-USDT',
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '100',
      sz: '0.01',
    }));
    const placed = await signedCall(url, openKey, 'POST', '/api/v5/trade/batch-orders', batch);
    const ids = placed.data.map((d) => d.ordId ?? '');
    const gone = await signedCall(
      url,
      openKey,
      'POST',
      '/api/v5/trade/cancel-batch-orders',
      ids.map((ordId) => ({ instId: 'ETH-USDT', ordId })),
    );
    if (gone.code !== '0') throw new Error(`setup cancel refused: ${JSON.stringify(gone)}`);
    canceled.push(...ids);
  }
  await Promise.all([rest.loadMarkets(), demo.loadMarkets(), deadman.loadMarkets(), pro.loadMarkets()]);
  return {
    server,
    url,
    wsUrl,
    data,
    trader,
    rest,
    pro,
    demo,
    deadman,
    history: { filled, open, canceled, deposits: HISTORY_ROWS, withdrawals },
    raw: (method, path, body) => signedCall(url, trader, method, path, body),
    notes: new Map(),
    close: async () => {
      await pro.close().catch(() => undefined);
      await server.stop();
    },
  };
}
