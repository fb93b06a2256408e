import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { OkxCode } from '../core/errors.js';
import { hasPermission, type RouteAccess } from '../core/permissions.js';
import { parseRestTimestamp, signatureMatches, withinWindow } from '../core/signing.js';
import type { Keyring, ActiveKey } from './keyring.js';
import type { UsageTracker } from './usage-tracker.js';

/** What the HTTP edge extracts from a request; no framework types. */
export interface AuthRequest {
  apiKey: string | undefined;
  sign: string | undefined;
  timestamp: string | undefined;
  passphrase: string | undefined;
  /** x-simulated-trading: 1 */
  demo: boolean;
  method: string;
  /** Path and query exactly as received. */
  target: string;
  body: Buffer | undefined;
  /** Client IP (socket, or trusted proxy's X-Forwarded-For). */
  ip: string;
  needs: RouteAccess;
}

/** A rejected request is a value, not an exception. */
export type AuthOutcome =
  | { ok: true; key: ActiveKey }
  | { ok: false; code: OkxCode; arg?: string; apiKey?: string };

export interface AuthLimits {
  timestampWindowMs: number;
  failsPerIp: number;
  failsPerKey: number;
}

const FAIL_WINDOW_S = 60;

/**
 * The OKX V5 REST check, in this order: rate-limit blocks, required headers (50103/50106/50107/
 * 50104), timestamp format and ±window (50112/50102), key (50111), environment (50101),
 * signature (50113), passphrase (50105), IP whitelist (50110), permission (50120).
 * The passphrase's slow hash is only reached with a valid signature, so guessing it needs the secret.
 */
export class Authenticator {
  private readonly ipFails: RateLimiterMemory;
  private readonly keyFails: RateLimiterMemory;
  /** Unix ms until which a client IP or key is refused with 50011 (mirrors the limiters' blocks). */
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly keyring: Keyring, private readonly usage: UsageTracker, private readonly limits: AuthLimits) {
    this.ipFails = new RateLimiterMemory({ keyPrefix: 'ip', points: limits.failsPerIp, duration: FAIL_WINDOW_S, blockDuration: FAIL_WINDOW_S });
    this.keyFails = new RateLimiterMemory({ keyPrefix: 'key', points: limits.failsPerKey, duration: FAIL_WINDOW_S, blockDuration: FAIL_WINDOW_S });
  }

  async authenticate(req: AuthRequest, now: number): Promise<AuthOutcome> {
    if (this.isBlocked(`ip:${req.ip}`, now)) return { ok: false, code: '50011' };
    const outcome = await this.check(req, now);
    if (!outcome.ok && outcome.code !== '50011' && outcome.code !== '50120') this.recordFailure(req, now);
    return outcome;
  }

  private async check(req: AuthRequest, now: number): Promise<AuthOutcome> {
    const { apiKey, sign, timestamp, passphrase } = req;
    if (apiKey === undefined || apiKey === '') return { ok: false, code: '50103' };
    if (sign === undefined || sign === '') return { ok: false, code: '50106' };
    if (timestamp === undefined || timestamp === '') return { ok: false, code: '50107' };
    if (passphrase === undefined || passphrase === '') return { ok: false, code: '50104' };
    const ts = parseRestTimestamp(timestamp);
    if (ts === null) return { ok: false, code: '50112' };
    if (!withinWindow(ts, now, this.limits.timestampWindowMs)) return { ok: false, code: '50102' };
    if (this.isBlocked(`key:${apiKey}`, now)) return { ok: false, code: '50011' };

    const found = this.keyring.get(apiKey);
    const key = found instanceof Promise ? await found : found;
    if (key === null) return { ok: false, code: '50111' };
    if ((key.env === 'demo') !== req.demo) return { ok: false, code: '50101', apiKey };
    if (!signatureMatches(key.hmacKey, timestamp, req.method, req.target, req.body, sign)) {
      return { ok: false, code: '50113', apiKey };
    }
    if (!(await this.keyring.passphraseMatches(key, passphrase))) return { ok: false, code: '50105', apiKey };
    if (!key.whitelist.admits(req.ip)) return { ok: false, code: '50110', arg: req.ip, apiKey };
    this.usage.touch(key, now);
    if (!hasPermission(key.perms, req.needs)) return { ok: false, code: '50120', apiKey };
    return { ok: true, key };
  }

  private isBlocked(id: string, now: number): boolean {
    if (this.blockedUntil.size === 0) return false;
    const until = this.blockedUntil.get(id);
    if (until === undefined) return false;
    if (until > now) return true;
    this.blockedUntil.delete(id);
    return false;
  }

  private recordFailure(req: AuthRequest, now: number): void {
    // The limit-th failure within the window starts the block: `limit` failures, then 50011.
    const count = (limiter: RateLimiterMemory, subject: string, id: string) => {
      limiter.consume(subject).then(
        (res) => {
          if (res.remainingPoints === 0) this.blockedUntil.set(id, now + FAIL_WINDOW_S * 1000);
        },
        (res: unknown) => {
          if (res instanceof RateLimiterRes) this.blockedUntil.set(id, now + res.msBeforeNext);
        },
      );
    };
    if (this.blockedUntil.size > 10_000) this.pruneBlocks(now);
    count(this.ipFails, req.ip, `ip:${req.ip}`);
    if (req.apiKey !== undefined && req.apiKey !== '') count(this.keyFails, req.apiKey, `key:${req.apiKey}`);
  }

  private pruneBlocks(now: number): void {
    for (const [id, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(id);
  }
}
