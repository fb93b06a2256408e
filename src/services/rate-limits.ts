import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { RuleError } from '../core/errors.js';
import { RATE_LIMITS, type RateLimitedEndpoint } from '../core/rate-limits.js';
import { type Limiters, memoryLimiters } from './limiters.js';

/** What `wrap` reads of a request: the client's IP, and the key once authenticated. */
export interface LimitedRequest {
  readonly ip: string;
  readonly apiKey: { readonly apiKey: string; readonly userId: number } | null;
}

/** Whose allowance a request spends: the client IP, the API key, or the key's account (`u:` and its id). */
function subjectOf(by: 'key' | 'ip' | 'user', request: LimitedRequest): string {
  const key = request.apiKey;
  if (by === 'ip' || key === null) return request.ip;
  return by === 'user' ? `u:${key.userId}` : key.apiKey;
}

const PER = { ip: 'IP address', key: 'API key', user: 'account' } as const;

/** A route handler, of whatever framework: `wrap` passes the request and reply through. */
type Handler<Req, Rep> = (request: Req, reply: Rep) => unknown;

/**
 * Rate limiters for the endpoints of RATE_LIMITS, one per endpoint, in memory (or in Redis,
 * shared by every instance, with SIGNET_REDIS_URL). `wrap` puts a
 * handler behind its endpoint's limit: each call costs `cost(request)` points (1, or the number
 * of orders of a batch) from the key's (or IP's) allowance; an exhausted allowance answers 50011.
 */
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    private readonly enabled: boolean,
    private readonly make: Limiters = memoryLimiters(),
  ) {}

  wrap<Req extends LimitedRequest, Rep>(
    endpoint: RateLimitedEndpoint,
    handler: Handler<Req, Rep>,
    cost: (request: Req) => number = () => 1,
  ): Handler<Req, Rep> {
    if (!this.enabled) return handler;
    const by = RATE_LIMITS[endpoint].by;
    this.limiter(endpoint);
    return async (request, reply) => {
      await this.consume(endpoint, subjectOf(by, request), cost(request));
      return handler(request, reply);
    };
  }

  /**
   * Takes `cost` points of `subject`'s allowance at `endpoint` (the API key, or the client IP for
   * per-IP limits), or throws RuleError 50011. The WebSocket trading ops share the REST allowances,
   * as OKX's do.
   */
  /** Requests refused with 50011 by an endpoint limit since start (read by /metrics). */
  blocks = 0;

  async consume(endpoint: RateLimitedEndpoint, subject: string, cost = 1): Promise<void> {
    if (!this.enabled) return;
    const rule = RATE_LIMITS[endpoint];
    try {
      await this.limiter(endpoint).consume(subject, Math.max(1, cost));
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        this.blocks++;
        throw new RuleError(
          '50011',
          `${endpoint.split(':')[0] ?? endpoint}: at most ${rule.points} per ${rule.windowS} s per ${PER[rule.by]}; retry in ${err.msBeforeNext} ms`,
        );
      }
      throw err;
    }
  }

  private limiter(endpoint: RateLimitedEndpoint): RateLimiterAbstract {
    let limiter = this.limiters.get(endpoint);
    if (limiter === undefined) {
      const rule = RATE_LIMITS[endpoint];
      limiter = this.make.create({ keyPrefix: endpoint, points: rule.points, duration: rule.windowS });
      this.limiters.set(endpoint, limiter);
    }
    return limiter;
  }
}
