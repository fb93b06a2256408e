import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Big from 'big.js';
import { RuleError } from './errors.js';
import { seededRandom } from './market-maker.js';
import { SPOT_INSTRUMENTS } from './markets.js';
import { amendOrder, applyOutcome, cancelOrder, type FeeRates, type MatchOutcome, matchOrder } from './matching.js';
import { OrderBook } from './order-book.js';
import { newOrderRecord, type Order, type OrderRequest, validateOrder } from './orders.js';

const INSTRUMENTS = new Map(SPOT_INSTRUMENTS.map((i) => [i.instId, i]));
const BTC = (() => {
  const inst = INSTRUMENTS.get('BTC-USDT');
  if (inst === undefined) throw new Error('BTC-USDT is not listed');
  return inst;
})();
const FEES: FeeRates = { maker: '0.0008', taker: '0.001' };
const T = 1_700_000_000_000;

/** A tiny exchange around the pure engine: balances as a map, outcomes applied only when no balance goes negative. */
class Harness {
  readonly book = new OrderBook('BTC-USDT');
  readonly balances = new Map<string, { avail: Big; frozen: Big }>();
  readonly deposits = new Map<string, Big>();
  readonly feesCollected = new Map<string, Big>();
  private ids = 0;
  private trades = 0;

  deposit(userId: number, ccy: string, amt: string): void {
    this.bal(userId, ccy).avail = this.bal(userId, ccy).avail.plus(amt);
    this.deposits.set(ccy, (this.deposits.get(ccy) ?? new Big(0)).plus(amt));
  }

  bal(userId: number, ccy: string): { avail: Big; frozen: Big } {
    const k = `${userId}:${ccy}`;
    let b = this.balances.get(k);
    if (b === undefined) {
      b = { avail: new Big(0), frozen: new Big(0) };
      this.balances.set(k, b);
    }
    return b;
  }

  /** Applies the entries like the store: all or nothing, never negative. */
  commit(outcome: MatchOutcome): boolean {
    const next = new Map<string, { avail: Big; frozen: Big }>();
    for (const e of outcome.entries) {
      const k = `${e.userId}:${e.ccy}`;
      const cur = next.get(k) ?? { ...this.bal(e.userId, e.ccy) };
      next.set(k, { avail: cur.avail.plus(e.availDelta), frozen: cur.frozen.plus(e.frozenDelta) });
    }
    for (const b of next.values()) if (b.avail.lt(0) || b.frozen.lt(0)) return false;
    for (const [k, b] of next) this.balances.set(k, b);
    for (const f of outcome.fills)
      this.feesCollected.set(f.feeCcy, (this.feesCollected.get(f.feeCcy) ?? new Big(0)).minus(f.fee));
    applyOutcome(this.book, outcome);
    return true;
  }

  order(userId: number, req: OrderRequest): Order {
    return newOrderRecord(
      validateOrder({ instId: 'BTC-USDT', tdMode: 'cash', ...req }, INSTRUMENTS),
      String(++this.ids),
      userId,
      'live',
      T,
    );
  }

  place(userId: number, req: OrderRequest): { outcome: MatchOutcome; accepted: boolean } {
    const outcome = matchOrder(this.book, this.order(userId, req), BTC, FEES, () => `t${++this.trades}`, T);
    return { outcome, accepted: this.commit(outcome) };
  }

  /** sum of balances + fees collected == deposits, per currency; frozen == what open orders hold. */
  checkInvariants(): void {
    const totals = new Map<string, Big>();
    const frozen = new Map<string, Big>();
    for (const [k, b] of this.balances) {
      const [user = '', ccy = ''] = k.split(':');
      assert.ok(b.avail.gte(0) && b.frozen.gte(0), `negative balance ${k}`);
      totals.set(ccy, (totals.get(ccy) ?? new Big(0)).plus(b.avail).plus(b.frozen));
      frozen.set(`${user}:${ccy}`, b.frozen);
    }
    for (const [ccy, dep] of this.deposits) {
      const held = (totals.get(ccy) ?? new Big(0)).plus(this.feesCollected.get(ccy) ?? 0);
      assert.equal(held.toFixed(), dep.toFixed(), `conservation of ${ccy}`);
    }
    const held = new Map<string, Big>();
    for (const side of ['buy', 'sell'] as const) {
      for (const o of this.book.side(side)) {
        const remaining = new Big(o.sz).minus(o.accFillSz);
        assert.equal(
          o.frozen,
          (side === 'buy' ? remaining.times(o.px) : remaining).toFixed(),
          `frozen of order ${o.ordId}`,
        );
        const k = `${o.userId}:${side === 'buy' ? 'USDT' : 'BTC'}`;
        held.set(k, (held.get(k) ?? new Big(0)).plus(o.frozen));
      }
    }
    for (const [k, f] of frozen) assert.equal(f.toFixed(), (held.get(k) ?? new Big(0)).toFixed(), `frozen of ${k}`);
  }
}

const sizes = (o: MatchOutcome) => o.fills.filter((f) => f.execType === 'T').map((f) => [f.px, f.sz]);

describe('order validation', () => {
  const v = (req: OrderRequest) =>
    validateOrder(
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '100', sz: '1', ...req },
      INSTRUMENTS,
    );
  const code = (req: OrderRequest, expected: string, field: string) =>
    assert.throws(
      () => v(req),
      (err: unknown) => err instanceof RuleError && err.code === expected && err.message.startsWith(`${field}:`),
    );

  test('OKX codes for each broken rule', () => {
    code({ instId: 'DOGE-USDT' }, '51001', 'instId');
    code({ side: 'hold' }, '51000', 'side');
    code({ ordType: 'stop' }, '51000', 'ordType');
    code({ tdMode: 'cross' }, '51000', 'tdMode');
    code({ sz: undefined }, '50014', 'sz');
    code({ px: undefined }, '50014', 'px');
    code({ px: '100.05' }, '51000', 'px');
    code({ px: '-1' }, '51000', 'px');
    code({ sz: '0.000000001' }, '51121', 'sz');
    code({ sz: '0.1234567891234567891' }, '51000', 'sz');
    code({ sz: '0.000001' }, '51020', 'sz');
    code({ clOrdId: 'has space' }, '51000', 'clOrdId');
    code({ clOrdId: 'a'.repeat(33) }, '51000', 'clOrdId');
    code({ sz: 1e21 }, '51000', 'sz');
  });

  test('lot size: 51121', () => {
    const eth = () =>
      validateOrder(
        { instId: 'ETH-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '3000', sz: '0.0012345' },
        INSTRUMENTS,
      );
    assert.throws(eth, (err: unknown) => err instanceof RuleError && err.code === '51121');
  });

  test('market orders: tgtCcy defaults as on OKX; quote sizes skip the lot check', () => {
    assert.equal(v({ ordType: 'market', px: undefined, sz: '10.5' }).tgtCcy, 'quote_ccy');
    assert.equal(v({ side: 'sell', ordType: 'market', px: undefined }).tgtCcy, 'base_ccy');
    assert.equal(v({ ordType: 'market', tgtCcy: 'base_ccy', sz: '0.001' }).px, '');
    code({ ordType: 'market', tgtCcy: 'base_ccy', sz: '0.000001' }, '51020', 'sz');
    code({ ordType: 'market', tgtCcy: 'nope' }, '51000', 'tgtCcy');
  });
});

describe('matching engine', () => {
  test('price-time priority, partial fills, price improvement refunded, fees in the received currency', () => {
    const h = new Harness();
    h.deposit(1, 'BTC', '10');
    h.deposit(2, 'BTC', '10');
    h.deposit(3, 'USDT', '10000');
    h.place(1, { side: 'sell', ordType: 'limit', px: '101', sz: '1' });
    h.place(2, { side: 'sell', ordType: 'limit', px: '100', sz: '1' });
    h.place(1, { side: 'sell', ordType: 'limit', px: '100', sz: '2' });
    assert.deepEqual(h.book.levels('sell', 5), [
      ['100', '3', 2],
      ['101', '1', 1],
    ]);
    const { outcome } = h.place(3, { side: 'buy', ordType: 'limit', px: '101', sz: '3.5' });
    // User 2's order came first at 100, then user 1's at 100, then 101.
    assert.deepEqual(
      outcome.fills.filter((f) => f.execType === 'M').map((f) => [f.userId, f.px, f.sz]),
      [
        [2, '100', '1'],
        [1, '100', '2'],
        [1, '101', '0.5'],
      ],
    );
    const taker = outcome.orders[0];
    assert.equal(taker?.state, 'filled');
    assert.equal(taker?.accFillQuote, '350.5');
    assert.equal(taker?.fee, '-0.0035');
    assert.equal(taker?.feeCcy, 'BTC');
    // Bought 3.5 BTC for 350.5 USDT although 353.5 was frozen at the limit price.
    assert.equal(h.bal(3, 'USDT').avail.toFixed(), '9649.5');
    assert.equal(h.bal(3, 'USDT').frozen.toFixed(), '0');
    assert.equal(h.bal(3, 'BTC').avail.toFixed(), '3.4965');
    assert.equal(h.bal(2, 'USDT').avail.toFixed(), '99.92');
    assert.deepEqual(h.book.levels('sell', 5), [['101', '0.5', 1]]);
    h.checkInvariants();
  });

  test('a resting buy freezes quote, a resting sell freezes base; cancel releases exactly that', () => {
    const h = new Harness();
    h.deposit(1, 'USDT', '1000');
    h.deposit(1, 'BTC', '1');
    h.place(1, { side: 'buy', ordType: 'limit', px: '99.9', sz: '2' });
    const sell = h.place(1, { side: 'sell', ordType: 'limit', px: '150', sz: '0.4' }).outcome.orders[0];
    assert.equal(h.bal(1, 'USDT').frozen.toFixed(), '199.8');
    assert.equal(h.bal(1, 'BTC').frozen.toFixed(), '0.4');
    assert.ok(sell !== undefined);
    assert.ok(h.commit(cancelOrder(sell, BTC, 'user', T)));
    assert.equal(h.bal(1, 'BTC').avail.toFixed(), '1');
    assert.equal(h.book.best('sell'), undefined);
    h.checkInvariants();
  });

  test('insufficient balance: the outcome is refused whole and the book is untouched', () => {
    const h = new Harness();
    h.deposit(1, 'USDT', '10');
    const { accepted } = h.place(1, { side: 'buy', ordType: 'limit', px: '100', sz: '1' });
    assert.equal(accepted, false);
    assert.equal(h.book.size, 0);
    assert.equal(h.bal(1, 'USDT').avail.toFixed(), '10');
  });

  test('self-trade prevention cancels the maker (cancel_maker) and goes on matching', () => {
    const h = new Harness();
    h.deposit(1, 'BTC', '5');
    h.deposit(2, 'BTC', '5');
    h.deposit(1, 'USDT', '1000');
    h.place(1, { side: 'sell', ordType: 'limit', px: '100', sz: '1' });
    h.place(2, { side: 'sell', ordType: 'limit', px: '100.5', sz: '1' });
    const { outcome } = h.place(1, { side: 'buy', ordType: 'limit', px: '101', sz: '1' });
    assert.deepEqual(
      outcome.orders.map((o) => [o.userId, o.state, o.cancelSource]),
      [
        [1, 'filled', ''],
        [1, 'canceled', 'self_trade'],
        [2, 'filled', ''],
      ],
    );
    assert.deepEqual(sizes(outcome), [['100.5', '1']]);
    h.checkInvariants();
  });

  test('post_only, ioc, fok', () => {
    const h = new Harness();
    h.deposit(1, 'BTC', '5');
    h.deposit(2, 'USDT', '10000');
    h.place(1, { side: 'sell', ordType: 'limit', px: '100', sz: '1' });
    const po = h.place(2, { side: 'buy', ordType: 'post_only', px: '100', sz: '1' }).outcome;
    assert.deepEqual([po.orders[0]?.state, po.orders[0]?.cancelSource, po.fills.length], ['canceled', 'post_only', 0]);
    const poRest = h.place(2, { side: 'buy', ordType: 'post_only', px: '99.9', sz: '1' }).outcome;
    assert.equal(poRest.orders[0]?.state, 'live');
    const fok = h.place(2, { side: 'buy', ordType: 'fok', px: '100', sz: '1.5' }).outcome;
    assert.deepEqual([fok.orders[0]?.state, fok.fills.length, fok.entries.length], ['canceled', 0, 0]);
    const ioc = h.place(2, { side: 'buy', ordType: 'ioc', px: '100', sz: '1.5' }).outcome;
    assert.deepEqual([ioc.orders[0]?.state, ioc.orders[0]?.accFillSz, ioc.orders[0]?.frozen], ['canceled', '1', '0']);
    const fokOk = h.place(1, { side: 'sell', ordType: 'fok', px: '99.9', sz: '1' }).outcome;
    assert.equal(fokOk.orders[0]?.state, 'filled');
    h.checkInvariants();
  });

  test('market orders by base size and by quote budget', () => {
    const h = new Harness();
    h.deposit(1, 'BTC', '5');
    h.deposit(2, 'USDT', '10000');
    h.place(1, { side: 'sell', ordType: 'limit', px: '100', sz: '1' });
    h.place(1, { side: 'sell', ordType: 'limit', px: '200', sz: '1' });
    const quote = h.place(2, { side: 'buy', ordType: 'market', sz: '150' }).outcome;
    assert.deepEqual(sizes(quote), [
      ['100', '1'],
      ['200', '0.25'],
    ]);
    assert.equal(quote.orders[0]?.state, 'filled');
    const base = h.place(2, { side: 'buy', ordType: 'market', tgtCcy: 'base_ccy', sz: '1' }).outcome;
    // Only 0.75 left in the book: the rest is canceled.
    assert.deepEqual([base.orders[0]?.state, base.orders[0]?.accFillSz], ['canceled', '0.75']);
    h.checkInvariants();
    const empty = h.place(2, { side: 'buy', ordType: 'market', sz: '10' }).outcome;
    assert.deepEqual([empty.orders[0]?.state, empty.fills.length], ['canceled', 0]);
  });

  test('amend: smaller size keeps its place, new price re-queues and can trade', () => {
    const h = new Harness();
    h.deposit(1, 'USDT', '1000');
    h.deposit(2, 'USDT', '1000');
    h.deposit(3, 'BTC', '5');
    const a = h.place(1, { side: 'buy', ordType: 'limit', px: '99', sz: '2' }).outcome.orders[0];
    h.place(2, { side: 'buy', ordType: 'limit', px: '99', sz: '1' });
    h.place(3, { side: 'sell', ordType: 'limit', px: '101', sz: '1' });
    assert.ok(a !== undefined);
    assert.ok(h.commit(amendOrder(h.book, a, { newSz: '1' }, BTC, FEES, () => 'x', T)));
    assert.deepEqual(
      [...h.book.side('buy')].map((o) => [o.userId, o.sz]),
      [
        [1, '1'],
        [2, '1'],
      ],
    );
    assert.equal(h.bal(1, 'USDT').frozen.toFixed(), '99');
    // A larger size re-queues behind the level, as on OKX; back to 1 keeps the new place.
    const grown = h.book.get(a.ordId);
    assert.ok(grown !== undefined);
    assert.ok(h.commit(amendOrder(h.book, grown, { newSz: '1.5' }, BTC, FEES, () => 'g', T)));
    assert.deepEqual(
      [...h.book.side('buy')].map((o) => [o.userId, o.sz]),
      [
        [2, '1'],
        [1, '1.5'],
      ],
    );
    const shrunk = h.book.get(a.ordId);
    assert.ok(shrunk !== undefined);
    assert.ok(h.commit(amendOrder(h.book, shrunk, { newSz: '1' }, BTC, FEES, () => 's', T)));
    assert.deepEqual(
      [...h.book.side('buy')].map((o) => [o.userId, o.sz]),
      [
        [2, '1'],
        [1, '1'],
      ],
    );
    assert.equal(h.bal(1, 'USDT').frozen.toFixed(), '99');
    const moved = h.book.get(a.ordId);
    assert.ok(moved !== undefined);
    const traded = amendOrder(h.book, moved, { newPx: '101' }, BTC, FEES, () => 'y', T);
    assert.ok(h.commit(traded));
    assert.deepEqual(sizes(traded), [['101', '1']]);
    assert.throws(
      () =>
        amendOrder(
          h.book,
          [...h.book.side('buy')][0] as Order,
          { newSz: '0.5', newPx: '99.95' },
          BTC,
          FEES,
          () => 'z',
          T,
        ),
      (err: unknown) => err instanceof RuleError && err.code === '51000',
    );
    h.checkInvariants();
  });
});

/** A plain reference book: scan for the best price and the earliest order, Big arithmetic only. */
interface RefOrder {
  ordId: string;
  userId: number;
  side: 'buy' | 'sell';
  px: Big;
  left: Big;
  seq: number;
}

function refMatch(
  book: RefOrder[],
  userId: number,
  ordId: string,
  side: 'buy' | 'sell',
  px: Big,
  sz: Big,
  seq: number,
  rests: boolean,
): Array<[string, string]> {
  const fills: Array<[string, string]> = [];
  let left = sz;
  for (;;) {
    const candidates = book.filter((o) => o.side !== side && (side === 'buy' ? o.px.lte(px) : o.px.gte(px)));
    if (candidates.length === 0 || left.eq(0)) break;
    candidates.sort((x, y) =>
      x.px.eq(y.px) ? x.seq - y.seq : side === 'buy' ? (x.px.lt(y.px) ? -1 : 1) : x.px.gt(y.px) ? -1 : 1,
    );
    const best = candidates[0] as RefOrder;
    if (best.userId === userId) {
      book.splice(book.indexOf(best), 1);
      continue;
    }
    const q = best.left.lt(left) ? best.left : left;
    fills.push([best.px.toFixed(), q.toFixed()]);
    best.left = best.left.minus(q);
    left = left.minus(q);
    if (best.left.eq(0)) book.splice(book.indexOf(best), 1);
  }
  if (rests && left.gt(0)) book.push({ ordId, userId, side, px, left, seq });
  return fills;
}

function refLevels(book: RefOrder[], side: 'buy' | 'sell'): Array<[string, string, number]> {
  const bySide = book.filter((o) => o.side === side);
  const prices = [...new Set(bySide.map((o) => o.px.toFixed()))].sort((a, b) =>
    side === 'buy' ? Number(b) - Number(a) : Number(a) - Number(b),
  );
  return prices.map((p) => {
    const at = bySide.filter((o) => o.px.toFixed() === p);
    return [p, at.reduce((s, o) => s.plus(o.left), new Big(0)).toFixed(), at.length];
  });
}

const rng = seededRandom;

describe('randomized workloads against the reference book and the conservation invariant', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    test(`seed ${seed}: 1500 orders and cancels from 5 accounts`, () => {
      const random = rng(seed);
      const h = new Harness();
      const ref: RefOrder[] = [];
      for (let u = 1; u <= 5; u++) {
        h.deposit(u, 'USDT', String(2000 + Math.floor(random() * 20000)));
        h.deposit(u, 'BTC', String(5 + Math.floor(random() * 100)));
      }
      let seq = 0;
      let rejected = 0;
      for (let i = 0; i < 1500; i++) {
        const userId = 1 + Math.floor(random() * 5);
        if (random() < 0.15 && h.book.size > 0) {
          const open = [...h.book.side('buy'), ...h.book.side('sell')];
          const victim = open[Math.floor(random() * open.length)] as Order;
          assert.ok(h.commit(cancelOrder(victim, BTC, 'user', T)));
          ref.splice(
            ref.findIndex((o) => o.ordId === victim.ordId),
            1,
          );
        } else {
          const side = random() < 0.5 ? 'buy' : 'sell';
          const px = new Big(1000 + Math.floor(random() * 21)).div(10);
          const sz = new Big(1 + Math.floor(random() * 3000)).div(1000);
          const ordType = random() < 0.1 ? 'ioc' : 'limit';
          const order = h.order(userId, { side, ordType, px: px.toFixed(), sz: sz.toFixed() });
          const outcome = matchOrder(h.book, order, BTC, FEES, () => `t${i}`, T);
          if (!h.commit(outcome)) {
            rejected++;
            continue;
          }
          const expected = refMatch(ref, userId, order.ordId, side, px, sz, ++seq, ordType === 'limit');
          assert.deepEqual(sizes(outcome), expected, `order ${i}`);
        }
        assert.deepEqual(h.book.levels('buy', 1000), refLevels(ref, 'buy'), `bids after ${i}`);
        assert.deepEqual(h.book.levels('sell', 1000), refLevels(ref, 'sell'), `asks after ${i}`);
        if (i % 50 === 0) h.checkInvariants();
      }
      h.checkInvariants();
      assert.ok(rejected < 1500);
    });
  }
});
