import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Limiters } from './limiters.js';

/** How long lockouts are remembered to make the next one longer, seconds (a day). */
const STRIKE_MEMORY_S = 24 * 3600;

export interface BackoffOptions {
  keyPrefix: string;
  /** Failures a subject may have per window; the attempt after the last one is not evaluated. */
  failures: number;
  /** Window the failures are counted in, seconds. */
  windowS: number;
  /** First lockout, seconds; each further lockout within a day doubles it. */
  lockoutS: number;
  /** Longest lockout, seconds. */
  maxLockoutS: number;
}

/** An attempt that may go ahead, or the time until the subject may try again. */
export type AttemptGate = { ok: true } | { ok: false; retryAfterMs: number };

const settled = (p: Promise<RateLimiterRes>): Promise<RateLimiterRes> =>
  p.catch((err: unknown) => {
    if (err instanceof RateLimiterRes) return err;
    throw err;
  });

/**
 * Failed attempts counted per subject (an account, a session, a client IP), then a lockout that
 * doubles with each further lockout within a day, up to a maximum: never permanent. Counts live in
 * `deps.limiters`, so with Redis every instance shares them.
 *
 * An attempt is counted before it is evaluated (`begin`) and handed back when it did not fail
 * (`refund`, `succeeded`), so a burst of parallel guesses gets no more evaluations than the limit.
 *
 * @example
 *   const gate = await backoff.begin(`user:${id}`);
 *   if (!gate.ok) refuse(gate.retryAfterMs);
 *   else if (await wrong()) lockedForMs = await backoff.failed(`user:${id}`);
 */
export class FailureBackoff {
  private readonly attempts: RateLimiterAbstract;
  private readonly locks: RateLimiterAbstract;
  private readonly strikes: RateLimiterAbstract;

  constructor(
    limiters: Limiters,
    private readonly opts: BackoffOptions,
  ) {
    this.attempts = limiters.create({
      keyPrefix: `${opts.keyPrefix}-fails`,
      points: opts.failures,
      duration: opts.windowS,
    });
    this.locks = limiters.create({ keyPrefix: `${opts.keyPrefix}-lock`, points: 1, duration: opts.maxLockoutS });
    this.strikes = limiters.create({ keyPrefix: `${opts.keyPrefix}-strikes`, points: 1e6, duration: STRIKE_MEMORY_S });
  }

  /** Counts one attempt; refused while locked out or past the failures of the window (which starts a lockout). */
  async begin(subject: string): Promise<AttemptGate> {
    const locked = await this.lockedForMs(subject);
    if (locked > 0) return { ok: false, retryAfterMs: locked };
    const counted = await settled(this.attempts.consume(subject));
    if (counted.consumedPoints <= this.opts.failures) return { ok: true };
    // Only the first attempt past the limit starts a lockout: a parallel burst is one strike, not many.
    if (counted.consumedPoints > this.opts.failures + 1) {
      return { ok: false, retryAfterMs: Math.max(await this.lockedForMs(subject), this.opts.lockoutS * 1000) };
    }
    return { ok: false, retryAfterMs: await this.lockOut(subject) };
  }

  /** The attempt failed: returns the lockout it started (ms), or 0 if the subject may try again. */
  async failed(subject: string): Promise<number> {
    const counted = await this.attempts.get(subject);
    if (counted === null || counted.consumedPoints < this.opts.failures) return 0;
    return this.lockOut(subject);
  }

  /** The attempt was not a failure (e.g. no code given): it does not count. */
  async refund(subject: string): Promise<void> {
    await this.attempts.reward(subject, 1);
  }

  /** The attempt succeeded: the failures of the window are forgotten (past lockouts still lengthen the next). */
  async succeeded(subject: string): Promise<void> {
    await this.attempts.delete(subject);
  }

  /** Milliseconds until a locked-out subject may try again; 0 if it is not locked out. */
  async lockedForMs(subject: string): Promise<number> {
    const lock = await this.locks.get(subject);
    return lock !== null && lock.consumedPoints > 1 ? Math.max(1, lock.msBeforeNext) : 0;
  }

  private async lockOut(subject: string): Promise<number> {
    const strikes = (await settled(this.strikes.consume(subject))).consumedPoints;
    const seconds = Math.min(this.opts.maxLockoutS, this.opts.lockoutS * 2 ** Math.min(30, strikes - 1));
    await this.locks.block(subject, seconds);
    await this.attempts.delete(subject);
    return seconds * 1000;
  }
}
