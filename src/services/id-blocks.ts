import type { ClusterStore, IdSequenceName } from '../store/store.js';

/**
 * Ids drawn from blocks reserved in the database (Store.reserveIds), so that every process
 * sharing it issues distinct ids without a round trip per id. `ensure` (async) makes sure the
 * current block holds enough ids; `take` (sync) hands them out in increasing order.
 */
export class IdBlocks {
  private next = 0n;
  private end = 0n;

  constructor(
    private readonly store: ClusterStore,
    private readonly sequence: IdSequenceName,
    private readonly blockSize: number,
    /** The smallest id a block reserved at `now` may start at. */
    private readonly floor: (now: number) => bigint,
  ) {}

  /** Reserves a new block unless at least `count` ids are left in the current one. */
  async ensure(count: number, now: number): Promise<void> {
    if (this.end - this.next >= BigInt(count)) return;
    const size = Math.max(this.blockSize, count);
    const first = await this.store.reserveIds(this.sequence, size, this.floor(now));
    this.next = first;
    this.end = first + BigInt(size);
  }

  /** One id, reserving a block when needed (safe with concurrent callers). */
  async nextId(now: number): Promise<string> {
    for (;;) {
      await this.ensure(1, now);
      // A concurrent caller may have taken the last id while this one waited.
      if (this.next < this.end) return this.take();
    }
  }

  take(): string {
    if (this.next >= this.end) throw new Error(`id block of ${this.sequence} exhausted: call ensure first`);
    const id = this.next;
    this.next++;
    return id.toString();
  }
}
