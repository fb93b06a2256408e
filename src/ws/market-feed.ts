import { barStart } from '../core/bars.js';
import { type BookLevels, bookChecksum, bookDelta } from '../core/book-feed.js';
import type { CandleBook } from '../core/candle-book.js';
import { candleAt } from '../core/candles.js';
import type { OrderBook } from '../core/order-book.js';
import { push } from '../okx/envelope.js';
import { bookLevelView } from '../okx/market-views.js';
import { candleBar, type PublicChannel } from './channels.js';
import type { Connection } from './connection.js';

/** Messages of a flush, each with the connections it goes to. */
export type Pushes = [string, ReadonlySet<Connection>][];

/** Depth of the `books` channel (OKX: 400 levels), and of `books5`. */
const BOOKS_DEPTH = 400;
const BOOKS5_DEPTH = 5;

function levelsOf(book: OrderBook, depth: number): BookLevels {
  return { asks: book.levels('sell', depth).map(bookLevelView), bids: book.levels('buy', depth).map(bookLevelView) };
}

/**
 * The public channels of one book in one environment: who is subscribed, and the state last
 * published, so that every `books` subscriber applies the same updates to the same snapshot
 * (seqId/prevSeqId chain, checksum over the best 25 levels) and `books5`/`tickers` are pushed
 * only when they changed.
 */
export class MarketFeed {
  readonly subscribers: Record<PublicChannel, Set<Connection>> = {
    tickers: new Set(),
    books5: new Set(),
    books: new Set(),
    trades: new Set(),
    'bbo-tbt': new Set(),
  };
  /** `candle<bar>` subscribers by bar. */
  readonly candles = new Map<string, Set<Connection>>();
  /** The newest trade time since the last flush, or null: the candle bars to push. */
  tradedAt: number | null = null;
  private lastBbo = '';
  private bboSeqId = 0;
  /** The `books` state the subscribers hold, or null when nobody subscribes to `books`. */
  private published: BookLevels | null = null;
  private seqId = 0;
  private lastBooks5 = '';
  /** books5 has its own sequence: one per push. */
  private books5SeqId = 0;
  private lastTicker = '';
  /** Whether the book or its trades changed since the last flush. */
  dirty = false;

  constructor(
    readonly instId: string,
    private readonly book: OrderBook,
    private readonly candleBook: CandleBook,
  ) {}

  get empty(): boolean {
    return Object.values(this.subscribers).every((s) => s.size === 0) && this.candles.size === 0;
  }

  /** The subscribers of a market-data channel (`candle<bar>` included). */
  subscribersOf(channel: string): Set<Connection> {
    const bar = candleBar(channel);
    if (bar === undefined) return this.subscribers[channel as PublicChannel];
    let set = this.candles.get(bar);
    if (set === undefined) {
      set = new Set();
      this.candles.set(bar, set);
    }
    return set;
  }

  /** Takes a connection off a channel (and forgets what the channel's subscribers held). */
  leave(channel: string, conn: Connection): void {
    this.subscribersOf(channel).delete(conn);
    const bar = candleBar(channel);
    if (bar !== undefined && this.candles.get(bar)?.size === 0) this.candles.delete(bar);
    if (channel === 'books') this.dropBooksState();
  }

  /** The first message of a new subscriber: the state of now (none for `trades`, nor for candles before any trade). */
  firstMessage(channel: string, now: number, ticker: () => Record<string, string>): string | null {
    if (channel === 'books') return this.booksSnapshot(now);
    if (channel === 'books5') return this.books5Message(now);
    if (channel === 'tickers') return this.tickerMessage(ticker());
    if (channel === 'bbo-tbt') return this.bboMessage(now);
    const bar = candleBar(channel);
    return bar === undefined ? null : this.candleMessage(bar, now, now);
  }

  /** The candle of the bar containing `ts`, as the `candle<bar>` channel pushes it (OKX: one row). */
  private candleMessage(bar: string, ts: number, now: number): string | null {
    const series = this.candleBook.of(bar);
    if (series === undefined) return null;
    const row = candleAt(series, barStart(series.bar, ts), now);
    return row === null ? null : push({ channel: `candle${bar}`, instId: this.instId }, [row]);
  }

  private bboMessage(now: number): string {
    const l = levelsOf(this.book, 1);
    this.lastBbo = JSON.stringify(l);
    return push({ channel: 'bbo-tbt', instId: this.instId }, [
      { asks: l.asks, bids: l.bids, ts: String(now), seqId: ++this.bboSeqId },
    ]);
  }

  /**
   * `bbo-tbt`, tick by tick (OKX: on every change of the best bid or ask, at most every 10 ms):
   * the best levels after a change of the book, or null if they did not change.
   */
  bboChanged(now: number): string | null {
    if (this.subscribers['bbo-tbt'].size === 0) return null;
    if (JSON.stringify(levelsOf(this.book, 1)) === this.lastBbo) return null;
    return this.bboMessage(now);
  }

  /** The snapshot a new `books` subscriber starts from: the published state. */
  booksSnapshot(now: number): string {
    if (this.published === null) {
      this.published = levelsOf(this.book, BOOKS_DEPTH);
      this.seqId++;
    }
    const p = this.published;
    return push(
      { channel: 'books', instId: this.instId },
      [{ asks: p.asks, bids: p.bids, ts: String(now), checksum: bookChecksum(p), prevSeqId: -1, seqId: this.seqId }],
      { action: 'snapshot' },
    );
  }

  /** The best five levels now (a new subscriber's first message; also each change's push). */
  books5Message(now: number): string {
    return this.books5Of(levelsOf(this.book, BOOKS5_DEPTH), now);
  }

  private books5Of(l: BookLevels, now: number): string {
    return push({ channel: 'books5', instId: this.instId }, [
      { asks: l.asks, bids: l.bids, instId: this.instId, ts: String(now), seqId: ++this.books5SeqId },
    ]);
  }

  tickerMessage(ticker: Record<string, string>): string {
    return push({ channel: 'tickers', instId: this.instId }, [ticker]);
  }

  /**
   * A subscriber joined `channel` with the state of now: the next change is pushed even if it
   * returns `books5` or the ticker to what was last pushed to the others.
   */
  joined(channel: string): void {
    if (channel === 'books5') this.lastBooks5 = '';
    if (channel === 'tickers') this.lastTicker = '';
  }

  /** The candle pushes of a flush: the bar of the newest trade since the last flush, per subscribed bar. */
  private candlePushes(now: number): Pushes {
    const at = this.tradedAt;
    this.tradedAt = null;
    if (at === null) return [];
    const out: Pushes = [];
    for (const [bar, conns] of this.candles) {
      const msg = this.candleMessage(bar, at, now);
      if (msg !== null) out.push([msg, conns]);
    }
    return out;
  }

  /** Forgets the `books` state once its last subscriber has gone (a new one starts a new chain). */
  dropBooksState(): void {
    if (this.subscribers.books.size === 0) this.published = null;
  }

  /**
   * The messages of one flush (at most every 100 ms, as OKX pushes books and tickers):
   * a `books` update if any level changed, `books5` if the best five changed, `tickers` if the
   * ticker changed, `candle<bar>` if trades were made (OKX pushes candles at most once a second;
   * signet with the other market data, and only when trades change a bar).
   */
  flush(now: number, ticker: () => Record<string, string>): Pushes {
    this.dirty = false;
    const out: Pushes = [];
    if (this.subscribers.books.size > 0 && this.published !== null) {
      const next = levelsOf(this.book, BOOKS_DEPTH);
      const delta = bookDelta(this.published, next);
      if (delta !== null) {
        const prevSeqId = this.seqId;
        this.seqId++;
        this.published = next;
        const books = push(
          { channel: 'books', instId: this.instId },
          [
            {
              asks: delta.asks,
              bids: delta.bids,
              ts: String(now),
              checksum: bookChecksum(next),
              prevSeqId,
              seqId: this.seqId,
            },
          ],
          { action: 'update' },
        );
        out.push([books, this.subscribers.books]);
      }
    }
    if (this.subscribers.books5.size > 0) {
      const l = levelsOf(this.book, BOOKS5_DEPTH);
      const key = JSON.stringify(l);
      if (key !== this.lastBooks5) out.push([this.books5Of(l, now), this.subscribers.books5]);
      this.lastBooks5 = key;
    }
    if (this.subscribers.tickers.size > 0) {
      const t = ticker();
      const { ts: _ts, ...rest } = t;
      const key = JSON.stringify(rest);
      if (key !== this.lastTicker) out.push([this.tickerMessage(t), this.subscribers.tickers]);
      this.lastTicker = key;
    }
    out.push(...this.candlePushes(now));
    return out;
  }
}
