import type { PendingPlacement } from './placement-batch.js';

/** At most this many orders in one group commit. */
const MAX_GROUP = 100;

/**
 * Placements waiting for a group commit. Those made in one turn of the event loop go together
 * (flushed in the check phase after it: requests read in the same poll phase join), and so do
 * those arriving while a commit runs. A flush takes its turn in the trading service's serial
 * queue, after every operation asked for before it and before every one asked for after it.
 */
export class PlacementQueue {
  private pending: PendingPlacement[] = [];
  /** A flush waits in the serial queue (not started yet): placements added now join it. */
  private queued = false;
  private scheduled = false;

  constructor(
    private readonly serial: (task: () => Promise<void>) => Promise<void>,
    /** One group commit on one book; rejects on a fault (its callers then get that error). */
    private readonly placeGroup: (items: readonly PendingPlacement[]) => Promise<void>,
  ) {}

  add(item: PendingPlacement): void {
    this.pending.push(item);
    if (this.scheduled || this.queued) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.queue();
    });
  }

  /** Placements that waited for trade ids: first in the next flush. */
  retry(items: readonly PendingPlacement[]): void {
    this.pending.unshift(...items);
    this.queue();
  }

  /** Puts a flush of the pending placements in the serial queue, unless one waits there already. */
  queue(): void {
    if (this.queued || this.pending.length === 0) return;
    this.queued = true;
    void this.serial(async () => {
      this.queued = false;
      const items = this.pending;
      this.pending = [];
      await this.flush(items);
    });
  }

  /** Group commits, one per book (at most MAX_GROUP orders each), in arrival order per book. */
  private async flush(items: readonly PendingPlacement[]): Promise<void> {
    const byBook = new Map<string, PendingPlacement[]>();
    for (const item of items) {
      const id = `${item.env}:${item.valid.inst.instId}`;
      const group = byBook.get(id);
      if (group === undefined) byBook.set(id, [item]);
      else group.push(item);
    }
    for (const group of byBook.values()) {
      for (let from = 0; from < group.length; from += MAX_GROUP) {
        const chunk = group.slice(from, from + MAX_GROUP);
        try {
          await this.placeGroup(chunk);
        } catch (err) {
          for (const item of chunk) item.reject(err);
        }
      }
    }
  }
}
