import { normalizeIp } from '../core/ip-whitelist.js';
import type { KeyStore } from '../store/store.js';
import { type ActiveKey, MAX_KNOWN_IPS } from './keyring.js';

/** A key's last-used time is written at most once per this period, ms (the flush batches it). */
const WRITE_GRANULARITY_MS = 60_000;
/**
 * Last-used times written per store call; the flush yields to the event loop between calls. With
 * 100,000 keys in use a flush holds thousands of keys, and one SQLite transaction for all of them
 * held the event loop for tens of ms (the million-key bench's p99).
 */
export const TOUCH_CHUNK = 250;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Records key use without a database write per request: a use marks the key dirty only when its
 * stored last-used time is over a minute old, and `flush()` (every SIGNET_USAGE_FLUSH_MS, and
 * before every sweep) writes all dirty keys, TOUCH_CHUNK to a transaction.
 */
export class UsageTracker {
  private dirty = new Map<string, { key: ActiveKey; at: number }>();
  private newIps: Array<{ apiKey: string; ip: string; at: number }> = [];

  constructor(private readonly store: KeyStore) {}

  touch(key: ActiveKey, now: number): void {
    const persisted = key.persistedLastUsedAt;
    if (persisted !== null && now - persisted < WRITE_GRANULARITY_MS) return;
    this.dirty.set(key.apiKey, { key, at: now });
  }

  /**
   * Notes an authenticated use from `ip`; a client IP the key was never used from is written at
   * the next flush as a 'new_ip' activity entry. Call only when `key.knownIps` lacks `ip`.
   */
  usedFrom(key: ActiveKey, ip: string, now: number): void {
    if (key.knownIps.size >= MAX_KNOWN_IPS) return;
    key.knownIps.add(ip);
    // Recorded in its normal form (an IPv4-mapped IPv6 address as IPv4), as the whitelist reads it.
    const normal = normalizeIp(ip) ?? ip;
    if (normal !== ip) {
      if (key.knownIps.has(normal)) return;
      key.knownIps.add(normal);
    }
    this.newIps.push({ apiKey: key.apiKey, ip: normal, at: now });
  }

  /** Keys whose last-used time waits for the next flush. */
  get pending(): number {
    return this.dirty.size;
  }

  async flush(): Promise<void> {
    if (this.newIps.length > 0) {
      const ips = this.newIps;
      this.newIps = [];
      await this.store.recordKeyIps(ips);
    }
    if (this.dirty.size === 0) return;
    const batch = [...this.dirty.values()];
    this.dirty = new Map();
    for (let i = 0; i < batch.length; i += TOUCH_CHUNK) {
      if (i > 0) await nextTurn();
      const chunk = batch.slice(i, i + TOUCH_CHUNK);
      await this.store.touchKeys(chunk.map(({ key, at }) => ({ apiKey: key.apiKey, at })));
      for (const { key, at } of chunk) {
        if (key.persistedLastUsedAt === null || key.persistedLastUsedAt < at) key.persistedLastUsedAt = at;
      }
    }
  }
}
