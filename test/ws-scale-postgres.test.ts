import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Big from 'big.js';
import { type RawData, WebSocket } from 'ws';
import { loadConfig } from '../src/config.js';
import { openRuntime } from '../src/runtime.js';
import {
  consoleLogin,
  type Envelope,
  PASSPHRASE,
  type RunningServer,
  signedCall,
  startServer,
  tempDir,
} from './helpers.js';
import { dropSchemas, freshSchemaUrl, postgresUnavailable } from './pg.js';

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}
type Message = Record<string, unknown> & {
  arg?: Record<string, string>;
  data?: Array<Record<string, unknown>>;
  event?: string;
  code?: string;
};
interface Received {
  at: number;
  msg: Message;
}

/** A plain `ws` client that keeps every message with its arrival time (Date.now()). */
class Client {
  readonly received: Received[] = [];
  private readonly waiters = new Set<() => void>();
  readonly closed: Promise<{ code: number; reason: string; at: number }>;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => {
      const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
      this.received.push({ at: Date.now(), msg: text === 'pong' ? { pong: true } : (JSON.parse(text) as Message) });
      for (const w of this.waiters) w();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })),
    );
  }

  static async open(
    server: RunningServer,
    path: '/ws/v5/private' | '/ws/v5/public' | '/ws/v5/business',
  ): Promise<Client> {
    const ws = new WebSocket(server.url.replace(/^http/, 'ws') + path);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Client(ws);
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(body: unknown): void {
    this.ws.send(typeof body === 'string' ? body : JSON.stringify(body));
  }

  /** The first message at or after index `from` that matches, waiting up to `timeoutMs`. */
  waitFor(match: (m: Message) => boolean, timeoutMs: number, from = 0): Promise<Received> {
    return new Promise((resolve, reject) => {
      let i = from;
      const check = () => {
        for (; i < this.received.length; i++) {
          const r = this.received[i];
          if (r !== undefined && match(r.msg)) {
            done();
            resolve(r);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `no matching message within ${timeoutMs} ms; received: ${JSON.stringify(this.received.slice(from).map((r) => r.msg)).slice(0, 2000)}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** OKX's WebSocket login (timestamp in Unix seconds, sign over ts + 'GET' + '/users/self/verify'). */
  async login(key: CreatedKey): Promise<void> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const sign = createHmac('sha256', key.secretKey).update(`${timestamp}GET/users/self/verify`).digest('base64');
    const from = this.received.length;
    this.send({ op: 'login', args: [{ apiKey: key.apiKey, passphrase: PASSPHRASE, timestamp, sign }] });
    const r = await this.waitFor((m) => m.event === 'login' || m.event === 'error', 5000, from);
    assert.equal(r.msg.code, '0', JSON.stringify(r.msg));
  }

  async subscribe(args: Array<Record<string, string>>): Promise<void> {
    const from = this.received.length;
    this.send({ op: 'subscribe', args });
    for (const arg of args) {
      const r = await this.waitFor(
        (m) => (m.event === 'subscribe' && m.arg?.channel === arg.channel) || m.event === 'error',
        5000,
        from,
      );
      assert.equal(r.msg.event, 'subscribe', JSON.stringify(r.msg));
    }
  }

  close(): void {
    this.ws.close();
  }
}

const unavailable = await postgresUnavailable();
if (unavailable !== null) console.log(`SKIP WebSocket pushes across two instances on PostgreSQL: ${unavailable}`);

/**
 * Two `signet serve` processes on one PostgreSQL schema: a WebSocket subscriber connected to one
 * instance receives what is done through the other (order and account pushes, public trades),
 * and its session ends with 4007 when its key is deleted through the other.
 */
describe('WebSocket pushes reach subscribers connected to any instance', { skip: unavailable ?? false }, () => {
  const masterKey = randomBytes(32).toString('hex');
  let a: RunningServer;
  let b: RunningServer;
  const keys = new Map<string, CreatedKey>();
  const key = (email: string): CreatedKey => {
    const k = keys.get(email);
    if (k === undefined) throw new Error(`no key for ${email}`);
    return k;
  };
  const rest = (
    server: RunningServer,
    k: CreatedKey,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<Envelope> => signedCall(server.url, { ...k, passphrase: PASSPHRASE }, method, path, body);
  const placeOnA = async (email: string, order: Record<string, string>): Promise<string> => {
    const res = await rest(a, key(email), 'POST', '/api/v5/trade/order', {
      instId: 'BTC-USDT',
      tdMode: 'cash',
      ordType: 'limit',
      ...order,
    });
    assert.equal(res.code, '0', JSON.stringify(res));
    return String(res.data[0]?.ordId);
  };
  const orderPush = (clOrdId: string, state: string) => (m: Message) =>
    m.arg?.channel === 'orders' && m.data?.[0]?.clOrdId === clOrdId && m.data[0].state === state;

  before(async () => {
    const url = await freshSchemaUrl();
    const env = {
      SIGNET_MASTER_KEY: masterKey,
      DATABASE_URL: url,
      SIGNET_MARKET_MAKER: '0',
      SIGNET_RATE_LIMITS: '0',
      SIGNET_LOG_LEVEL: 'warn',
      // Book changes of the other instance are caught up every 250 ms; key changes must arrive
      // through NOTIFY (the poll, which also syncs the ledger, is the fallback only).
      SIGNET_BOOK_SYNC_MS: '250',
      SIGNET_KEY_SYNC_MS: '5000',
    };
    const rt = await openRuntime(loadConfig(env));
    try {
      for (const email of ['buyer@example.com', 'seller@example.com', 'owner@example.com']) {
        const user = await rt.users.create(email, 'a long enough password', Date.now());
        await rt.ledger.deposit(user.id, 'live', '18', 'USDT', '1000000', Date.now());
        await rt.ledger.deposit(user.id, 'live', '18', 'BTC', '100', Date.now());
        const created = await rt.keys.create(
          user.id,
          { label: 'k', passphrase: PASSPHRASE, perm: 'read,trade', env: 'live' },
          'cli',
          Date.now(),
        );
        keys.set(email, { apiKey: created.apiKey, secretKey: created.secretKey });
      }
    } finally {
      await rt.close();
    }
    // Data directories differ: nothing is shared but the database.
    [a, b] = await Promise.all([startServer(tempDir(), env), startServer(tempDir(), env)]);
    // The traders' keys are cached on A with their passphrases checked (one scrypt each), so the
    // latencies below are those of the pushes, not of a first request.
    for (const email of ['buyer@example.com', 'seller@example.com'])
      assert.equal((await rest(a, key(email), 'GET', '/api/v5/account/balance')).code, '0');
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchemas();
  });

  test('an order placed through A reaches an `orders` and an `account` subscriber on B within 2 s', async () => {
    const ws = await Client.open(b, '/ws/v5/private');
    try {
      await ws.login(key('buyer@example.com'));
      await ws.subscribe([{ channel: 'orders', instType: 'ANY' }, { channel: 'account' }]);
      await ws.waitFor((m) => m.arg?.channel === 'account' && m.eventType === 'snapshot', 5000);
      const from = ws.received.length;
      const t0 = Date.now();
      const ordId = await placeOnA('buyer@example.com', { side: 'buy', px: '50000', sz: '0.01', clOrdId: 'crossA1' });
      const answered = Date.now();
      const [order, account] = await Promise.all([
        ws.waitFor(orderPush('crossA1', 'live'), 5000, from),
        ws.waitFor(
          (m) => {
            const usdt = (m.data?.[0]?.details as Array<Record<string, string>> | undefined)?.find(
              (d) => d.ccy === 'USDT',
            );
            return (
              m.arg?.channel === 'account' &&
              m.eventType === 'event' &&
              usdt !== undefined &&
              new Big(usdt.frozenBal ?? '0').eq(500)
            );
          },
          5000,
          from,
        ),
      ]);
      const orderMs = order.at - t0;
      const accountMs = account.at - t0;
      console.log(
        `# order placed on A (answered in ${answered - t0} ms): orders push on B ${orderMs} ms after the request was sent (${order.at - answered} ms after A answered), account push ${accountMs} ms (${account.at - answered} ms)`,
      );
      assert.equal(order.msg.data?.[0]?.ordId, ordId);
      assert.equal(order.msg.data?.[0]?.px, '50000');
      assert.ok(orderMs < 2000, `orders push on B after ${orderMs} ms`);
      assert.ok(accountMs < 2000, `account push on B after ${accountMs} ms`);
    } finally {
      ws.close();
    }
  });

  test('a key deleted through A closes the socket logged in with it on B with 4007 within 1 s; other sessions stay', async () => {
    const owner = key('owner@example.com');
    const doomed = await Client.open(b, '/ws/v5/private');
    const bystander = await Client.open(b, '/ws/v5/private');
    try {
      await doomed.login(owner);
      await doomed.subscribe([{ channel: 'account' }]);
      await bystander.login(key('buyer@example.com'));
      // A knows the key too (cached, passphrase checked) before it deletes it.
      assert.equal((await rest(a, owner, 'GET', '/api/v5/account/balance')).code, '0');
      const { cookie, csrf } = await consoleLogin(a.url, 'owner@example.com', 'a long enough password');
      const sent = Date.now();
      const deleted = await fetch(`${a.url}/console/api/keys/${owner.apiKey}`, {
        method: 'DELETE',
        headers: { cookie, 'x-csrf-token': csrf },
      });
      const answered = Date.now();
      assert.equal(deleted.status, 200, await deleted.clone().text());
      const closed = await Promise.race([doomed.closed, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
      assert.ok(closed !== null, 'the socket on B was not closed within 5 s');
      console.log(
        `# key deleted through A: socket on B closed with ${closed.code} ${closed.at - answered} ms after A answered the DELETE (${closed.at - sent} ms after it was sent)`,
      );
      assert.equal(closed.code, 4007);
      assert.ok(closed.at - answered < 1000, `closed ${closed.at - answered} ms after the deletion`);
      // The session of another key on B is untouched.
      const from = bystander.received.length;
      bystander.send('ping');
      await bystander.waitFor((m) => m.pong === true, 2000, from);
      assert.ok(bystander.open);
    } finally {
      doomed.close();
      bystander.close();
    }
  });

  test("a trade made through A reaches a public `trades` subscriber on B, and the taker's `orders` subscriber on B sees the fill", async () => {
    const trades = await Client.open(b, '/ws/v5/public');
    const taker = await Client.open(b, '/ws/v5/private');
    try {
      await trades.subscribe([{ channel: 'trades', instId: 'BTC-USDT' }]);
      await taker.login(key('seller@example.com'));
      await taker.subscribe([{ channel: 'orders', instType: 'SPOT', instId: 'BTC-USDT' }]);
      await placeOnA('buyer@example.com', { side: 'buy', px: '51000', sz: '0.02', clOrdId: 'makerC1' });
      const t0 = Date.now();
      const sellId = await placeOnA('seller@example.com', {
        side: 'sell',
        px: '51000',
        sz: '0.02',
        clOrdId: 'takerC1',
      });
      const answered = Date.now();
      const fills = await rest(
        a,
        key('seller@example.com'),
        'GET',
        `/api/v5/trade/fills?instId=BTC-USDT&ordId=${sellId}`,
      );
      assert.equal(fills.data.length, 1, JSON.stringify(fills));
      const tradeId = String(fills.data[0]?.tradeId);
      const [trade, filled] = await Promise.all([
        trades.waitFor((m) => m.arg?.channel === 'trades' && (m.data ?? []).some((t) => t.tradeId === tradeId), 5000),
        taker.waitFor(orderPush('takerC1', 'filled'), 5000),
      ]);
      const tradeMs = trade.at - t0;
      const filledMs = filled.at - t0;
      console.log(
        `# trade made on A (answered in ${answered - t0} ms): trades push on B ${tradeMs} ms after the request was sent (${trade.at - answered} ms after A answered), taker's orders push ${filledMs} ms (${filled.at - answered} ms)`,
      );
      assert.deepEqual(
        trade.msg.data?.find((t) => t.tradeId === tradeId),
        {
          instId: 'BTC-USDT',
          tradeId,
          px: '51000',
          sz: '0.02',
          side: 'sell',
          ts: fills.data[0]?.ts,
          count: '1',
          source: '0',
        },
      );
      assert.ok(tradeMs < 2000, `trades push on B after ${tradeMs} ms`);
      const pushed = filled.msg.data?.[0] ?? {};
      assert.equal(pushed.tradeId, tradeId);
      assert.equal(pushed.fillSz, '0.02');
      assert.equal(pushed.fillPx, '51000');
      assert.equal(pushed.execType, 'T');
      assert.ok(filledMs < 2000, `orders push on B after ${filledMs} ms`);
    } finally {
      trades.close();
      taker.close();
    }
  });

  test("the maker's `orders` subscriber on B sees the fill of a trade made through A", async () => {
    const maker = await Client.open(b, '/ws/v5/private');
    try {
      await maker.login(key('buyer@example.com'));
      await maker.subscribe([{ channel: 'orders', instType: 'ANY' }]);
      await placeOnA('buyer@example.com', { side: 'buy', px: '52000', sz: '0.03', clOrdId: 'makerD1' });
      await placeOnA('seller@example.com', { side: 'sell', px: '52000', sz: '0.03', clOrdId: 'takerD1' });
      const filled = await maker.waitFor(orderPush('makerD1', 'filled'), 5000);
      const pushed = filled.msg.data?.[0] ?? {};
      assert.equal(pushed.fillSz, '0.03');
      assert.equal(pushed.execType, 'M');
      assert.notEqual(pushed.tradeId, '');
    } finally {
      maker.close();
    }
  });

  test('an algo order placed and canceled through A reaches an `orders-algo` subscriber on B within 1 s; each change is pushed once on each instance', async () => {
    const seller = key('seller@example.com');
    const [onA, onB] = await Promise.all([Client.open(a, '/ws/v5/business'), Client.open(b, '/ws/v5/business')]);
    try {
      for (const ws of [onA, onB]) {
        await ws.login(seller);
        await ws.subscribe([{ channel: 'orders-algo', instType: 'SPOT' }]);
      }
      const algoPush = (algoClOrdId: string, state: string) => (m: Message) =>
        m.arg?.channel === 'orders-algo' && m.data?.[0]?.algoClOrdId === algoClOrdId && m.data[0].state === state;
      const algo = { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'conditional', sz: '0.01' };
      const t0 = Date.now();
      const placed = await rest(a, seller, 'POST', '/api/v5/trade/order-algo', {
        ...algo,
        algoClOrdId: 'crossAlgo1',
        slTriggerPx: '30000',
        slOrdPx: '-1',
      });
      assert.equal(placed.code, '0', JSON.stringify(placed));
      const live = await onB.waitFor(algoPush('crossAlgo1', 'live'), 5000);
      assert.equal(live.msg.data?.[0]?.algoId, placed.data[0]?.algoId);
      assert.equal(live.msg.data?.[0]?.slTriggerPx, '30000');
      const t1 = Date.now();
      const canceled = await rest(a, seller, 'POST', '/api/v5/trade/cancel-algos', [
        { instId: 'BTC-USDT', algoId: placed.data[0]?.algoId },
      ]);
      assert.equal(canceled.code, '0', JSON.stringify(canceled));
      const gone = await onB.waitFor(algoPush('crossAlgo1', 'canceled'), 5000);
      console.log(
        `# orders-algo on B: placed through A pushed after ${live.at - t0} ms, canceled after ${gone.at - t1} ms`,
      );
      assert.ok(live.at - t0 < 1000, `live push on B after ${live.at - t0} ms`);
      assert.ok(gone.at - t1 < 1000, `canceled push on B after ${gone.at - t1} ms`);
      // One placed through B reaches A: A's catch-up has run past its own changes above by then.
      const back = await rest(b, seller, 'POST', '/api/v5/trade/order-algo', {
        ...algo,
        algoClOrdId: 'crossAlgo2',
        slTriggerPx: '31000',
        slOrdPx: '-1',
      });
      assert.equal(back.code, '0', JSON.stringify(back));
      await onA.waitFor(algoPush('crossAlgo2', 'live'), 5000);
      await onB.waitFor(algoPush('crossAlgo2', 'live'), 5000);
      const count = (ws: Client, id: string) =>
        ws.received
          .filter((r) => r.msg.arg?.channel === 'orders-algo' && r.msg.data?.[0]?.algoClOrdId === id)
          .map((r) => r.msg.data?.[0]?.state);
      assert.deepEqual(count(onA, 'crossAlgo1'), ['live', 'canceled']);
      assert.deepEqual(count(onB, 'crossAlgo1'), ['live', 'canceled']);
      assert.deepEqual(count(onB, 'crossAlgo2'), ['live']);
      await rest(b, seller, 'POST', '/api/v5/trade/cancel-algos', [
        { instId: 'BTC-USDT', algoId: back.data[0]?.algoId },
      ]);
    } finally {
      onA.close();
      onB.close();
    }
  });
});
