import { crc32 } from 'node:zlib';

/** One price level as OKX sends it: [price, size, "0" (deprecated), number of orders]. */
export type WireLevel = [string, string, string, string];

/** Both sides of a book, best first. */
export interface BookLevels {
  asks: WireLevel[];
  bids: WireLevel[];
}

/** OKX's order-book checksum covers the best 25 levels of each side. */
const CHECKSUM_DEPTH = 25;

/**
 * OKX's order-book checksum: the best 25 bids and asks interleaved as
 * "bidPx:bidSz:askPx:askSz:…" (a side that runs out simply stops contributing), CRC-32 of that
 * string, read as a signed 32-bit integer. Prices and sizes exactly as sent.
 */
export function bookChecksum(book: BookLevels): number {
  const parts: string[] = [];
  for (let i = 0; i < CHECKSUM_DEPTH; i++) {
    const bid = book.bids[i];
    const ask = book.asks[i];
    if (bid === undefined && ask === undefined) break;
    if (bid !== undefined) parts.push(bid[0], bid[1]);
    if (ask !== undefined) parts.push(ask[0], ask[1]);
  }
  return crc32(parts.join(':')) | 0;
}

function changedSide(before: readonly WireLevel[], after: readonly WireLevel[]): WireLevel[] {
  const old = new Map(before.map((l) => [l[0], l]));
  const out: WireLevel[] = [];
  for (const l of after) {
    const prev = old.get(l[0]);
    if (prev === undefined || prev[1] !== l[1] || prev[3] !== l[3]) out.push(l);
    old.delete(l[0]);
  }
  // Levels that left the window (emptied, or pushed beyond the depth) are sent with size 0.
  for (const price of old.keys()) out.push([price, '0', '0', '0']);
  return out;
}

/**
 * The incremental update that turns `before` into `after` (OKX's `books` channel): every level
 * that is new or changed, and every level that disappeared with size "0". Null when nothing changed.
 */
export function bookDelta(before: BookLevels, after: BookLevels): BookLevels | null {
  const asks = changedSide(before.asks, after.asks);
  const bids = changedSide(before.bids, after.bids);
  return asks.length === 0 && bids.length === 0 ? null : { asks, bids };
}

/** Applies an update to levels (what a client does); for tests and for checking deltas. */
export function applyBookDelta(book: BookLevels, delta: BookLevels): BookLevels {
  const apply = (
    side: readonly WireLevel[],
    changes: readonly WireLevel[],
    bestFirst: (a: number, b: number) => number,
  ): WireLevel[] => {
    const byPx = new Map(side.map((l) => [l[0], l]));
    for (const c of changes) {
      if (c[1] === '0') byPx.delete(c[0]);
      else byPx.set(c[0], c);
    }
    return [...byPx.values()].sort((a, b) => bestFirst(Number(a[0]), Number(b[0])));
  };
  return { asks: apply(book.asks, delta.asks, (a, b) => a - b), bids: apply(book.bids, delta.bids, (a, b) => b - a) };
}
