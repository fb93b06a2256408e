import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { ConsoleLimits } from '../config.js';
import { AccountError } from '../core/account-errors.js';
import { limitSubject } from '../core/client-ip.js';
import type { UserRecord } from '../store/store.js';
import { FailureBackoff } from './failure-backoff.js';
import type { Limiters } from './limiters.js';
import type { TotpService } from './totp-service.js';

const WINDOW_S = 15 * 60;
const SIGNUP_WINDOW_S = 3600;

/** "in 45 seconds", "in 2 minutes": when a throttled caller may try again. */
export function retryText(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `in ${minutes} minutes`;
}

const throttled = (message: string, retryAfterMs: number, field?: string) =>
  new AccountError('throttled', `${message}; try again ${retryText(retryAfterMs)}`, field, retryAfterMs);

/** Where an authenticator code comes from: the login session (its id hash) and the client IP. */
export interface CodeSource {
  session: string | null;
  ip: string;
}

/**
 * The console's limits on guessing: passwords per (client IP, email) and per account, authenticator
 * codes per account, per session and per client IP, sign-ups per client IP. Client IPs count by
 * `limitSubject` (IPv6 by its /64); counts live in `deps.limiters` (shared through Redis).
 *
 * @example
 *   await guard.beginLogin(ip, email);
 *   const user = await users.login(email, password);
 *   if (user === null) throw await guard.loginFailed(email);
 *   await guard.loginSucceeded(ip, email);
 */
export class ConsoleGuard {
  private readonly loginPairs: RateLimiterAbstract;
  private readonly loginAccounts: FailureBackoff;
  private readonly codeAccounts: FailureBackoff;
  private readonly codeSessions: FailureBackoff;
  private readonly codeIps: FailureBackoff;
  private readonly signups: RateLimiterAbstract;

  constructor(
    private readonly totp: TotpService,
    limiters: Limiters,
    limits: ConsoleLimits,
  ) {
    const backoff = (keyPrefix: string, failures: number) =>
      new FailureBackoff(limiters, {
        keyPrefix,
        failures,
        windowS: WINDOW_S,
        lockoutS: limits.lockoutS,
        maxLockoutS: limits.maxLockoutS,
      });
    this.loginPairs = limiters.create({ keyPrefix: 'console-login', points: limits.loginAttempts, duration: WINDOW_S });
    this.loginAccounts = backoff('console-login-account', limits.loginFailuresPerAccount);
    this.codeAccounts = backoff('console-totp-account', limits.totpFailures);
    this.codeSessions = backoff('console-totp-session', limits.totpFailures);
    this.codeIps = backoff('console-totp-ip', limits.totpFailuresPerIp);
    this.signups = limiters.create({
      keyPrefix: 'console-signup',
      points: limits.signupsPerIp,
      duration: SIGNUP_WINDOW_S,
    });
  }

  /** Before a password is checked: refused (throttled) past the limit of the (IP, email) pair or of the account. */
  async beginLogin(ip: string, email: string): Promise<void> {
    const account = email.trim().toLowerCase();
    try {
      await this.loginPairs.consume(`${limitSubject(ip)}|${account}`);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw throttled('login: too many attempts', err.msBeforeNext);
    }
    // Counted by the email given, whether or not an account has it: the answer says nothing about existence.
    const gate = await this.loginAccounts.begin(account);
    if (!gate.ok) throw throttled('login: too many failed logins for this account', gate.retryAfterMs);
  }

  /** A wrong password: the refusal to answer (throttled when this failure starts a lockout of the account). */
  async loginFailed(email: string): Promise<AccountError> {
    const lockedMs = await this.loginAccounts.failed(email.trim().toLowerCase());
    if (lockedMs > 0) return throttled('wrong email or password; too many failed logins for this account', lockedMs);
    return new AccountError('credentials', 'wrong email or password');
  }

  async loginSucceeded(ip: string, email: string): Promise<void> {
    const account = email.trim().toLowerCase();
    await this.loginPairs.delete(`${limitSubject(ip)}|${account}`);
    await this.loginAccounts.succeeded(account);
  }

  /**
   * A signed-in user's current password (to change it), under the same limits as logins: the
   * (client IP, email) pair and the account's failure backoff. Throws AccountError when wrong.
   */
  async checkPassword(ip: string, email: string, matches: () => Promise<boolean>): Promise<void> {
    await this.beginLogin(ip, email);
    if (!(await matches())) {
      const lockedMs = await this.loginAccounts.failed(email.trim().toLowerCase());
      const wrong = 'That is not your current password.';
      if (lockedMs > 0) throw throttled(`${wrong} Too many wrong passwords`, lockedMs, 'currentPassword');
      throw new AccountError('credentials', wrong, 'currentPassword');
    }
    await this.loginSucceeded(ip, email);
  }

  /** Every sign-up attempt counts against the client IP. */
  async beginSignup(ip: string): Promise<void> {
    try {
      await this.signups.consume(limitSubject(ip));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw throttled('signup: too many sign-ups from your network', err.msBeforeNext);
    }
  }

  /**
   * `TotpService.check` behind the failure limits of the account, the session and the client IP:
   * while any of them is locked out the code is not even evaluated (429, with the time to wait).
   */
  async checkCode(user: UserRecord, code: string | undefined, from: CodeSource, now: number): Promise<void> {
    const subjects: Array<[FailureBackoff, string]> = [
      [this.codeAccounts, String(user.id)],
      [this.codeIps, limitSubject(from.ip)],
    ];
    if (from.session !== null) subjects.push([this.codeSessions, from.session]);
    const locked = await Promise.all(subjects.map(([b, s]) => b.lockedForMs(s)));
    const lockedMs = Math.max(0, ...locked);
    if (lockedMs > 0) throw throttled('authenticator: too many wrong codes', lockedMs, 'code');
    const gates = await Promise.all(subjects.map(([b, s]) => b.begin(s)));
    const refused = gates.map((g) => (g.ok ? 0 : g.retryAfterMs));
    if (Math.max(0, ...refused) > 0) {
      await Promise.all(subjects.filter((_, i) => gates[i]?.ok).map(([b, s]) => b.refund(s)));
      throw throttled('authenticator: too many wrong codes', Math.max(...refused), 'code');
    }
    try {
      await this.totp.check(user, code, now);
    } catch (err) {
      if (!(err instanceof AccountError) || err.kind !== 'totp_invalid') {
        await Promise.all(subjects.map(([b, s]) => b.refund(s)));
        throw err;
      }
      const started = Math.max(0, ...(await Promise.all(subjects.map(([b, s]) => b.failed(s)))));
      if (started > 0) throw throttled(`${err.message}; too many wrong codes`, started, 'code');
      throw err;
    }
    await Promise.all(subjects.map(([b, s]) => (b === this.codeIps ? b.refund(s) : b.succeeded(s))));
  }
}
