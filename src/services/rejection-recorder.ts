import type { KeyRejection, KeyStore } from '../store/store.js';
import type { ActiveKey } from './keyring.js';

/** Rejections older than this are dropped at each flush, ms (30 days). */
const KEEP_MS = 30 * 86_400_000;
/** At most this many distinct (key, code, IP) entries wait for a flush; beyond, only counts of known ones grow. */
const MAX_PENDING = 5_000;

/**
 * Counts rejected requests of known keys per code and client IP without a database write per
 * request (like UsageTracker): `record` is a map update; `flush()` merges the counts in one
 * transaction and prunes old rows, so the table stays small.
 */
export class RejectionRecorder {
  private pending = new Map<string, KeyRejection>();
  /** Entries not kept because the pending map was full (a flood); for the logs. */
  dropped = 0;

  constructor(private readonly store: KeyStore) {}

  record(key: ActiveKey, code: string, ip: string, now: number): void {
    const id = `${key.apiKey}|${code}|${ip}`;
    const known = this.pending.get(id);
    if (known !== undefined) {
      known.count++;
      known.lastAt = now;
      return;
    }
    if (this.pending.size >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.set(id, { apiKey: key.apiKey, userId: key.userId, code, ip, count: 1, firstAt: now, lastAt: now });
  }

  async flush(now: number): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await this.store.recordRejections([...batch.values()], now - KEEP_MS);
  }
}
