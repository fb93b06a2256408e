import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type RawData, WebSocket } from 'ws';
import {
  type Credentials,
  cli,
  cliJson,
  cliOk,
  PASSPHRASE,
  type RunningServer,
  signedHeaders,
  startServer,
  tempDir,
} from './helpers.js';

/**
 * The WebSocket API driven with a plain `ws` client (and one hand-made socket) against
 * `signet serve` in its own process: login codes, 4007 on key changes made by the CLI,
 * bad input, idle and slow consumers, trading ops and the orders channel.
 */

const DAY = 86_400_000;
const PASSWORD = 'a long enough password';

interface WsMessage {
  id?: string;
  op?: string;
  event?: string;
  code?: string;
  msg?: string;
  connId?: string;
  arg?: Record<string, string>;
  action?: string;
  data?: Array<Record<string, unknown>>;
  inTime?: string;
  outTime?: string;
}

interface Received {
  text: string;
  json: WsMessage;
  at: number;
}
interface Closed {
  code: number;
  reason: string;
  at: number;
}

interface CreatedKey {
  apiKey: string;
  secretKey: string;
}
interface ListedKey {
  apiKey: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

const sockets = new Set<WsClient>();
const rawSockets = new Set<Socket>();

/** A `ws` client that keeps every message, so a test can wait for the one it expects. */
class WsClient {
  /** Every message received, in order (consumed or not). */
  readonly history: Received[] = [];
  private readonly inbox: Received[] = [];
  private readonly wake = new Set<() => void>();
  closedWith: Closed | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      let json: WsMessage = {};
      try {
        json = JSON.parse(text) as WsMessage;
      } catch {
        // `pong` and other plain text
      }
      const r = { text, json, at: Date.now() };
      this.history.push(r);
      this.inbox.push(r);
      this.notify();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closedWith = { code, reason: reason.toString(), at: Date.now() };
      sockets.delete(this);
      this.notify();
    });
    ws.on('error', () => {
      /* surfaces as the close */
    });
  }

  static connect(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new WsClient(ws);
      sockets.add(client);
      ws.once('open', () => resolve(client));
      ws.once('close', (code: number) => reject(new Error(`${url}: closed (${code}) before opening`)));
    });
  }

  send(body: unknown): void {
    this.ws.send(typeof body === 'string' ? body : JSON.stringify(body));
  }

  private notify(): void {
    for (const w of [...this.wake]) w();
  }

  private sleepUntilNews(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.add(done);
    });
  }

  /** Takes the oldest message received at or after `since` that matches; waits up to `timeoutMs`. */
  async next(
    what: string,
    match: (m: WsMessage, text: string) => boolean,
    opts: { timeoutMs?: number; since?: number } = {},
  ): Promise<WsMessage> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    const since = opts.since ?? 0;
    for (;;) {
      const i = this.inbox.findIndex((r) => r.at >= since && match(r.json, r.text));
      if (i !== -1) return (this.inbox.splice(i, 1)[0] as Received).json;
      const pending = this.inbox.map((r) => r.text.slice(0, 160)).join('\n  ');
      if (this.closedWith !== null)
        throw new Error(`closed (${this.closedWith.code}) before ${what}; unmatched:\n  ${pending}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; unmatched:\n  ${pending}`);
      await this.sleepUntilNews(left);
    }
  }

  /** The close, or null if the connection is still open after `ms`. */
  async closeWithin(ms: number): Promise<Closed | null> {
    const deadline = Date.now() + ms;
    while (this.closedWith === null && Date.now() < deadline) await this.sleepUntilNews(deadline - Date.now());
    return this.closedWith;
  }

  async mustClose(ms: number): Promise<Closed> {
    const closed = await this.closeWithin(ms);
    assert.ok(closed !== null, `still open after ${ms} ms`);
    return closed;
  }

  /** `ping` answered by `pong`: the connection is open and served. */
  async pingPong(): Promise<void> {
    const since = Date.now();
    this.send('ping');
    await this.next('pong', (_m, text) => text === 'pong', { since, timeoutMs: 3000 });
  }
}

function closeAllSockets(): void {
  for (const c of sockets) c.ws.terminate();
  sockets.clear();
  for (const s of rawSockets) s.destroy();
  rawSockets.clear();
}

const wsBase = (s: RunningServer) => s.url.replace(/^http/, 'ws');
const errorOf = (m: WsMessage) => ({ code: m.code, msg: m.msg });
const isError = (m: WsMessage) => m.event === 'error';

/** The `args[0]` of OKX's login op: sign = Base64(HMAC-SHA256(secret, timestamp + 'GET' + '/users/self/verify')). */
function loginArg(
  k: Credentials,
  o: { apiKey?: string; passphrase?: string; timestamp?: string; secret?: string; sign?: string } = {},
) {
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000));
  const sign =
    o.sign ??
    createHmac('sha256', o.secret ?? k.secretKey)
      .update(`${timestamp}GET/users/self/verify`)
      .digest('base64');
  return { apiKey: o.apiKey ?? k.apiKey, passphrase: o.passphrase ?? k.passphrase, timestamp, sign };
}

async function loggedIn(url: string, k: Credentials, arg = loginArg(k)): Promise<WsClient> {
  const c = await WsClient.connect(url);
  c.send({ op: 'login', args: [arg] });
  const m = await c.next('login', (x) => x.event === 'login' || isError(x));
  assert.deepEqual([m.event, m.code, m.msg], ['login', '0', ''], JSON.stringify(m));
  assert.match(m.connId ?? '', /^[0-9a-f]{8}$/);
  return c;
}

/** A login refused with `code`/`msg`, then the connection closed with 4001. */
async function refusedLogin(url: string, args: unknown[], code: string, msg: string, what: string): Promise<void> {
  const c = await WsClient.connect(url);
  c.send({ op: 'login', args });
  const m = await c.next(`${what}: error`, (x) => isError(x) || x.event === 'login');
  assert.deepEqual(errorOf(m), { code, msg }, what);
  assert.match(m.connId ?? '', /^[0-9a-f]{8}$/, what);
  const closed = await c.mustClose(3000);
  assert.deepEqual([closed.code, closed.reason], [4001, 'Login failed'], what);
}

/** How a refused upgrade answers: the `ws` client's 'unexpected-response' event. */
function refusedUpgrade(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('error', () => {
      /* the request is aborted below */
    });
    ws.once('open', () => {
      ws.terminate();
      reject(new Error(`${url}: upgraded`));
    });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
  });
}

async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('WebSocket API over a raw ws client: login, key changes, bad input, trading', () => {
  const data = tempDir();
  const MAKER = 'wsmaker@example.com';
  const TAKER = 'wstaker@example.com';
  let server: RunningServer;
  let pub: string;
  let priv: string;
  let usage: Credentials;
  let maker: Credentials;
  let taker: Credentials;
  let reader: Credentials;
  let demo: Credentials;
  let bound: Credentials;
  let doomed: Credentials;
  let rebound: Credentials;

  const newKey = async (email: string, name: string, extra: string[]): Promise<Credentials> => {
    const k = await cliJson<CreatedKey>(
      ['keys', 'create', '--user', email, '--name', name, '--passphrase', PASSPHRASE, ...extra],
      data,
    );
    return { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
  };
  const listKeys = (email: string) => cliJson<ListedKey[]>(['keys', 'list', '--user', email], data);

  before(async () => {
    await cliOk(['user', 'create', '--email', MAKER, '--password', PASSWORD], data);
    await cliOk(['user', 'create', '--email', TAKER, '--password', PASSWORD], data);
    // The only key that can expire (unbound, live): created first, so that its creation and its
    // use are seconds apart. Every other key is bound to an IP or a demo key, and never expires.
    usage = await newKey(TAKER, 'usage', []);
    const local = ['--ip', '127.0.0.1'];
    [maker, taker, reader, demo, bound, doomed, rebound] = await Promise.all([
      newKey(MAKER, 'maker', ['--perm', 'read,trade', ...local]),
      newKey(TAKER, 'taker', ['--perm', 'read,trade', ...local]),
      newKey(TAKER, 'reader', local),
      newKey(TAKER, 'demo', ['--demo', '--perm', 'read,trade']),
      newKey(TAKER, 'bound', ['--ip', '203.0.113.7']),
      newKey(MAKER, 'doomed', local),
      newKey(MAKER, 'rebound', local),
      cliOk(['deposit', '--user', MAKER, '--ccy', 'BTC', '--amt', '1'], data),
      cliOk(['deposit', '--user', TAKER, '--ccy', 'USDT', '--amt', '20000'], data),
    ]);
    server = await startServer(data, {
      SIGNET_MARKET_MAKER: '0',
      SIGNET_USAGE_FLUSH_MS: '100',
      SIGNET_AUTH_FAILS_PER_IP: '1000',
      SIGNET_AUTH_FAILS_PER_KEY: '1000',
    });
    pub = `${wsBase(server)}/ws/v5/public`;
    priv = `${wsBase(server)}/ws/v5/private`;
  });
  after(async () => {
    closeAllSockets();
    await server.stop();
  });

  test('every login failure has its OKX code and message, and closes the connection with 4001', async () => {
    const at = (offsetS: number) => String(Math.floor(Date.now() / 1000) + offsetS);
    const cases: Array<[string, () => unknown[], string, string, string?]> = [
      ['empty apiKey', () => [loginArg(taker, { apiKey: '' })], '60001', 'OK-ACCESS-KEY can not be empty'],
      ['empty sign', () => [loginArg(taker, { sign: '' })], '60002', 'OK-ACCESS-SIGN can not be empty'],
      [
        'empty passphrase',
        () => [loginArg(taker, { passphrase: '' })],
        '60003',
        'OK-ACCESS-PASSPHRASE can not be empty',
      ],
      [
        'timestamp in milliseconds',
        () => [loginArg(taker, { timestamp: String(Date.now()) })],
        '60004',
        'Invalid timestamp',
      ],
      [
        'ISO-8601 timestamp (REST style)',
        () => [loginArg(taker, { timestamp: new Date().toISOString() })],
        '60004',
        'Invalid timestamp',
      ],
      ['malformed apiKey', () => [loginArg(taker, { apiKey: 'not-an-api-key' })], '60005', 'Invalid apiKey'],
      [
        'timestamp 45 s in the past',
        () => [loginArg(taker, { timestamp: at(-45) })],
        '60006',
        'Timestamp request expired',
      ],
      [
        'timestamp 45 s in the future',
        () => [loginArg(taker, { timestamp: at(45) })],
        '60006',
        'Timestamp request expired',
      ],
      ['sign made with another secret', () => [loginArg(taker, { secret: maker.secretKey })], '60007', 'Invalid sign'],
      ['wrong passphrase', () => [loginArg(taker, { passphrase: 'Wr0ng-Passphrase!' })], '60024', 'Wrong passphrase'],
      ['unknown well-formed key', () => [loginArg(taker, { apiKey: randomUUID() })], '60032', "API key doesn't exist."],
      ['demo key on the live URL', () => [loginArg(demo)], '60032', "API key doesn't exist."],
      [
        'live key on the demo URL (?brokerId=9999)',
        () => [loginArg(taker)],
        '60032',
        "API key doesn't exist.",
        `${priv}?brokerId=9999`,
      ],
      [
        'key bound to another IP',
        () => [loginArg(bound)],
        '50110',
        "Your IP 127.0.0.1 is not included in your API key's IP whitelist.",
      ],
    ];
    for (const [what, args, code, msg, url] of cases) await refusedLogin(url ?? priv, args(), code, msg, what);
  });

  test('accepted logins: ±20 s skew, fractional seconds, demo key on the demo URL, ?brokerId tolerated, id echoed', async () => {
    const s = Math.floor(Date.now() / 1000);
    for (const timestamp of [String(s - 20), String(s + 20), `${s}.123`])
      (await loggedIn(priv, taker, loginArg(taker, { timestamp }))).ws.close();
    (await loggedIn(`${priv}?brokerId=9999`, demo)).ws.close();
    (await loggedIn(`${priv}?brokerId=123`, taker)).ws.close();
    const c = await WsClient.connect(`${wsBase(server)}/ws/v5/business`);
    c.send({ id: 'L1', op: 'login', args: [loginArg(maker)] });
    const m = await c.next('login', (x) => x.event === 'login');
    assert.deepEqual([m.id, m.code], ['L1', '0']);
    c.ws.close();
  });

  test('two accounts in one login: 60031; a second login on a logged-in connection: 60030, the session stays', async () => {
    const c = await WsClient.connect(priv);
    c.send({ id: 'two', op: 'login', args: [loginArg(taker), loginArg(maker)] });
    const two = await c.next('60031', isError);
    assert.deepEqual(
      [two.id, two.code, two.msg],
      ['two', '60031', 'The WebSocket endpoint does not support multiple account batch login.'],
    );
    // Nothing was logged in: a private channel still needs a login.
    c.send({ op: 'subscribe', args: [{ channel: 'account' }] });
    assert.deepEqual(errorOf(await c.next('60011', isError)), { code: '60011', msg: 'Please log in' });

    c.send({ op: 'login', args: [loginArg(taker)] });
    await c.next('login', (x) => x.event === 'login' && x.code === '0');
    c.send({ id: 'again', op: 'login', args: [loginArg(maker)] });
    const again = await c.next('60030', isError);
    assert.deepEqual(
      [again.id, again.code, again.msg],
      ['again', '60030', 'The WebSocket endpoint does not allow multiple or repeated logins.'],
    );
    // Still the taker's session: its account channel answers with its balance.
    c.send({ op: 'subscribe', args: [{ channel: 'account', ccy: 'USDT' }] });
    const push = await c.next('account snapshot', (x) => x.arg?.channel === 'account' && x.data !== undefined);
    const details = (push.data?.[0]?.details ?? []) as Array<{ ccy: string; cashBal: string }>;
    assert.deepEqual(
      details.map((d) => [d.ccy, d.cashBal]),
      [['USDT', '20000']],
    );
    assert.equal(c.closedWith, null);

    // Two logins sent back to back, before the first is answered: one session, one 60030.
    const d = await WsClient.connect(priv);
    d.send({ op: 'login', args: [loginArg(taker)] });
    d.send({ op: 'login', args: [loginArg(taker)] });
    await d.next('login', (x) => x.event === 'login' && x.code === '0');
    assert.equal((await d.next('60030', isError)).code, '60030');
    await d.pingPong();
    c.ws.close();
    d.ws.close();
  });

  test('public URL: ping/pong, ?brokerId=123 tolerated, unknown path refused with HTTP 404', async () => {
    const c = await WsClient.connect(`${pub}?brokerId=123`);
    await c.pingPong();
    c.send({ op: 'subscribe', args: [{ channel: 'tickers', instId: 'BTC-USDT' }] });
    const ack = await c.next('subscribe ack', (x) => x.event === 'subscribe');
    assert.deepEqual(ack.arg, { channel: 'tickers', instId: 'BTC-USDT' });
    const ticker = await c.next('ticker', (x) => x.arg?.channel === 'tickers' && x.data !== undefined);
    assert.equal(ticker.data?.[0]?.instId, 'BTC-USDT');
    c.ws.close();

    const refused = await refusedUpgrade(`${wsBase(server)}/ws/v5/nope`);
    assert.equal(refused.status, 404);
    assert.equal((JSON.parse(refused.body) as { code: string }).code, '404');
    assert.equal((await refusedUpgrade(`${wsBase(server)}/ws/v5`)).status, 404);
  });

  test('bad input gets OKX error events and the connection stays usable', async () => {
    const c = await WsClient.connect(pub);
    c.send('{"op":"subscribe",');
    assert.deepEqual(errorOf(await c.next('60012', isError)), {
      code: '60012',
      msg: 'Illegal request: {"op":"subscribe",',
    });
    await c.pingPong();
    c.send({ id: 'u1', op: 'subscribe2', args: [] });
    const op = await c.next('60019', isError);
    assert.deepEqual([op.id, op.code, op.msg], ['u1', '60019', 'Invalid op: subscribe2']);
    c.send({ id: 'u2', op: 'subscribe' });
    const noArgs = await c.next('60013', isError);
    assert.deepEqual([noArgs.id, noArgs.code, noArgs.msg], ['u2', '60013', 'Invalid args']);
    c.send({ op: 'subscribe', args: [] });
    assert.deepEqual(errorOf(await c.next('60013 (empty args)', isError)), { code: '60013', msg: 'Invalid args' });
    // One request carries at most 100 args (as many as a connection may hold subscriptions).
    c.send({
      id: 'u9',
      op: 'subscribe',
      args: Array.from({ length: 101 }, () => ({ channel: 'tickers', instId: 'BTC-USDT' })),
    });
    const tooMany = await c.next('60013 (101 args)', isError);
    assert.deepEqual([tooMany.id, tooMany.code], ['u9', '60013']);
    const wrong = (what: string) =>
      `Wrong URL or channel:${what} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`;
    c.send({ id: 'u3', op: 'subscribe', args: [{ channel: 'tickers', instId: 'NOPE-USDT' }] });
    const inst = await c.next('60018 instId', isError);
    assert.deepEqual([inst.id, inst.code, inst.msg], ['u3', '60018', wrong('tickers,instId:NOPE-USDT')]);
    c.send({ op: 'subscribe', args: [{ channel: 'candle7m', instId: 'BTC-USDT' }] });
    const channel = await c.next('60018 channel', isError);
    assert.equal(channel.code, '60018');
    // As OKX words it: the channel and the instId it came with.
    assert.equal(channel.msg, wrong('candle7m,instId:BTC-USDT'));
    c.send({ op: 'subscribe', args: [{ channel: 'account' }] });
    assert.deepEqual(errorOf(await c.next('60028', isError)), {
      code: '60028',
      msg: 'The current operation is not supported by this URL. Please use the correct WebSocket URL for the operation.',
    });
    // After all that, a good request still works.
    c.send({ op: 'subscribe', args: [{ channel: 'books5', instId: 'ETH-USDT' }] });
    await c.next('books5 ack', (x) => x.event === 'subscribe' && x.arg?.channel === 'books5');
    assert.equal(c.closedWith, null);
    c.ws.close();

    const p = await WsClient.connect(priv);
    p.send({ id: 'p1', op: 'subscribe', args: [{ channel: 'orders', instType: 'SPOT' }] });
    const login = await p.next('60011', isError);
    assert.deepEqual([login.id, login.code, login.msg], ['p1', '60011', 'Please log in']);
    p.send({
      id: 'o1',
      op: 'order',
      args: [{ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '100', sz: '0.001' }],
    });
    const op1 = await p.next('order before login', (x) => x.op === 'order');
    assert.deepEqual([op1.id, op1.code, op1.msg, op1.data], ['o1', '60011', 'Please log in', []]);
    p.ws.close();
  });

  test('a trading op with a key without Trade permission: 50120 with the request id', async () => {
    const c = await loggedIn(priv, reader);
    c.send({
      id: 'r1',
      op: 'order',
      args: [{ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '100', sz: '0.001' }],
    });
    const m = await c.next('order answer', (x) => x.op === 'order');
    assert.deepEqual(
      [m.id, m.code, m.msg, m.data],
      ['r1', '50120', "This API key doesn't have permission to use this function", []],
    );
    c.ws.close();
  });

  test('trading ops: order, batch-orders (code 2), amend and cancel echo the id; orders pushes agree with GET /trade/order', async () => {
    const m = await loggedIn(priv, maker);
    const t = await loggedIn(priv, taker);
    for (const c of [m, t]) {
      c.send({ op: 'subscribe', args: [{ channel: 'orders', instType: 'SPOT', instId: 'BTC-USDT' }] });
      await c.next('orders ack', (x) => x.event === 'subscribe' && x.arg?.channel === 'orders');
    }
    const op = async (c: WsClient, id: string, name: string, args: unknown[]) => {
      const before = Date.now();
      c.send({ id, op: name, args });
      const r = await c.next(`${name} ${id}`, (x) => x.id === id && x.op === name);
      assert.match(r.inTime ?? '', /^\d{16}$/);
      assert.match(r.outTime ?? '', /^\d{16}$/);
      assert.ok(BigInt(r.outTime ?? '0') >= BigInt(r.inTime ?? '0'));
      assert.ok(Number(r.inTime) / 1000 >= before - 5);
      return r;
    };
    const limit = (side: string, px: string, sz: string, extra: Record<string, string> = {}) => ({
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side,
      ordType: 'limit',
      px,
      sz,
      ...extra,
    });
    const pushes = (c: WsClient, ordId: string) =>
      c.history
        .filter((r) => r.json.arg?.channel === 'orders' && r.json.data !== undefined)
        .flatMap((r) => r.json.data ?? [])
        .filter((o) => o.ordId === ordId);
    const waitPush = (c: WsClient, what: string, ordId: string, pred: (o: Record<string, unknown>) => boolean) =>
      c.next(what, (x) => x.arg?.channel === 'orders' && (x.data ?? []).some((o) => o.ordId === ordId && pred(o)));
    const rest = async (k: Credentials, ordId: string) => {
      const target = `/api/v5/trade/order?instId=BTC-USDT&ordId=${ordId}`;
      const res = await fetch(`${server.url}${target}`, { headers: signedHeaders(k, 'GET', target) });
      const body = (await res.json()) as { code: string; data: Array<Record<string, unknown>> };
      assert.equal(body.code, '0');
      return body.data[0] ?? {};
    };

    const placed = await op(m, 'm1', 'order', [limit('sell', '50000', '0.2', { clOrdId: 'mk1' })]);
    assert.deepEqual([placed.code, placed.msg], ['0', '']);
    const ack = placed.data?.[0] ?? {};
    assert.deepEqual([ack.clOrdId, ack.sCode, ack.sMsg], ['mk1', '0', 'Order placed']);
    const ask1 = String(ack.ordId);
    assert.match(ask1, /^\d+$/);

    const batch = await op(m, 'b1', 'batch-orders', [
      limit('sell', '50001', '0.1', { clOrdId: 'mk2' }),
      { ...limit('sell', '50002', '0.1'), instId: 'NOPE-USDT' },
    ]);
    assert.deepEqual([batch.code, batch.msg], ['2', 'Bulk operation partially succeeded.']);
    assert.deepEqual(
      batch.data?.map((d) => d.sCode),
      ['0', '51001'],
    );
    assert.equal(batch.data?.[1]?.ordId, '');
    assert.match(String(batch.data?.[1]?.sMsg), /^Instrument ID doesn't exist\./);
    const ask2 = String(batch.data?.[0]?.ordId);
    await waitPush(m, 'ask2 live', ask2, (o) => o.state === 'live');

    const bought = await op(t, 't1', 'order', [limit('buy', '50001', '0.25')]);
    assert.equal(bought.code, '0');
    const bid = String(bought.data?.[0]?.ordId);
    await waitPush(t, 'bid filled', bid, (o) => o.state === 'filled');
    // One push per fill, best price first; the last one is the final state.
    assert.deepEqual(
      pushes(t, bid).map((o) => [o.state, o.accFillSz, o.fillSz, o.fillPx, o.execType]),
      [
        ['partially_filled', '0.2', '0.2', '50000', 'T'],
        ['filled', '0.25', '0.05', '50001', 'T'],
      ],
    );
    await waitPush(m, 'ask1 filled', ask1, (o) => o.state === 'filled');
    await waitPush(m, 'ask2 partially filled', ask2, (o) => o.state === 'partially_filled');
    assert.deepEqual(
      pushes(m, ask1).map((o) => [o.state, o.accFillSz]),
      [
        ['live', '0'],
        ['filled', '0.2'],
      ],
    );
    assert.deepEqual(
      pushes(m, ask2).map((o) => [o.state, o.accFillSz, o.fillSz]),
      [
        ['live', '0', '0'],
        ['partially_filled', '0.05', '0.05'],
      ],
    );
    for (const [k, ordId, c] of [
      [taker, bid, t],
      [maker, ask1, m],
      [maker, ask2, m],
    ] as const) {
      const last = pushes(c, ordId).at(-1) ?? {};
      const r = await rest(k, ordId);
      assert.deepEqual([r.state, r.accFillSz, r.avgPx, r.sz], [last.state, last.accFillSz, last.avgPx, last.sz], ordId);
    }

    const amended = await op(m, 'a1', 'amend-order', [{ instId: 'BTC-USDT', ordId: ask2, newSz: '0.08' }]);
    assert.deepEqual([amended.code, amended.data?.[0]?.ordId, amended.data?.[0]?.sCode], ['0', ask2, '0']);
    await waitPush(m, 'ask2 amended', ask2, (o) => o.sz === '0.08');
    const canceled = await op(m, 'c1', 'cancel-order', [{ instId: 'BTC-USDT', ordId: ask2 }]);
    assert.deepEqual([canceled.code, canceled.data?.[0]?.ordId, canceled.data?.[0]?.sCode], ['0', ask2, '0']);
    await waitPush(m, 'ask2 canceled', ask2, (o) => o.state === 'canceled');
    const last = pushes(m, ask2).at(-1) ?? {};
    assert.deepEqual([last.state, last.accFillSz, last.sz], ['canceled', '0.05', '0.08']);
    const r = await rest(maker, ask2);
    assert.deepEqual([r.state, r.accFillSz, r.sz], ['canceled', '0.05', '0.08']);
    // A second cancel fails per item (code 1) and still echoes the id.
    const again = await op(m, 'c2', 'cancel-order', [{ instId: 'BTC-USDT', ordId: ask2 }]);
    assert.deepEqual([again.code, again.data?.[0]?.sCode], ['1', '51400']);
    m.ws.close();
    t.ws.close();
  });

  test("keys delete in another process closes the key's sessions with 4007 within 1 s; another key's session stays", async (t) => {
    const victim = await loggedIn(priv, doomed);
    const bystander = await loggedIn(priv, taker);
    const r = await cli(['keys', 'delete', '--user', MAKER, '--key', doomed.apiKey, '--yes'], { data });
    const doneAt = Date.now();
    assert.equal(r.code, 0, r.stderr);
    const closed = await victim.mustClose(5000);
    assert.deepEqual([closed.code, closed.reason], [4007, 'API key has been updated or deleted. Please reconnect.']);
    assert.ok(closed.at - doneAt < 1000, `closed ${closed.at - doneAt} ms after the CLI finished`);
    t.diagnostic(`4007 ${closed.at - doneAt} ms after the CLI finished`);
    await bystander.pingPong();
    assert.equal(bystander.closedWith, null);
    await refusedLogin(priv, [loginArg(doomed)], '60032', "API key doesn't exist.", 'deleted key');
    bystander.ws.close();
  });

  test("keys modify --ip (another address) closes the key's sessions with 4007 within 1 s; a new login gets 50110", async (t) => {
    const victim = await loggedIn(priv, rebound);
    const bystander = await loggedIn(priv, maker);
    const r = await cli(['keys', 'modify', '--user', MAKER, '--key', rebound.apiKey, '--ip', '198.51.100.7'], { data });
    const doneAt = Date.now();
    assert.equal(r.code, 0, r.stderr);
    const closed = await victim.mustClose(5000);
    assert.equal(closed.code, 4007);
    assert.ok(closed.at - doneAt < 1000, `closed ${closed.at - doneAt} ms after the CLI finished`);
    t.diagnostic(`4007 ${closed.at - doneAt} ms after the CLI finished`);
    await bystander.pingPong();
    assert.equal(bystander.closedWith, null);
    await refusedLogin(
      priv,
      [loginArg(rebound)],
      '50110',
      "Your IP 127.0.0.1 is not included in your API key's IP whitelist.",
      'rebound key',
    );
    bystander.ws.close();
  });

  test('a WebSocket login is use of the key: lastUsedAt set, kept by a sweep at T+29 d, deleted at T+31 d (session closed)', async () => {
    // Nothing else uses this key: a lastUsedAt within the login's round trip is the login's.
    const sentAt = Date.now();
    const c = await loggedIn(priv, usage);
    const ackAt = Date.now();
    let listed: ListedKey | undefined;
    await until(
      'lastUsedAt in keys list',
      async () => {
        listed = (await listKeys(TAKER)).find((k) => k.apiKey === usage.apiKey);
        return listed?.lastUsedAt !== null && listed?.lastUsedAt !== undefined;
      },
      10_000,
      100,
    );
    const T = Date.parse(listed?.lastUsedAt ?? '');
    const created = Date.parse(listed?.createdAt ?? '');
    assert.ok(T >= sentAt && T <= ackAt, `lastUsedAt ${listed?.lastUsedAt} not during the login`);
    assert.ok(T - created >= 1000, 'the key must be older than its use for the sweeps below to tell them apart');
    assert.equal(listed?.expiresAt, new Date(T + 30 * DAY).toISOString());

    const sweep = (asOf: number) => cliJson<ListedKey[]>(['sweep', '--as-of', new Date(asOf).toISOString()], data);
    assert.deepEqual(await sweep(T + 29 * DAY), []);
    // Past 30 days after the creation but not after the login: only the login keeps it.
    assert.deepEqual(await sweep(created + 30 * DAY + Math.floor((T - created) / 2)), []);
    assert.deepEqual(
      (await sweep(T + 31 * DAY)).map((k) => k.apiKey),
      [usage.apiKey],
    );
    const closed = await c.mustClose(3000);
    assert.equal(closed.code, 4007);
    await refusedLogin(priv, [loginArg(usage)], '60032', "API key doesn't exist.", 'expired key');
  });
});

describe('WebSocket limits: idle connections, oversized messages, failed-login rate limit', () => {
  const data = tempDir();
  const EMAIL = 'wslimits@example.com';
  let server: RunningServer;
  let key: Credentials;

  before(async () => {
    await cliOk(['user', 'create', '--email', EMAIL, '--password', PASSWORD], data);
    const k = await cliJson<CreatedKey>(
      ['keys', 'create', '--user', EMAIL, '--name', 'limits', '--passphrase', PASSPHRASE],
      data,
    );
    key = { apiKey: k.apiKey, secretKey: k.secretKey, passphrase: PASSPHRASE };
    server = await startServer(data, {
      SIGNET_MARKET_MAKER: '0',
      SIGNET_WS_IDLE_MS: '1000',
      SIGNET_WS_MAX_MESSAGE: '4096',
      SIGNET_AUTH_FAILS_PER_IP: '3',
    });
  });
  after(async () => {
    closeAllSockets();
    await server.stop();
  });

  test('idle 1 s: a silent connection gets 60015 and is closed; one sending ping every 300 ms stays open', async () => {
    const url = `${wsBase(server)}/ws/v5/public`;
    const [silent, chatty] = await Promise.all([WsClient.connect(url), WsClient.connect(url)]);
    const openedAt = Date.now();
    const pinger = setInterval(() => chatty.send('ping'), 300);
    try {
      const m = await silent.next('60015', isError, { timeoutMs: 4000 });
      assert.deepEqual(errorOf(m), {
        code: '60015',
        msg: 'Connection closed as there was no data transmission in the last 1 seconds',
      });
      const closed = await silent.mustClose(2000);
      const elapsed = closed.at - openedAt;
      assert.ok(elapsed >= 950 && elapsed < 2500, `closed after ${elapsed} ms`);
      // Well past two idle periods: still open, every ping answered.
      assert.equal(await chatty.closeWithin(2500 - (Date.now() - openedAt)), null);
    } finally {
      clearInterval(pinger);
    }
    const pongs = chatty.history.filter((r) => r.text === 'pong').length;
    assert.ok(pongs >= 5, `${pongs} pongs`);
    chatty.ws.close();
  });

  test('a message over SIGNET_WS_MAX_MESSAGE closes the connection with 1009; one under it does not', async () => {
    const c = await WsClient.connect(`${wsBase(server)}/ws/v5/public`);
    c.send('x'.repeat(4000));
    assert.deepEqual(errorOf(await c.next('60012', isError)), {
      code: '60012',
      msg: `Illegal request: ${'x'.repeat(200)}…`,
    });
    await c.pingPong();
    c.send('x'.repeat(5000));
    assert.equal((await c.mustClose(3000)).code, 1009);
  });

  // Last on this server: it blocks logins from 127.0.0.1 for a minute.
  test('failed logins are rate limited per IP: after SIGNET_AUTH_FAILS_PER_IP failures even a good login gets 60014', async () => {
    const url = `${wsBase(server)}/ws/v5/private`;
    const wrongSecret = randomBytes(16).toString('hex').toUpperCase();
    for (let i = 1; i <= 3; i++)
      await refusedLogin(url, [loginArg(key, { secret: wrongSecret })], '60007', 'Invalid sign', `failure ${i}`);
    await refusedLogin(url, [loginArg(key)], '60014', 'Requests too frequent', 'good login while blocked');
    await refusedLogin(
      url,
      [loginArg(key, { apiKey: '' })],
      '60014',
      'Requests too frequent',
      'empty apiKey while blocked',
    );
  });
});

/** A client socket that does the WebSocket upgrade by hand, so that it can stop reading. */
async function rawWebSocket(base: string, path: string): Promise<Socket> {
  const { hostname, port } = new URL(base);
  const sock = connect(Number(port), hostname);
  rawSockets.add(sock);
  sock.once('close', () => rawSockets.delete(sock));
  sock.on('error', () => {
    /* a reset after the server drops it: seen as 'close' */
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('close', () => reject(new Error('raw socket closed before connecting')));
  });
  sock.write(
    `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const head = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        sock.off('data', onData);
        resolve(text);
      }
    };
    sock.on('data', onData);
    sock.once('close', () => reject(new Error(`raw socket closed during the upgrade: ${text}`)));
  });
  assert.match(head, /^HTTP\/1\.1 101 /);
  return sock;
}

/** A masked text frame, as a client must send it. */
function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const len = payload.length;
  let header: Buffer;
  if (len < 126) {
    header = Buffer.from([0x81, 0x80 | len]);
  } else if (len < 65536) {
    header = Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
  return Buffer.concat([header, mask, masked]);
}

describe('WebSocket slow consumer (SIGNET_WS_SEND_BUFFER=4096)', () => {
  const data = tempDir();
  let server: RunningServer;

  before(async () => {
    server = await startServer(data, {
      SIGNET_WS_SEND_BUFFER: '4096',
      SIGNET_MM_INTERVAL_MS: '300',
      SIGNET_WS_CONNECTIONS_PER_IP: '4',
    });
  });
  after(async () => {
    closeAllSockets();
    await server.stop();
  });

  test('a client that stops reading is disconnected; a reading client on the same books keeps its pushes', async (t) => {
    const insts = ['BTC-USDT', 'ETH-USDT', 'ETH-BTC', 'SOL-USDT'];
    const healthy = await WsClient.connect(`${wsBase(server)}/ws/v5/public`);
    healthy.send({
      op: 'subscribe',
      args: insts.flatMap((instId) => [
        { channel: 'books', instId },
        { channel: 'tickers', instId },
      ]),
    });
    await healthy.next(
      'BTC-USDT books snapshot',
      (x) => x.arg?.channel === 'books' && x.arg.instId === 'BTC-USDT' && x.action === 'snapshot',
    );
    await healthy.next('a books update', (x) => x.arg?.channel === 'books' && x.action === 'update');

    const slow = await rawWebSocket(server.url, '/ws/v5/public');
    let closed = false;
    slow.once('close', () => {
      closed = true;
    });
    slow.pause();
    // Each request: 100 `books` subscriptions (the most one request may carry), each answered with an
    // acknowledgement and a snapshot; at most 400 requests, under the 480 a connection may send per hour.
    const request = clientTextFrame(
      JSON.stringify({
        op: 'subscribe',
        args: Array.from({ length: 100 }, (_, i) => ({ channel: 'books', instId: insts[i % insts.length] })),
      }),
    );
    let requests = 0;
    await until(
      'the server to drop the slow consumer',
      () => {
        if (/websocket consumer too slow/.test(server.logs())) return true;
        for (let i = 0; i < 10 && requests < 400; i++) {
          slow.write(request);
          requests++;
        }
        return false;
      },
      20_000,
    );
    const droppedAt = Date.now();
    let received = 0;
    slow.on('data', (d: Buffer) => {
      received += d.length;
    });
    slow.resume();
    await until('the slow socket to end', () => closed, 5000);
    t.diagnostic(`dropped after ${requests} requests; ${(received / 1e6).toFixed(1)} MB were still on their way`);

    // The reading client goes on receiving, with an unbroken books sequence.
    await healthy.next('a books update after the drop', (x) => x.arg?.channel === 'books' && x.action === 'update', {
      since: droppedAt,
    });
    await healthy.next('a ticker after the drop', (x) => x.arg?.channel === 'tickers', { since: droppedAt });
    assert.equal(healthy.closedWith, null);
    for (const instId of insts) {
      const books = healthy.history
        .map((r) => r.json)
        .filter((x) => x.arg?.channel === 'books' && x.arg.instId === instId && x.data !== undefined)
        .map((x) => x.data?.[0] ?? {});
      assert.equal(books[0]?.prevSeqId, -1, instId);
      for (let i = 1; i < books.length; i++)
        assert.equal(books[i]?.prevSeqId, books[i - 1]?.seqId, `${instId} push ${i}`);
    }
    // And the server still takes new connections.
    const fresh = await WsClient.connect(`${wsBase(server)}/ws/v5/public`);
    await fresh.pingPong();
    fresh.ws.close();
    healthy.ws.close();
  });

  test('one client IP holds at most SIGNET_WS_CONNECTIONS_PER_IP connections: more are refused with 429 (50011) until one closes', async () => {
    const open: WsClient[] = [];
    // Connections of the previous test may still be closing: retry until four are held.
    await until(
      'four connections held',
      async () => {
        if (open.length === 4) return true;
        try {
          open.push(await WsClient.connect(`${wsBase(server)}/ws/v5/public`));
        } catch {
          /* still at the limit */
        }
        return false;
      },
      5000,
    );
    const refused = await refusedUpgrade(`${wsBase(server)}/ws/v5/private`);
    assert.equal(refused.status, 429);
    assert.deepEqual(JSON.parse(refused.body), {
      code: '50011',
      msg: 'Rate limit reached. Please refer to API documentation and throttle requests accordingly.',
      data: [],
    });
    for (const c of open) await c.pingPong();
    const first = open.shift();
    first?.ws.close();
    await until(
      'a place to free up',
      async () => {
        try {
          open.push(await WsClient.connect(`${wsBase(server)}/ws/v5/public`));
          return true;
        } catch {
          return false;
        }
      },
      5000,
    );
    for (const c of open) c.ws.close();
  });
});
