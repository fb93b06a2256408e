import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { limitSubject } from '../core/client-ip.js';
import type { OkxCode } from '../core/errors.js';
import { normalizeIp } from '../core/ip-whitelist.js';
import { isApiKeyFormat } from '../core/key-rules.js';
import { hasPermission, type RouteAccess } from '../core/permissions.js';
import {
  constantTimeEqual,
  parseRestTimestamp,
  parseWsTimestamp,
  signatureMatches,
  withinWindow,
} from '../core/signing.js';
import { wsLoginCode } from '../core/ws-codes.js';
import type { ActiveKey, Keyring } from './keyring.js';
import { type Limiters, memoryLimiters } from './limiters.js';
import type { RejectionRecorder } from './rejection-recorder.js';
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
  /** Client IP (socket, or trusted proxy's X-Forwarded-For); may be a getter, read only when needed. */
  readonly ip: string;
  needs: RouteAccess;
}

/** A rejected request is a value, not an exception. */
export type AuthOutcome = { ok: true; key: ActiveKey } | { ok: false; code: OkxCode; arg?: string; apiKey?: string };

export interface AuthLimits {
  timestampWindowMs: number;
  failsPerIp: number;
  failsPerKey: number;
}

type Rejection = Extract<AuthOutcome, { ok: false }>;

/** A WebSocket `login` op's fields, as received (any may be missing). */
export interface WsLoginRequest {
  apiKey: string | undefined;
  passphrase: string | undefined;
  /** Unix seconds, as a decimal string. */
  timestamp: string | undefined;
  sign: string | undefined;
  /** The connection's environment (demo: OKX's demo URL, `?brokerId=9999`). */
  demo: boolean;
  readonly ip: string;
}

/** What OKX signs for a WebSocket login: timestamp + 'GET' + '/users/self/verify'. */
const WS_LOGIN_METHOD = 'GET';
const WS_LOGIN_PATH = '/users/self/verify';

const FAIL_WINDOW_S = 60;
const RATE_LIMITED: Rejection = Object.freeze({ ok: false, code: '50011' });

/**
 * The OKX V5 REST check, in this order: rate-limit blocks, required headers (50103/50106/50107/
 * 50104), timestamp format and ±window (50112/50102), key (50111), environment (50101),
 * signature (50113; a rolled key's previous secret during its grace too), disabled (50100),
 * passphrase (50105), IP whitelist (50110), permission (50120).
 * The passphrase's slow hash is only reached with a valid signature, so guessing it needs the secret.
 *
 * Failures count per client (by `limitSubject`: an IPv6 client by its /64) and, once the signature
 * checks out (50105, 50110), per key: a request without a valid signature cannot lock a key out
 * for the owner, who signs. The passphrase checks of one key run one after another, each failure
 * counted before the next guess is evaluated, so a burst gets no more guesses than the limit.
 *
 * Synchronous for a cached key with a remembered passphrase (the hot path); a promise only when
 * the key must be loaded or the passphrase checked with scrypt.
 */
export class Authenticator {
  private readonly ipFails: RateLimiterAbstract;
  private readonly keyFails: RateLimiterAbstract;
  /** Unix ms until which a client IP or key is refused with 50011 (mirrors the limiters' blocks). */
  private readonly blockedUntil = new Map<string, number>();
  /** Client IPs and keys locked out (50011) after too many failed authentications, since start (read by /metrics). */
  lockouts = 0;
  /**
   * Per key with a passphrase check under way: the tail of its checks, which run one after
   * another (with limiters shared through Redis, one at a time per key at each instance).
   */
  private readonly lanes = new Map<string, { tail: Promise<unknown>; depth: number }>();

  constructor(
    private readonly keyring: Keyring,
    private readonly usage: UsageTracker,
    private readonly limits: AuthLimits,
    /** Counts rejections of known keys for the console's activity view (a map update; written in batches). */
    private readonly rejections: RejectionRecorder | null = null,
    /** In memory by default; Redis-backed (shared by every instance) with SIGNET_REDIS_URL. */
    limiters: Limiters = memoryLimiters(),
  ) {
    this.ipFails = limiters.create({
      keyPrefix: 'auth-ip',
      points: limits.failsPerIp,
      duration: FAIL_WINDOW_S,
      blockDuration: FAIL_WINDOW_S,
    });
    this.keyFails = limiters.create({
      keyPrefix: 'auth-key',
      points: limits.failsPerKey,
      duration: FAIL_WINDOW_S,
      blockDuration: FAIL_WINDOW_S,
    });
  }

  authenticate(req: AuthRequest, now: number): AuthOutcome | Promise<AuthOutcome> {
    const refused = this.precheck(req, now, parseRestTimestamp);
    if (refused !== null) return refused;
    // Present and non-empty, as precheck found (no object built for them on the hot path).
    const apiKey = req.apiKey as string;
    const sign = req.sign as string;
    const timestamp = req.timestamp as string;
    const passphrase = req.passphrase as string;
    // A cached key is a known key; anything else must look like one (a UUID) to be looked up.
    const cached = apiKey.length === 36 ? this.keyring.cached(apiKey) : undefined;
    if (cached !== undefined) return this.checkKey(req, cached, sign, timestamp, passphrase, now);
    return this.lookUp(req, apiKey, sign, timestamp, passphrase, now);
  }

  /**
   * The checks before the key, common to REST and WebSocket: rate-limit blocks, the four fields
   * present, the timestamp readable (`parseTimestamp`) and within the window. Null when they pass.
   */
  private precheck(
    req: AuthRequest,
    now: number,
    parseTimestamp: (text: string) => number | null,
  ): AuthOutcome | Promise<AuthOutcome> | null {
    if (this.blockedUntil.size > 0 && this.isBlocked(`ip:${limitSubject(req.ip)}`, now)) return RATE_LIMITED;
    const { apiKey, sign, timestamp, passphrase } = req;
    if (apiKey === undefined || apiKey === '') return this.reject(req, now, '50103');
    if (sign === undefined || sign === '') return this.reject(req, now, '50106');
    if (timestamp === undefined || timestamp === '') return this.reject(req, now, '50107');
    if (passphrase === undefined || passphrase === '') return this.reject(req, now, '50104');
    const ts = parseTimestamp(timestamp);
    if (ts === null) return this.reject(req, now, '50112');
    if (!withinWindow(ts, now, this.limits.timestampWindowMs)) return this.reject(req, now, '50102');
    if (this.blockedUntil.size > 0 && this.isBlocked(`key:${apiKey}`, now)) return RATE_LIMITED;
    return null;
  }

  /** A key not in the cache: refused unless it looks like a key, else loaded from the store. */
  private lookUp(
    req: AuthRequest,
    apiKey: string,
    sign: string,
    timestamp: string,
    passphrase: string,
    now: number,
  ): AuthOutcome | Promise<AuthOutcome> {
    if (!isApiKeyFormat(apiKey)) return this.reject(req, now, '50111');
    const found = this.keyring.get(apiKey);
    if (found instanceof Promise) return found.then((key) => this.checkKey(req, key, sign, timestamp, passphrase, now));
    return this.checkKey(req, found, sign, timestamp, passphrase, now);
  }

  /**
   * The WebSocket login: the same checks, counters and rejection records as a REST request
   * (key, environment, ±window timestamp, signature, passphrase, IP whitelist), over OKX's login
   * prehash, answered with OKX's 600xx login codes (see core/ws-codes.ts). A login counts as use.
   */
  login(req: WsLoginRequest, now: number): Promise<AuthOutcome> {
    const rest: AuthRequest = {
      apiKey: req.apiKey,
      sign: req.sign,
      timestamp: req.timestamp,
      passphrase: req.passphrase,
      demo: req.demo,
      method: WS_LOGIN_METHOD,
      target: WS_LOGIN_PATH,
      body: undefined,
      ip: req.ip,
      needs: 'read',
    };
    const outcome =
      this.precheck(rest, now, parseWsTimestamp) ??
      this.lookUp(
        rest,
        rest.apiKey as string,
        rest.sign as string,
        rest.timestamp as string,
        rest.passphrase as string,
        now,
      );
    return Promise.resolve(outcome).then((o) => (o.ok ? o : { ...o, code: wsLoginCode(o.code, req.apiKey ?? '') }));
  }

  private checkKey(
    req: AuthRequest,
    key: ActiveKey | null,
    sign: string,
    timestamp: string,
    passphrase: string,
    now: number,
  ): AuthOutcome | Promise<AuthOutcome> {
    if (key === null) return this.reject(req, now, '50111');
    if ((key.env === 'demo') !== req.demo) return this.reject(req, now, '50101', key);
    if (
      !signatureMatches(key.hmacKey, timestamp, req.method, req.target, req.body, sign) &&
      // A rolled key's previous secret, during its grace only (no sync needed for it to end).
      !(
        key.prevHmacKey !== null &&
        now < key.prevUntil &&
        signatureMatches(key.prevHmacKey, timestamp, req.method, req.target, req.body, sign)
      )
    )
      return this.reject(req, now, '50113', key);
    // Only the key's signed requests learn that it is disabled; not a guess, so not counted as a failure.
    // A frozen sub-account's keys answer as a disabled key does: OKX's 50100 "API frozen" is its
    // refusal of a key that is valid but may not be used (59508, "sub account suspended", is a
    // transfer's answer about another account).
    if (key.disabled || key.frozen) return this.refuseDisabled(req, key, now);
    // The hot path: the remembered passphrase, and no check of this key waiting to be counted.
    const memo = key.passphraseMemo;
    if (memo !== null && !this.lanes.has(key.apiKey) && constantTimeEqual(passphrase, memo))
      return this.checkAccess(req, key, true, now);
    return this.inLane(key.apiKey, () => {
      // Failures counted while this request waited may have used up the limit: then no evaluation.
      if (this.isBlocked(`key:${key.apiKey}`, now) || this.isBlocked(`ip:${limitSubject(req.ip)}`, now))
        return RATE_LIMITED;
      const matches = this.keyring.passphraseMatches(key, passphrase);
      if (matches instanceof Promise) return matches.then((ok) => this.checkAccess(req, key, ok, now));
      return this.checkAccess(req, key, matches, now);
    });
  }

  /** Runs `check` after every earlier check of the key has finished, its failure counted. */
  private inLane(apiKey: string, check: () => AuthOutcome | Promise<AuthOutcome>): Promise<AuthOutcome> {
    let lane = this.lanes.get(apiKey);
    if (lane === undefined) {
      lane = { tail: Promise.resolve(), depth: 0 };
      this.lanes.set(apiKey, lane);
    }
    const current = lane;
    current.depth++;
    const result = current.tail.then(check);
    current.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      current.depth--;
      if (current.depth === 0 && this.lanes.get(apiKey) === current) this.lanes.delete(apiKey);
    });
  }

  private checkAccess(
    req: AuthRequest,
    key: ActiveKey,
    passphraseOk: boolean,
    now: number,
  ): AuthOutcome | Promise<AuthOutcome> {
    if (!passphraseOk) return this.reject(req, now, '50105', key, undefined, true);
    if (!key.whitelist.empty && !key.whitelist.admits(req.ip))
      return this.reject(req, now, '50110', key, normalizeIp(req.ip) ?? req.ip, true);
    // Authenticated: this counts as use of the key, whatever the route then allows.
    this.usage.touch(key, now);
    if (!key.knownIps.has(req.ip)) this.usage.usedFrom(key, req.ip, now);
    if (!hasPermission(key.perms, req.needs)) return { ok: false, code: '50120', apiKey: key.apiKey };
    return { ok: true, key };
  }

  /**
   * Counts the failure (per client IP subject, and per key when `signed`: the request carried the
   * key's valid signature) and answers its code, or 50011 once the failures allowed in the window
   * are used up: with limiters shared through Redis, failures made at any instance count, so the
   * limit holds across a deployment.
   */
  private reject(
    req: AuthRequest,
    now: number,
    code: OkxCode,
    key?: ActiveKey,
    arg?: string,
    signed = false,
  ): Promise<Rejection> {
    const outcome: Rejection = { ok: false, code };
    if (arg !== undefined) outcome.arg = arg;
    if (key !== undefined) {
      outcome.apiKey = key.apiKey;
      this.rejections?.record(key, code, arg ?? normalizeIp(req.ip) ?? req.ip, now);
    }
    return this.recordFailure(req, now, signed ? key?.apiKey : undefined).then((limited) =>
      limited ? RATE_LIMITED : outcome,
    );
  }

  /** 50100 for a disabled key: recorded in its activity, but not counted towards any block. */
  private refuseDisabled(req: AuthRequest, key: ActiveKey, now: number): Rejection {
    this.rejections?.record(key, '50100', normalizeIp(req.ip) ?? req.ip, now);
    return { ok: false, code: '50100', apiKey: key.apiKey };
  }

  private isBlocked(id: string, now: number): boolean {
    const until = this.blockedUntil.get(id);
    if (until === undefined) return false;
    if (until > now) return true;
    this.blockedUntil.delete(id);
    return false;
  }

  /** True if this failure went over a limit (the subject is then blocked here for the rest of the block). */
  private recordFailure(req: AuthRequest, now: number, apiKey: string | undefined): Promise<boolean> {
    // The limit-th failure within the window starts the block: `limit` failures, then 50011.
    const count = (limiter: RateLimiterAbstract, subject: string, id: string): Promise<boolean> =>
      limiter.consume(subject).then(
        (res) => {
          if (res.remainingPoints === 0) {
            this.blockedUntil.set(id, now + FAIL_WINDOW_S * 1000);
            this.lockouts++;
          }
          return false;
        },
        (res: unknown) => {
          if (!(res instanceof RateLimiterRes)) return false;
          this.blockedUntil.set(id, now + res.msBeforeNext);
          this.lockouts++;
          return true;
        },
      );
    if (this.blockedUntil.size > 10_000) this.pruneBlocks(now);
    const subject = limitSubject(req.ip);
    const counts = [count(this.ipFails, subject, `ip:${subject}`)];
    if (apiKey !== undefined) counts.push(count(this.keyFails, apiKey, `key:${apiKey}`));
    return Promise.all(counts).then((over) => over.includes(true));
  }

  private pruneBlocks(now: number): void {
    for (const [id, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(id);
  }
}
