import { activatedChild } from '../core/algo-attach.js';
import { freezeAlgo, releaseAlgo } from '../core/algo-funds.js';
import type { AlgoOrder } from '../core/algo-orders.js';
import { evaluateAlgoPrices, type Firing } from '../core/algo-triggers.js';
import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import type { Fill } from '../core/matching.js';
import type { Order, OrderRequest } from '../core/orders.js';
import type { AlgoStore, ExchangeStore } from '../store/store.js';
import type { IdBlocks } from './id-blocks.js';
import { type BookChange, INSTRUMENTS, type TradingService } from './trading-service.js';

/** A placement under way this long (ms) is taken for abandoned (its instance stopped) and run again. */
export const STALE_PLACING_MS = 10_000;
/** A waiting attached TP/SL whose parent order is still not stored after this long (ms) is dropped. */
export const ORPHAN_MS = 60_000;

/**
 * What makes algo orders act: trades fire live algos, a finished parent order activates its
 * attached TP/SL, and a restart finishes what a stopped instance left half done. Every step is
 * a conditional transition in the store, so when several instances see the same trade exactly
 * one of them fires an algo, and a placement is keyed by the ordId reserved when it fired
 * (TradingService.place with `ordId`): run again after a crash, it places nothing twice.
 */
export class AlgoEngine {
  private queue: Promise<unknown> = Promise.resolve();
  /** The last trade price per book, as seen by this instance. */
  private readonly lastPx = new Map<string, string>();
  /** Parent orders (env:ordId) with a waiting attached TP/SL, known to this instance. */
  readonly parents = new Set<string>();

  constructor(
    private readonly store: AlgoStore & ExchangeStore,
    private readonly trading: TradingService,
    private readonly ids: IdBlocks,
    /** Called with every stored change of an algo; `funds` when it moved funds. */
    private readonly emit: (a: AlgoOrder, funds: boolean) => void,
    private readonly now: () => number,
    private readonly log: (err: unknown) => void,
  ) {}

  /** Listens to the paper exchange; call once. */
  attach(): void {
    this.trading.onFills((env, fills) => this.fills(env, fills));
    this.trading.onBookChange((change) => this.bookChanged(change));
  }

  /** Runs tasks one at a time (their order follows the trades'), logging faults. */
  run(task: () => Promise<unknown>): Promise<void> {
    const next = this.queue.then(task).then(
      () => undefined,
      (err: unknown) => this.log(err),
    );
    this.queue = next;
    return next;
  }

  /** Waits for everything queued so far (tests, shutdown). */
  async idle(): Promise<void> {
    for (let q = this.queue; ; q = this.queue) {
      await q;
      if (q === this.queue) return;
    }
  }

  /** The book's last trade price ('' before its first trade). */
  async last(env: KeyEnv, instId: string): Promise<string> {
    const known = this.lastPx.get(`${env}:${instId}`);
    if (known !== undefined) return known;
    const [t] = await this.store.listPublicTrades(env, instId, 1);
    return t?.px ?? '';
  }

  /**
   * After an algo is stored: if the book traded since `seen` (the last price the algo was checked
   * against), that trade was evaluated before the algo existed, so evaluate the algo against the
   * price now (the intermediate prices of such a trade are not replayed).
   */
  recheck(env: KeyEnv, instId: string, seen: string): void {
    const now = this.lastPx.get(`${env}:${instId}`);
    if (now !== undefined && now !== seen) void this.run(() => this.evaluate(env, instId, [now]));
  }

  private fills(env: KeyEnv, fills: readonly Fill[]): void {
    const byBook = new Map<string, string[]>();
    for (const f of fills) {
      if (f.execType !== 'T') continue;
      const prices = byBook.get(f.instId) ?? [];
      prices.push(f.px);
      byBook.set(f.instId, prices);
    }
    for (const [instId, prices] of byBook) {
      this.lastPx.set(`${env}:${instId}`, prices[prices.length - 1] ?? '');
      void this.run(() => this.evaluate(env, instId, prices));
    }
  }

  private async evaluate(env: KeyEnv, instId: string, prices: readonly string[]): Promise<void> {
    for (const a of await this.store.liveAlgos(env, instId)) {
      const e = evaluateAlgoPrices(a, prices);
      const now = this.now();
      if (e.fire !== null) await this.fire(e.algo, a.uTime, e.fire, now);
      else if (e.changed) {
        const moved = { ...e.algo, uTime: now };
        if (await this.store.transitionAlgo(moved, { state: 'live', uTime: a.uTime }, [], now)) this.emit(moved, false);
      }
    }
  }

  /** Evaluates every book's live algos against its last trade price; how many fired. */
  private async evaluateLast(): Promise<number> {
    let fired = 0;
    for (const env of ['live', 'demo'] as const) {
      for (const instId of INSTRUMENTS.keys()) {
        const last = await this.last(env, instId);
        if (last === '') continue;
        const before = (await this.store.liveAlgos(env, instId)).length;
        if (before === 0) continue;
        await this.evaluate(env, instId, [last]);
        fired += before - (await this.store.liveAlgos(env, instId)).length;
      }
    }
    return fired;
  }

  /** live → effective (once across instances), then its order. */
  private async fire(a: AlgoOrder, readAt: number, firing: Firing, now: number): Promise<void> {
    const ordId = await this.ids.nextId(now);
    const fired: AlgoOrder = {
      ...a,
      state: 'effective',
      placing: true,
      ordId,
      actualSz: a.sz,
      actualPx: firing.ordPx,
      actualSide: firing.leg,
      triggerTime: now,
      uTime: now,
    };
    if (!(await this.store.transitionAlgo(fired, { state: 'live', uTime: readAt }, [], now))) return;
    this.emit(fired, false);
    await this.placeFor(fired, now);
  }

  /** Places a fired algo's order (its funds released in the same transaction), or records why it failed. */
  async placeFor(a: AlgoOrder, now: number): Promise<void> {
    const market = a.actualPx === '-1';
    const req: OrderRequest = {
      instId: a.instId,
      tdMode: 'cash',
      side: a.side,
      ordType: market ? 'market' : 'limit',
      sz: a.sz,
      tag: a.tag,
      ...(market ? { tgtCcy: a.tgtCcy === '' ? 'base_ccy' : a.tgtCcy } : { px: a.actualPx }),
    };
    const release = releaseAlgo(a);
    try {
      await this.trading.place(a.userId, a.env, req, now, { ordId: a.ordId, entries: release.entries });
      const done = { ...release.algo, placing: false, uTime: now };
      if (await this.store.transitionAlgo(done, { state: 'effective', placing: true }, [], now)) this.emit(done, true);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      const failed: AlgoOrder = {
        ...release.algo,
        state: 'order_failed',
        failCode: err.code,
        placing: false,
        uTime: now,
      };
      if (await this.store.transitionAlgo(failed, { state: 'effective', placing: true }, release.entries, now))
        this.emit(failed, true);
    }
  }

  private bookChanged(change: BookChange): void {
    for (const o of change.orders) {
      if (o.state === 'live' || o.state === 'partially_filled') continue;
      const id = `${change.env}:${o.ordId}`;
      if (!this.parents.has(id)) continue;
      this.parents.delete(id);
      void this.run(() => this.parentDone(o));
    }
  }

  /** A parent order finished: its waiting attached TP/SL goes live (freezing what it needs), or is canceled. */
  async parentDone(parent: Order): Promise<void> {
    const inst = INSTRUMENTS.get(parent.instId);
    if (inst === undefined) return;
    for (const child of await this.store.childAlgos(parent.userId, parent.env, parent.ordId)) {
      if (child.state !== 'waiting') continue;
      const now = this.now();
      const next = activatedChild(child, parent, inst, now);
      if (next === null) continue;
      if (next.state !== 'live') {
        if (await this.store.transitionAlgo(next, { state: 'waiting' }, [], now)) this.emit(next, false);
        continue;
      }
      const held = freezeAlgo({ ...next, last: await this.last(parent.env, parent.instId) }, inst, '');
      try {
        if (await this.store.transitionAlgo(held.algo, { state: 'waiting' }, held.entries, now))
          this.emit(held.algo, true);
      } catch (err) {
        if (!(err instanceof RuleError)) throw err;
        const failed: AlgoOrder = { ...next, state: 'order_failed', failCode: err.code, uTime: now };
        if (await this.store.transitionAlgo(failed, { state: 'waiting' }, [], now)) this.emit(failed, false);
      }
    }
  }

  /**
   * Finishes what was left half done (at start-up, and periodically for instances that stopped):
   * a fired algo whose order may not be stored yet is placed (at most once, by its ordId), a
   * waiting TP/SL whose parent finished is activated, one whose parent was never stored dropped.
   * At start-up, live algos are also held against each book's last trade price: a trade stored
   * just before the process died was never evaluated, and an algo it crossed must still fire.
   */
  async recover(now: number, startup: boolean): Promise<number> {
    let finished = 0;
    if (startup) finished += await this.evaluateLast();
    for (const a of await this.store.unfinishedAlgos()) {
      if (a.placing) {
        if (!startup && now - a.uTime < STALE_PLACING_MS) continue;
        await this.placeFor(a, now);
        finished++;
        continue;
      }
      const parent = await this.store.findOrder(a.userId, a.env, { ordId: a.parentOrdId });
      if (parent === null) {
        if (now - a.cTime < ORPHAN_MS) continue;
        const dropped: AlgoOrder = { ...a, state: 'dropped', uTime: now };
        if (await this.store.transitionAlgo(dropped, { state: 'waiting' }, [], now)) finished++;
        continue;
      }
      if (parent.state === 'live' || parent.state === 'partially_filled') {
        this.parents.add(`${a.env}:${a.parentOrdId}`);
        continue;
      }
      await this.parentDone(parent);
      finished++;
    }
    return finished;
  }
}
