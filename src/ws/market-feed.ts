import { type BookLevels, bookChecksum, bookDelta } from '../core/book-feed.js';
import type { OrderBook } from '../core/order-book.js';
import { push } from '../okx/envelope.js';
import { bookLevelView } from '../okx/market-views.js';
import type { PublicChannel } from './channels.js';
import type { Connection } from './connection.js';

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
  };
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
  ) {}

  get empty(): boolean {
    return Object.values(this.subscribers).every((s) => s.size === 0);
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
  joined(channel: PublicChannel): void {
    if (channel === 'books5') this.lastBooks5 = '';
    if (channel === 'tickers') this.lastTicker = '';
  }

  /** Forgets the `books` state once its last subscriber has gone (a new one starts a new chain). */
  dropBooksState(): void {
    if (this.subscribers.books.size === 0) this.published = null;
  }

  /**
   * The messages of one flush (at most every 100 ms, as OKX pushes books and tickers):
   * a `books` update if any level changed, `books5` if the best five changed, `tickers` if the
   * ticker changed.
   */
  flush(now: number, ticker: () => Record<string, string>): { books?: string; books5?: string; tickers?: string } {
    this.dirty = false;
    const out: { books?: string; books5?: string; tickers?: string } = {};
    if (this.subscribers.books.size > 0 && this.published !== null) {
      const next = levelsOf(this.book, BOOKS_DEPTH);
      const delta = bookDelta(this.published, next);
      if (delta !== null) {
        const prevSeqId = this.seqId;
        this.seqId++;
        this.published = next;
        out.books = push(
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
      }
    }
    if (this.subscribers.books5.size > 0) {
      const l = levelsOf(this.book, BOOKS5_DEPTH);
      const key = JSON.stringify(l);
      if (key !== this.lastBooks5) out.books5 = this.books5Of(l, now);
      this.lastBooks5 = key;
    }
    if (this.subscribers.tickers.size > 0) {
      const t = ticker();
      const { ts: _ts, ...rest } = t;
      const key = JSON.stringify(rest);
      if (key !== this.lastTicker) out.tickers = this.tickerMessage(t);
      this.lastTicker = key;
    }
    return out;
  }
}
