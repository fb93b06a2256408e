import { attachedAlgo, attachedRequest } from '../core/algo-attach.js';
import { freezeAlgo, releaseAlgo } from '../core/algo-funds.js';
import {
  type AlgoOrder,
  type AlgoRequest,
  checkLegsAgainstLast,
  field,
  HISTORY_STATES,
  validateAlgo,
} from '../core/algo-orders.js';
import { trailingTrigger } from '../core/algo-triggers.js';
import { RuleError } from '../core/errors.js';
import type { KeyEnv } from '../core/key-rules.js';
import { type Order, type OrderRequest, validateOrder } from '../core/orders.js';
import type { AlgoQuery, AlgoStore, ClusterStore, ExchangeStore } from '../store/store.js';
import { AlgoEngine } from './algo-engine.js';
import { IdBlocks } from './id-blocks.js';
import type { LedgerService } from './ledger-service.js';
import { INSTRUMENTS, type TradingService } from './trading-service.js';

/** Which algo: by algoId, or by algoClOrdId when no algoId is given (OKX: algoId wins when both are). */
export interface AlgoRef {
  algoId?: string;
  algoClOrdId?: string;
}

/** Amendable fields (OKX amend-algos: conditional, oco and trigger orders; not trailing). */
const AMEND_FIELDS: Record<string, string> = {
  newSz: 'sz',
  newTpTriggerPx: 'tpTriggerPx',
  newTpOrdPx: 'tpOrdPx',
  newTpTriggerPxType: 'tpTriggerPxType',
  newSlTriggerPx: 'slTriggerPx',
  newSlOrdPx: 'slOrdPx',
  newSlTriggerPxType: 'slTriggerPxType',
  newTriggerPx: 'triggerPx',
  newOrdPx: 'orderPx',
  newTriggerPxType: 'triggerPxType',
};

/** Everything an algo is, as one string (two reads of one stored version compare equal). */
const versionOf = (a: AlgoOrder): string => JSON.stringify(a, Object.keys(a).sort());

/** A stored algo as a request again (the base of an amendment). */
function asRequest(a: AlgoOrder): AlgoRequest {
  const req: AlgoRequest = { instId: a.instId, tdMode: a.tdMode, side: a.side, ordType: a.ordType, sz: a.sz };
  for (const k of Object.values(AMEND_FIELDS)) {
    const v = (a as unknown as Record<string, string>)[k];
    if (v !== '' && v !== undefined) req[k] = v;
  }
  if (a.tgtCcy !== '') req.tgtCcy = a.tgtCcy;
  return req;
}

/**
 * Spot algo orders: TP/SL (conditional, oco), trigger and trailing (move_order_stop) orders
 * placed on their own, and TP/SL attached to an order. What they freeze is frozen through the
 * ledger in the same transaction that stores them; the AlgoEngine fires them on the paper book's
 * trades and places their orders through TradingService, under the same rules and ledger.
 */
export class AlgoService {
  readonly engine: AlgoEngine;
  private readonly ids: IdBlocks;
  private readonly listeners: Array<(a: AlgoOrder) => void> = [];
  /** Where this instance's look at the algo changes of every process is (null: not following). */
  private changeCursor: string | null = null;
  private catchingUp: Promise<number> | null = null;
  /** The last pushed version of each algo not finished, and of the last few thousand finished ones. */
  private readonly pushed = new Map<string, string>();
  private readonly finished = new Map<string, string>();

  constructor(
    private readonly store: AlgoStore & ExchangeStore & ClusterStore,
    private readonly trading: TradingService,
    private readonly ledger: LedgerService,
    now: () => number,
    log: (err: unknown) => void = (err) => console.error('algo order task failed:', err),
  ) {
    // Algo ids and the ordIds of the orders algos place share the order sequence: ids never collide.
    this.ids = new IdBlocks(store, 'order', 100, (t) => BigInt(t) * 1000n);
    this.engine = new AlgoEngine(store, trading, this.ids, (a, funds) => this.changed(a, funds), now, log);
  }

  /** Starts firing on trades and finishes what a stopped instance left half done. */
  async start(now: number): Promise<void> {
    this.changeCursor = (await this.store.algoChangesSince('')).cursor;
    this.engine.attach();
    await this.engine.run(() => this.engine.recover(now, true));
  }

  /** Periodic catch-up: placements abandoned by a stopped instance, attached TP/SL of parents finished elsewhere. */
  async sync(now: number): Promise<number> {
    let n = 0;
    await this.engine.run(async () => {
      n = await this.engine.recover(now, false);
    });
    return n;
  }

  /** Called with every stored change of an algo order (the WebSocket orders-algo channel listens). */
  onChange(listener: (a: AlgoOrder) => void): void {
    this.listeners.push(listener);
  }

  private changed(a: AlgoOrder, funds: boolean): void {
    if (funds) this.ledger.invalidate(a.userId, a.env);
    if (a.state === 'waiting' || a.state === 'dropped') return;
    if (this.changeCursor !== null && this.seen(a)) return;
    for (const l of this.listeners) l(a);
  }

  /** Whether this version of the algo was pushed already (here or by the catch-up); notes it as pushed. */
  private seen(a: AlgoOrder): boolean {
    const version = versionOf(a);
    const known = this.pushed.get(a.algoId) === version || this.finished.get(a.algoId) === version;
    if (HISTORY_STATES.includes(a.state)) {
      // A finished algo changes no more: kept a while, for whichever side comes second to find it.
      this.pushed.delete(a.algoId);
      this.finished.set(a.algoId, version);
      const oldest = this.finished.keys().next();
      if (this.finished.size > 5000 && oldest.done !== true) this.finished.delete(oldest.value);
    } else {
      this.pushed.set(a.algoId, version);
    }
    return known;
  }

  /**
   * Pushes the algo changes other instances sharing the database made since the last look (run
   * every SIGNET_BOOK_SYNC_MS, as the book catch-up is): each change reaches this instance's
   * listeners once, and this instance's own changes, pushed when made, are not pushed again.
   * Returns how many it pushed.
   */
  catchUp(): Promise<number> {
    this.catchingUp ??= this.readChanges().finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  private async readChanges(): Promise<number> {
    if (this.changeCursor === null) return 0;
    const { cursor, algos } = await this.store.algoChangesSince(this.changeCursor);
    this.changeCursor = cursor;
    let n = 0;
    for (const a of algos) {
      if (a.state === 'waiting' || a.state === 'dropped' || this.seen(a)) continue;
      for (const l of this.listeners) l(a);
      n++;
    }
    return n;
  }

  /** POST /trade/order-algo: validates, freezes what the algo needs and stores it, live. */
  async place(userId: number, env: KeyEnv, req: AlgoRequest, now: number): Promise<AlgoOrder> {
    const algoId = await this.ids.nextId(now);
    const { algo, inst } = validateAlgo(req, INSTRUMENTS, { algoId, userId, env, cTime: now });
    const last = await this.engine.last(env, inst.instId);
    if (algo.ordType === 'conditional' || algo.ordType === 'oco') checkLegsAgainstLast(algo, last);
    let a: AlgoOrder = { ...algo, last };
    if (a.ordType === 'move_order_stop') {
      // OKX: a sell's activation price above the last price (51258), a buy's below (51259).
      if (a.activePx !== '' && last !== '') {
        const wrong = a.side === 'sell' ? Number(a.activePx) <= Number(last) : Number(a.activePx) >= Number(last);
        if (wrong)
          throw new RuleError(
            a.side === 'sell' ? '51258' : '51259',
            `activePx: ${a.activePx} against the last price ${last}`,
          );
      }
      if (a.activePx === '' && last !== '') a = { ...a, extremePx: last, moveTriggerPx: trailingTrigger(a, last) };
    }
    const held = freezeAlgo(a, inst, last);
    await this.store.insertAlgos([held.algo], held.entries, now);
    this.changed(held.algo, held.entries.length > 0);
    this.engine.recheck(env, inst.instId, last);
    return held.algo;
  }

  /**
   * POST /trade/order and /trade/batch-orders: places the order, with its attached TP/SL (OKX's
   * attachAlgoOrds, or the older top-level tpTriggerPx/slTriggerPx fields) stored first as a
   * waiting algo under the order's reserved ordId, so a crash between the two loses neither.
   */
  async placeOrder(userId: number, env: KeyEnv, req: Record<string, unknown>, now: number): Promise<Order> {
    const attached = attachedRequest(req);
    if (attached === null) return this.trading.place(userId, env, req as OrderRequest, now);
    const valid = validateOrder(req as OrderRequest, INSTRUMENTS);
    const ordId = await this.ids.nextId(now);
    const algoId = await this.ids.nextId(now);
    const parent = { ordId, side: valid.side, px: valid.px, tag: valid.tag };
    const child = attachedAlgo(attached, valid.inst, parent, { algoId, userId, env, cTime: now });
    await this.store.insertAlgos([child], [], now);
    this.engine.parents.add(`${env}:${ordId}`);
    let order: Order;
    try {
      order = await this.trading.place(userId, env, req as OrderRequest, now, { ordId });
    } catch (err) {
      this.engine.parents.delete(`${env}:${ordId}`);
      await this.store.transitionAlgo({ ...child, state: 'dropped', uTime: now }, { state: 'waiting' }, [], now);
      throw err;
    }
    if (order.state !== 'live' && order.state !== 'partially_filled') {
      this.engine.parents.delete(`${env}:${ordId}`);
      await this.engine.run(() => this.engine.parentDone(order));
    }
    return order;
  }

  /** A pending algo of the account, or `code` (51400 cancel, 51503 amend). */
  private async pending(userId: number, env: KeyEnv, ref: AlgoRef, instId: string, code: '51400' | '51503') {
    const algoId = ref.algoId ?? '';
    const clId = ref.algoClOrdId ?? '';
    if (algoId === '' && clId === '') throw new RuleError('50014', 'algoId: give algoId or algoClOrdId', 'algoId');
    const a = await this.store.findAlgo(userId, env, algoId !== '' ? { algoId } : { algoClOrdId: clId });
    if (a === null || a.instId !== instId || a.state !== 'live') {
      const why = a === null || a.instId !== instId ? `does not exist on ${instId}` : `is already ${a.state}`;
      throw new RuleError(code, `algoId: the algo order ${algoId || clId} ${why}`, 'algoId');
    }
    return a;
  }

  /** POST /trade/cancel-algos (one item): live → canceled, releasing what it holds. */
  async cancel(userId: number, env: KeyEnv, ref: AlgoRef & { instId?: unknown }, now: number): Promise<AlgoOrder> {
    const instId = field(ref as AlgoRequest, 'instId', true);
    // A trade may move a trailing stop between the read and the write: read again.
    for (let attempt = 0; ; attempt++) {
      const a = await this.pending(userId, env, ref, instId, '51400');
      const released = releaseAlgo(a);
      const next: AlgoOrder = { ...released.algo, state: 'canceled', uTime: now };
      if (await this.store.transitionAlgo(next, { state: 'live', uTime: a.uTime }, released.entries, now)) {
        this.changed(next, released.entries.length > 0);
        return next;
      }
      if (attempt >= 3)
        throw new RuleError('51400', `algoId: the algo order ${a.algoId} changed while canceling`, 'algoId');
    }
  }

  /**
   * POST /trade/amend-algos: new size, trigger and order prices of a live conditional, oco or
   * trigger order (OKX does not amend trailing stops: 51000); what it holds is re-frozen.
   */
  async amend(userId: number, env: KeyEnv, req: AlgoRequest, now: number): Promise<AlgoOrder> {
    const instId = field(req, 'instId', true);
    const ref = { algoId: field(req, 'algoId'), algoClOrdId: field(req, 'algoClOrdId') };
    const changes = Object.keys(AMEND_FIELDS).filter((k) => field(req, k) !== '');
    if (changes.length === 0) throw new RuleError('50014', 'newSz: give at least one new value', 'newSz');
    for (let attempt = 0; ; attempt++) {
      const a = await this.pending(userId, env, ref, instId, '51503');
      if (a.ordType === 'move_order_stop')
        throw new RuleError('51000', 'ordType: trailing stop orders cannot be amended', 'ordType');
      const merged = asRequest(a);
      for (const k of changes) merged[AMEND_FIELDS[k] ?? k] = field(req, k);
      const ids = { algoId: a.algoId, userId, env, cTime: a.cTime };
      const { algo, inst } = validateAlgo(merged, INSTRUMENTS, ids);
      const last = await this.engine.last(env, instId);
      if (algo.ordType !== 'trigger') checkLegsAgainstLast(algo, last);
      const amended: AlgoOrder = {
        ...a,
        ...algo,
        state: 'live',
        algoClOrdId: a.algoClOrdId,
        tag: a.tag,
        tdMode: a.tdMode,
        uTime: now,
      };
      const released = releaseAlgo(a);
      const held = freezeAlgo(amended, inst, last);
      const entries = [...released.entries, ...held.entries];
      if (await this.store.transitionAlgo(held.algo, { state: 'live', uTime: a.uTime }, entries, now)) {
        this.changed(held.algo, entries.length > 0);
        return held.algo;
      }
      if (attempt >= 3)
        throw new RuleError('51503', `algoId: the algo order ${a.algoId} changed while amending`, 'algoId');
    }
  }

  /** GET /trade/order-algo: one algo order of the account (any state), or null. */
  find(userId: number, env: KeyEnv, ref: AlgoRef): Promise<AlgoOrder | null> {
    return this.store.findAlgo(userId, env, ref);
  }

  list(userId: number, env: KeyEnv, q: AlgoQuery): Promise<AlgoOrder[]> {
    return this.store.listAlgos(userId, env, q);
  }

  /** The TP/SL attached to an order (for its `attachAlgoOrds` while it waits). */
  attachedTo(userId: number, env: KeyEnv, ordId: string): Promise<AlgoOrder[]> {
    return this.store.childAlgos(userId, env, ordId);
  }

  /** The TP/SL attached to a page of an account's orders, in one query. */
  attachedToAll(userId: number, env: KeyEnv, ordIds: readonly string[]): Promise<AlgoOrder[]> {
    return this.store.childAlgosOf(userId, env, ordIds);
  }
}
