import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  /** Window, seconds. */
  duration: number;
  /** How long a subject that used up its points stays refused, seconds (0: until the window ends). */
  blockDuration?: number;
}

/** Makes the rate limiters of one process: in memory, or in Redis so that every instance shares them. */
export interface Limiters {
  create(opts: LimiterOptions): RateLimiterAbstract;
  close(): Promise<void>;
}

/** Per-process limits (one instance, or instances without SIGNET_REDIS_URL). */
export function memoryLimiters(): Limiters {
  return { create: (opts) => new RateLimiterMemory(opts), close: async () => undefined };
}

/**
 * Limits shared by every instance through Redis (rate-limiter-flexible's atomic counters). While
 * Redis does not answer, each instance falls back to its own in-memory limiter (the insurance
 * limiter) rather than refusing or letting everything through.
 *
 * ioredis is loaded only here, when Redis is configured: it defines a subclass of String
 * (`class VerbatimString extends String`), and from then on V8 no longer inlines
 * `String.prototype.charCodeAt` anywhere in the process (measured: a 50-character loop 73 → 360 ns),
 * which slows header parsing and routing on every request.
 */
export async function redisLimiters(url: string, prefix: string): Promise<Limiters> {
  const { Redis } = await import('ioredis');
  // No offline queue: a request must not wait for a reconnect; the insurance limiter answers instead.
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  let warned = false;
  client.on('error', (err: Error) => {
    if (!warned)
      console.error(`redis (${prefix}): ${err.message}; rate limits fall back to per instance until it answers`);
    warned = true;
  });
  client.on('ready', () => {
    warned = false;
  });
  return {
    create: (opts) =>
      new RateLimiterRedis({
        ...opts,
        keyPrefix: `${prefix}:${opts.keyPrefix}`,
        storeClient: client,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(opts),
      }),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
