import type { Store } from '../store/store.js';
import type { ActiveKey } from './keyring.js';

/** A key's last-used time is written at most once per this period, ms (the flush batches it). */
const WRITE_GRANULARITY_MS = 60_000;

/**
 * Records key use without a database write per request: a use marks the key dirty only when its
 * stored last-used time is over a minute old, and `flush()` (every SIGNET_USAGE_FLUSH_MS, and
 * before every sweep) writes all dirty keys in one transaction.
 */
export class UsageTracker {
  private dirty = new Map<string, { key: ActiveKey; at: number }>();

  constructor(private readonly store: Store) {}

  touch(key: ActiveKey, now: number): void {
    const persisted = key.persistedLastUsedAt;
    if (persisted !== null && now - persisted < WRITE_GRANULARITY_MS) return;
    this.dirty.set(key.apiKey, { key, at: now });
  }

  get pending(): number {
    return this.dirty.size;
  }

  async flush(): Promise<void> {
    if (this.dirty.size === 0) return;
    const batch = this.dirty;
    this.dirty = new Map();
    await this.store.touchKeys([...batch.values()].map(({ key, at }) => ({ apiKey: key.apiKey, at })));
    for (const { key, at } of batch.values()) {
      if (key.persistedLastUsedAt === null || key.persistedLastUsedAt < at) key.persistedLastUsedAt = at;
    }
  }
}
