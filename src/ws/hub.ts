import type { FastifyBaseLogger } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AlgoOrder } from '../core/algo-orders.js';
import type { KeyEnv } from '../core/key-rules.js';
import { orderUpdates } from '../core/order-updates.js';
import { WS_CLOSE } from '../core/ws-codes.js';
import { childrenByParent } from '../okx/algo-views.js';
import { push } from '../okx/envelope.js';
import { tradeView } from '../okx/market-views.js';
import { orderPushView } from '../okx/order-views.js';
import type { AppDeps } from '../services/container.js';
import type { BookChange } from '../services/trading-service.js';
import { AccountFeed } from './account-feed.js';
import { isAlgoChannel, pushAlgo } from './algo-feed.js';
import { isMarketChannel, ordersMatch } from './channels.js';
import type { Connection, Subscription } from './connection.js';
import { MarketFeed } from './market-feed.js';

/** Book and ticker pushes are coalesced over this period, ms (OKX pushes books/tickers every 100 ms). */
const MARKET_PUSH_MS = 100;

/**
 * Who is connected and subscribed to what, and the pushes: account channels when the ledger says
 * an account changed (this instance at once, another instance or the CLI within a sync), order
 * updates when a book changes (including changes caught up from other instances), market data
 * per book, and the 4007 close when a key that sessions are logged in with changes.
 */
export class Hub {
  readonly connections = new Set<Connection>();
  private readonly byKey = new Map<string, Set<Connection>>();
  /** Connections whose login with a key is being checked. */
  private readonly loggingIn = new Map<string, Set<Connection>>();
  private readonly accounts = new Map<string, AccountFeed>();
  private readonly feeds = new Map<string, MarketFeed>();
  private marketTimer: NodeJS.Timeout | null = null;
  private orderChanges: BookChange[] = [];
  private orderPushes: Promise<void> = Promise.resolve();
  private algoChanges: AlgoOrder[] = [];
  /** OKX: 480 login/subscribe/unsubscribe requests per connection per hour. */
  readonly requestLimit = new RateLimiterMemory({ keyPrefix: 'ws-requests', points: 480, duration: 3600 });

  constructor(
    private readonly deps: AppDeps,
    private readonly log: FastifyBaseLogger,
  ) {
    deps.keyring.onEvict((apiKey) => this.keyChanged(apiKey));
    deps.ledger.onChange((userId, env) => this.accountChanged(userId, env));
    deps.trading.onBookChange((change) => this.bookChanged(change));
    deps.algos.onChange((a) => this.algoChanged(a));
  }

  add(conn: Connection): void {
    this.connections.add(conn);
  }

  /** Forgets a closed connection everywhere. */
  remove(conn: Connection): void {
    this.connections.delete(conn);
    void this.requestLimit.delete(conn.connId);
    for (const sub of [...conn.subs.values()]) this.unsubscribe(conn, sub);
    if (conn.key !== null) {
      const set = this.byKey.get(conn.key.apiKey);
      set?.delete(conn);
      if (set?.size === 0) this.byKey.delete(conn.key.apiKey);
    }
  }

  loggedIn(conn: Connection): void {
    if (conn.key === null) return;
    let set = this.byKey.get(conn.key.apiKey);
    if (set === undefined) {
      set = new Set();
      this.byKey.set(conn.key.apiKey, set);
    }
    set.add(conn);
  }

  /** Notes a login under way with `apiKey`; returns what `loginEnded` takes. */
  loginStarted(conn: Connection, apiKey: string): string {
    let set = this.loggingIn.get(apiKey);
    if (set === undefined) {
      set = new Set();
      this.loggingIn.set(apiKey, set);
    }
    set.add(conn);
    return apiKey;
  }

  loginEnded(conn: Connection, apiKey: string): void {
    const set = this.loggingIn.get(apiKey);
    set?.delete(conn);
    if (set?.size === 0) this.loggingIn.delete(apiKey);
  }

  /** A key was created, changed, deleted or expired by some process: its sessions (and logins under way) end with 4007. */
  private keyChanged(apiKey: string): void {
    const sessions = this.byKey.get(apiKey);
    const logins = this.loggingIn.get(apiKey);
    // Every key creation comes through here too: nothing to do for a key nobody is connected with.
    if (sessions === undefined && logins === undefined) return;
    const set = new Set([...(sessions ?? []), ...(logins ?? [])]);
    this.byKey.delete(apiKey);
    for (const conn of set) {
      this.log.info({ apiKey, connId: conn.connId }, 'websocket session closed: key changed or deleted');
      conn.close(WS_CLOSE.keyChanged.code, WS_CLOSE.keyChanged.reason);
    }
  }

  // Subscriptions

  /** Registers a subscription and sends its first data (snapshot), after the acknowledgement the caller sent. */
  async subscribe(conn: Connection, sub: Subscription, scope: 'private' | 'public'): Promise<void> {
    // A connection closed while an earlier arg of its request was being answered is gone from the hub.
    if (conn.closed) return;
    conn.subs.set(sub.id, sub);
    if (scope === 'public') return this.subscribePublic(conn, sub);
    const key = conn.key;
    if (key === null) return;
    const feed = this.account(key.userId, key.env, key.uid);
    feed.conns.add(conn);
    if (sub.channel === 'orders') return this.ordersSnapshot(conn, sub, key.userId, key.env);
    // OKX sends algo order updates only as they happen: no snapshot.
    if (isAlgoChannel(sub.channel)) return;
    return feed.snapshot(conn, sub);
  }

  unsubscribe(conn: Connection, sub: Subscription): void {
    conn.subs.delete(sub.id);
    if (sub.instId !== undefined && isMarketChannel(sub.channel)) {
      const id = `${conn.env}:${sub.instId}`;
      const feed = this.feeds.get(id);
      if (feed === undefined) return;
      feed.leave(sub.channel, conn);
      if (feed.empty) this.feeds.delete(id);
      return;
    }
    if (conn.key === null) return;
    const still = [...conn.subs.values()].some(
      (s) =>
        s.channel === 'account' ||
        s.channel === 'orders' ||
        s.channel === 'balance_and_position' ||
        isAlgoChannel(s.channel),
    );
    if (still) return;
    const gid = `${conn.key.userId}:${conn.key.env}`;
    const feed = this.accounts.get(gid);
    feed?.conns.delete(conn);
    if (feed !== undefined && feed.conns.size === 0) {
      feed.close();
      this.accounts.delete(gid);
    }
  }

  private async ordersSnapshot(conn: Connection, sub: Subscription, userId: number, env: KeyEnv): Promise<void> {
    if (sub.instType !== 'SPOT' && sub.instType !== 'ANY') return;
    const open = await this.deps.trading.listOrders(userId, env, { open: true, instId: sub.instId, limit: 100 });
    if (open.length === 0) return;
    const attached = childrenByParent(
      await this.deps.algos.attachedToAll(
        userId,
        env,
        open.map((o) => o.ordId),
      ),
    );
    if (conn.closed || !conn.subs.has(sub.id) || conn.key === null) return;
    conn.send(
      push(
        { ...sub.arg, uid: conn.key.uid },
        open.map((o) => orderPushView({ order: o, fill: null }, attached.get(o.ordId))),
      ),
    );
  }

  private subscribePublic(conn: Connection, sub: Subscription): void {
    const instId = sub.instId;
    if (instId === undefined) return;
    const channel = sub.channel;
    const id = `${conn.env}:${instId}`;
    let feed = this.feeds.get(id);
    if (feed === undefined) {
      const candles = this.deps.market.candles(conn.env, instId);
      feed = new MarketFeed(instId, this.deps.trading.book(conn.env, instId), candles);
      this.feeds.set(id, feed);
    }
    feed.subscribersOf(channel).add(conn);
    feed.joined(channel);
    const first = feed.firstMessage(channel, this.deps.now(), () => this.ticker(conn.env, instId));
    if (first !== null) conn.send(first);
  }

  private ticker(env: KeyEnv, instId: string): Record<string, string> {
    return this.deps.market.ticker(env, instId, this.deps.now());
  }

  // Pushes

  private account(userId: number, env: KeyEnv, uid: string): AccountFeed {
    const gid = `${userId}:${env}`;
    let feed = this.accounts.get(gid);
    if (feed === undefined) {
      feed = new AccountFeed(userId, env, uid, this.deps.ledger, this.deps.now, this.log, this.deps.market);
      this.accounts.set(gid, feed);
    }
    return feed;
  }

  private accountChanged(userId: number, env: KeyEnv): void {
    this.accounts.get(`${userId}:${env}`)?.changed();
  }

  private bookChanged(change: BookChange): void {
    const feed = this.feeds.get(`${change.env}:${change.instId}`);
    if (feed !== undefined) {
      this.pushTrades(feed, change);
      const bbo = feed.bboChanged(this.deps.now());
      if (bbo !== null) for (const c of feed.subscribers['bbo-tbt']) c.send(bbo);
      const traded = change.fills.reduce((at, f) => Math.max(at, f.ts), feed.tradedAt ?? -1);
      if (traded >= 0) feed.tradedAt = traded;
      feed.dirty = true;
      this.marketTimer ??= setTimeout(() => this.flushMarkets(), MARKET_PUSH_MS);
    }
    if (this.accounts.size === 0) return;
    // Noted now: the account push that follows the ledger change says whether a fill caused it.
    for (const order of change.orders) {
      const feed = this.accounts.get(`${order.userId}:${change.env}`);
      if (feed !== undefined && change.fills.some((f) => f.userId === order.userId)) feed.filled = true;
    }
    // After the current operation has answered (a single WebSocket op's reply goes before its pushes).
    this.orderChanges.push(change);
    if (this.orderChanges.length === 1) setImmediate(() => this.pushOrders());
  }

  /**
   * An algo change is pushed after the request that made it has answered, as the `orders` pushes
   * are (OKX answers a placement before its orders-algo push; a bot matches the push against the
   * algoId it got back).
   */
  private algoChanged(a: AlgoOrder): void {
    if (!this.accounts.has(`${a.userId}:${a.env}`)) return;
    this.algoChanges.push(a);
    if (this.algoChanges.length > 1) return;
    setImmediate(() => {
      const changes = this.algoChanges;
      this.algoChanges = [];
      for (const c of changes) {
        const feed = this.accounts.get(`${c.userId}:${c.env}`);
        if (feed !== undefined) pushAlgo(feed.conns, feed.uid, c);
      }
    });
  }

  private pushOrders(): void {
    const changes = this.orderChanges;
    this.orderChanges = [];
    // One at a time, so pushes never go out of order while the attached TP/SL are read.
    this.orderPushes = this.orderPushes
      .then(() => this.pushOrderChanges(changes))
      .catch((err: unknown) => this.log.error({ err }, 'websocket orders push failed'));
  }

  /** The orders of `changes` someone is subscribed to, by account. */
  private watchedOrders(changes: readonly BookChange[]): Map<AccountFeed, Set<string>> {
    const watched = new Map<AccountFeed, Set<string>>();
    for (const change of changes) {
      for (const order of change.orders) {
        const feed = this.accounts.get(`${order.userId}:${change.env}`);
        if (feed === undefined || !this.ordersWatched(feed, order.instId)) continue;
        const ids = watched.get(feed) ?? new Set<string>();
        watched.set(feed, ids.add(order.ordId));
      }
    }
    return watched;
  }

  private ordersWatched(feed: AccountFeed, instId: string): boolean {
    for (const conn of feed.conns)
      for (const sub of conn.subs.values()) if (sub.channel === 'orders' && ordersMatch(sub, instId)) return true;
    return false;
  }

  /** Pushes a batch of book changes, their orders with their attached TP/SL (one query per account). */
  private async pushOrderChanges(changes: readonly BookChange[]): Promise<void> {
    const watched = this.watchedOrders(changes);
    if (watched.size === 0) return;
    const lists = await Promise.all(
      [...watched].map(([feed, ids]) => this.deps.algos.attachedToAll(feed.userId, feed.env, [...ids])),
    );
    const attached = childrenByParent(lists.flat());
    for (const change of changes) this.pushOrderChange(change, attached);
  }

  private pushOrderChange(change: BookChange, attached: ReadonlyMap<string, AlgoOrder[]>): void {
    for (const order of change.orders) {
      const feed = this.accounts.get(`${order.userId}:${change.env}`);
      if (feed === undefined) continue;
      let messages: string[] | null = null;
      for (const conn of feed.conns) {
        for (const sub of conn.subs.values()) {
          if (sub.channel !== 'orders' || !ordersMatch(sub, order.instId)) continue;
          const children = attached.get(order.ordId);
          messages ??= orderUpdates(order, change.fills).map((u) => JSON.stringify(orderPushView(u, children)));
          const arg = JSON.stringify({ ...sub.arg, uid: feed.uid });
          for (const m of messages) conn.send(`{"arg":${arg},"data":[${m}]}`);
        }
      }
    }
  }

  private pushTrades(feed: MarketFeed, change: BookChange): void {
    if (feed.subscribers.trades.size === 0) return;
    const taker = change.fills.filter((f) => f.execType === 'T');
    if (taker.length === 0) return;
    const msg = push(
      { channel: 'trades', instId: change.instId },
      taker.map((f) => tradeView(change.instId, { tradeId: f.tradeId, px: f.px, sz: f.sz, side: f.side, ts: f.ts })),
    );
    for (const conn of feed.subscribers.trades) conn.send(msg);
  }

  private flushMarkets(): void {
    this.marketTimer = null;
    const now = this.deps.now();
    for (const [id, feed] of this.feeds) {
      if (!feed.dirty) continue;
      const env = id.slice(0, id.indexOf(':')) as KeyEnv;
      for (const [msg, conns] of feed.flush(now, () => this.ticker(env, feed.instId)))
        for (const c of conns) c.send(msg);
    }
  }

  /** Stops the timers (shutdown). */
  close(): void {
    if (this.marketTimer !== null) clearTimeout(this.marketTimer);
    this.marketTimer = null;
    for (const feed of this.accounts.values()) feed.close();
  }
}
