import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Big from 'big.js';
import { type RawData, WebSocket } from 'ws';
import {
  type Credentials,
  cliJson,
  cliOk,
  PASSPHRASE,
  type RunningServer,
  signedCall,
  startServer,
  tempDir,
} from './helpers.js';

type Detail = { ccy: string; cashBal: string; eqUsd: string };
type Balance = { totalEq: string; details: Detail[] };
type Message = { event?: string; code?: string; arg?: { channel?: string }; data?: Balance[] };

/** The `account` channel over a plain `ws` client: every message kept, waited on by predicate. */
class AccountSocket {
  private readonly seen: Message[] = [];
  private wake: (() => void) | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: RawData) => {
      this.seen.push(JSON.parse(String(raw)) as Message);
      this.wake?.();
    });
  }

  static async open(url: string, k: Credentials): Promise<AccountSocket> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const s = new AccountSocket(ws);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const sign = createHmac('sha256', k.secretKey).update(`${timestamp}GET/users/self/verify`).digest('base64');
    ws.send(JSON.stringify({ op: 'login', args: [{ apiKey: k.apiKey, passphrase: k.passphrase, timestamp, sign }] }));
    await s.next('login', (m) => m.event === 'login' && m.code === '0');
    ws.send(JSON.stringify({ op: 'subscribe', args: [{ channel: 'account' }] }));
    return s;
  }

  /** The first message (already received or to come) that `pred` accepts; fails after 5 s. */
  async next(what: string, pred: (m: Message) => boolean): Promise<Message> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = this.seen.find(pred);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within 5 s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

const byCcy = (b: Balance | undefined) => new Map((b?.details ?? []).map((d) => [d.ccy, d]));

/**
 * The WebSocket `account` channel values eqUsd and totalEq as REST /account/balance does: at the
 * paper books' last trade prices (not signet's reference prices), so a push and a read agree
 * after trades moved the price.
 */
describe('account pushes and /account/balance value balances alike', () => {
  const data = tempDir();
  const SELLER = 'valuation-seller@example.com';
  const BUYER = 'valuation-buyer@example.com';
  let server: RunningServer;
  let seller: Credentials;
  let buyer: Credentials;
  const sockets: AccountSocket[] = [];

  const key = async (email: string) => {
    const k = await cliJson<{ apiKey: string; secretKey: string }>(
      ['keys', 'create', '--user', email, '--name', 'bot', '--passphrase', PASSPHRASE, '--perm', 'read,trade'],
      data,
    );
    return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
  };
  /** Seller then buyer at `px`: one BTC-USDT trade of 0.01 at that price. */
  const trade = async (px: string) => {
    const order = { instId: 'BTC-USDT', tdMode: 'cash', ordType: 'limit', px, sz: '0.01' };
    const sell = await signedCall(server.url, seller, 'POST', '/api/v5/trade/order', { ...order, side: 'sell' });
    assert.equal(sell.code, '0', JSON.stringify(sell));
    const buy = await signedCall(server.url, buyer, 'POST', '/api/v5/trade/order', { ...order, side: 'buy' });
    assert.equal(buy.code, '0', JSON.stringify(buy));
    const got = await signedCall(
      server.url,
      buyer,
      'GET',
      `/api/v5/trade/order?instId=BTC-USDT&ordId=${buy.data[0]?.ordId}`,
    );
    assert.equal(got.data[0]?.state, 'filled');
  };
  const restBalance = async () =>
    (await signedCall(server.url, buyer, 'GET', '/api/v5/account/balance')).data[0] as unknown as Balance;
  const agree = (push: Balance | undefined, rest: Balance) => {
    assert.equal(push?.totalEq, rest.totalEq);
    assert.deepEqual(
      [...byCcy(push).values()].map((d) => [d.ccy, d.cashBal, d.eqUsd]),
      rest.details.map((d) => [d.ccy, d.cashBal, d.eqUsd]),
    );
  };

  before(async () => {
    for (const email of [SELLER, BUYER])
      await cliOk(['user', 'create', '--email', email, '--password', 'a long enough password'], data);
    await cliOk(['deposit', '--user', SELLER, '--ccy', 'BTC', '--amt', '1'], data);
    await cliOk(['deposit', '--user', BUYER, '--ccy', 'USDT', '--amt', '10000'], data);
    seller = await key(SELLER);
    buyer = await key(BUYER);
    server = await startServer(data, { SIGNET_MARKET_MAKER: '0' });
  });
  after(async () => {
    for (const s of sockets) s.ws.close();
    await server.stop();
  });

  test('snapshot and event pushes agree with REST after trades far from the reference price', async () => {
    // The reference price of BTC is 60000; the book trades at 12000, then 13000.
    await trade('12000');
    const ws = await AccountSocket.open(`${server.url.replace(/^http/, 'ws')}/ws/v5/private`, buyer);
    sockets.push(ws);
    const snap = await ws.next('account snapshot', (m) => m.arg?.channel === 'account' && m.data !== undefined);
    const first = await restBalance();
    agree(snap.data?.[0], first);
    const btc = byCcy(first).get('BTC');
    assert.ok(new Big(btc?.cashBal ?? '0').times(12000).eq(btc?.eqUsd ?? '-1'), `BTC ${JSON.stringify(btc)}`);

    await trade('13000');
    const second = await restBalance();
    const settled = (m: Message) => {
      const d = byCcy(m.data?.[0]);
      return (
        m.arg?.channel === 'account' && second.details.every((r) => d.get(r.ccy)?.cashBal === r.cashBal) && m !== snap
      );
    };
    const pushed = await ws.next('account push after the second trade', settled);
    agree(pushed.data?.[0], second);
    const btc2 = byCcy(second).get('BTC');
    assert.ok(new Big(btc2?.cashBal ?? '0').times(13000).eq(btc2?.eqUsd ?? '-1'), `BTC ${JSON.stringify(btc2)}`);
  });
});
