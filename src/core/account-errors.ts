/** Why the console refused a call that is not about an API-key rule (those are RuleErrors). */
export type AccountErrorKind =
  | 'unauthenticated' // no session, or it expired
  | 'credentials' // wrong email or password (one generic message)
  | 'throttled' // too many attempts (logins, sign-ups, authenticator codes): retry later
  | 'csrf' // state-changing call without the session's CSRF token
  | 'totp_required' // the action needs an authenticator code
  | 'totp_invalid' // wrong, stale or replayed code
  | 'totp_state' // 2FA not set up, or already on
  | 'not_found'; // no such thing in this account

/**
 * A refusal by the account layer (sessions, 2FA). Carries a readable message naming the field;
 * the console edge maps the kind to an HTTP status in one place.
 */
export class AccountError extends Error {
  readonly kind: AccountErrorKind;
  readonly field: string | undefined;
  /** For 'throttled': how long until a retry may succeed, ms (the Retry-After header). */
  readonly retryAfterMs: number | undefined;
  constructor(kind: AccountErrorKind, message: string, field?: string, retryAfterMs?: number) {
    super(message);
    this.name = 'AccountError';
    this.kind = kind;
    this.field = field;
    this.retryAfterMs = retryAfterMs;
  }
}
