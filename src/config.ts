import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DAY_MS, type ExpiryPolicy } from './core/expiry.js';
import { isIpEntry } from './core/ip-whitelist.js';

/**
 * Every setting, with its environment variable and default. The only reader of process.env.
 * CLI flags (--host, --port, --data, --db) override the environment.
 */
const EnvSchema = Type.Object({
  /** Interface to listen on. */
  SIGNET_HOST: Type.String({ default: '127.0.0.1' }),
  /** TCP port. */
  SIGNET_PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  /** Directory of the SQLite database and the master key file. */
  SIGNET_DATA: Type.String({ default: './data' }),
  /** postgres://… to use PostgreSQL (shared by several instances) instead of SQLite in SIGNET_DATA; `--db` overrides it. */
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  /** redis://… to share rate limits (auth failures, OKX endpoint limits) between instances; unset: per instance. */
  SIGNET_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  /** Prefix of every Redis key signet writes (deployments sharing one Redis use different prefixes). */
  SIGNET_REDIS_PREFIX: Type.String({ default: 'signet', pattern: '^[A-Za-z0-9_.-]{1,64}$' }),
  /** 64 hex characters (32 bytes); required with PostgreSQL (every instance must share it); if unset, a key file `master.key` (mode 0600) in the data dir. */
  SIGNET_MASTER_KEY: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$' })),
  /** Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed; empty: none. */
  SIGNET_TRUST_PROXY: Type.String({ default: '' }),
  /** JSON file of the gateway's routes (proxy mode: prefix, upstream, permission per method); unset: no proxying. `--gateway` overrides it. */
  SIGNET_GATEWAY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /** Idle days after which an unbound key is deleted. */
  SIGNET_KEY_EXPIRY_DAYS: Type.Number({ default: 30, exclusiveMinimum: 0 }),
  /** 'unbound' (every key without IPs, the guide's rule) or 'unbound-trading' (only with trade/withdraw). */
  SIGNET_KEY_EXPIRY_SCOPE: Type.Union([Type.Literal('unbound'), Type.Literal('unbound-trading')], {
    default: 'unbound',
  }),
  /** Allowed clock skew of OK-ACCESS-TIMESTAMP, seconds, past and future. */
  SIGNET_TIMESTAMP_WINDOW_S: Type.Number({ default: 30, exclusiveMinimum: 0 }),
  /** Failed authentications allowed per client IP per minute before 50011 for a minute. */
  SIGNET_AUTH_FAILS_PER_IP: Type.Integer({ default: 30, minimum: 1 }),
  /** Failed authentications allowed per API key per minute before 50011 for a minute. */
  SIGNET_AUTH_FAILS_PER_KEY: Type.Integer({ default: 30, minimum: 1 }),
  /** Largest request body accepted, bytes. */
  SIGNET_BODY_LIMIT: Type.Integer({ default: 65536, minimum: 1024 }),
  /**
   * Keys held decrypted in memory (least recently used evicted beyond it), a count: about 2.6 KB
   * each (measured: bench/million-keys.ts), so the default's 100,000 keys take about 260 MB.
   */
  SIGNET_KEY_CACHE: Type.Integer({ default: 100_000, minimum: 1 }),
  /** How often the key cache looks for keys changed by other processes, ms. */
  SIGNET_KEY_SYNC_MS: Type.Integer({ default: 250, minimum: 10 }),
  /** How often order books are brought up to date with orders other instances stored, ms (only matters with several instances). */
  SIGNET_BOOK_SYNC_MS: Type.Integer({ default: 250, minimum: 10 }),
  /** How often batched last-used times are written, ms. */
  SIGNET_USAGE_FLUSH_MS: Type.Integer({ default: 2000, minimum: 10 }),
  /** signet's public base URL (https://signet.example.com), sent to apps as `domain` after Connect; unset: the request's protocol and Host. */
  SIGNET_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^/?#\\s]+$' })),
  /** How often the expiry sweeper runs, ms (hourly). */
  SIGNET_SWEEP_MS: Type.Integer({ default: 3_600_000, minimum: 1000 }),
  /** Maker fee, a fraction of what the maker receives (0.0008 = 0.08 %). */
  SIGNET_MAKER_FEE: Type.String({ default: '0.0008', pattern: '^0(\\.\\d{1,8})?$' }),
  /** Taker fee, a fraction of what the taker receives. */
  SIGNET_TAKER_FEE: Type.String({ default: '0.001', pattern: '^0(\\.\\d{1,8})?$' }),
  /** 1: the built-in market maker quotes every book; 0: off. */
  SIGNET_MARKET_MAKER: Type.Union([Type.Literal('0'), Type.Literal('1')], { default: '1' }),
  /** How often the market maker moves its reference prices and requotes, ms. */
  SIGNET_MM_INTERVAL_MS: Type.Integer({ default: 5000, minimum: 100 }),
  /** Seed of the market maker's random walk. */
  SIGNET_MM_SEED: Type.Integer({ default: 42 }),
  /** How long an on-chain withdrawal stays pending (cancelable) before it is sent, ms. */
  SIGNET_WITHDRAWAL_SETTLE_MS: Type.Integer({ default: 5000, minimum: 0 }),
  /** 1: OKX's rate limits on the trading, funding and market endpoints (50011); 0: off (benchmarks). */
  SIGNET_RATE_LIMITS: Type.Union([Type.Literal('0'), Type.Literal('1')], { default: '1' }),
  /** How long a console login lasts, hours. */
  SIGNET_SESSION_HOURS: Type.Number({ default: 12, exclusiveMinimum: 0 }),
  /** Failed console logins allowed per email and client IP (IPv6: per /64) per 15 minutes. */
  SIGNET_LOGIN_ATTEMPTS: Type.Integer({ default: 10, minimum: 1 }),
  /** Failed console logins allowed per account (email, from any IP) per 15 minutes before a lockout. */
  SIGNET_LOGIN_FAILURES_PER_ACCOUNT: Type.Integer({ default: 10, minimum: 1 }),
  /** Wrong authenticator codes allowed per account, and per login session, per 15 minutes before a lockout. */
  SIGNET_TOTP_FAILURES: Type.Integer({ default: 5, minimum: 1 }),
  /** Wrong authenticator codes allowed per client IP (IPv6: per /64), any account, per 15 minutes before a lockout. */
  SIGNET_TOTP_FAILURES_PER_IP: Type.Integer({ default: 20, minimum: 1 }),
  /** First console lockout (logins, authenticator codes), seconds; each further lockout within a day doubles it. */
  SIGNET_LOCKOUT_S: Type.Integer({ default: 60, minimum: 1 }),
  /** Longest console lockout, seconds. */
  SIGNET_LOCKOUT_MAX_S: Type.Integer({ default: 3600, minimum: 1 }),
  /** Console sign-ups allowed per client IP (IPv6: per /64) per hour. */
  SIGNET_SIGNUPS_PER_IP: Type.Integer({ default: 5, minimum: 1 }),
  /** Whether the console may credit demo (paper) funds; 'false' for deployments that are not sandboxes. */
  SIGNET_CONSOLE_DEMO_DEPOSITS: Type.Boolean({ default: true }),
  /** true: a key with the Withdraw permission must bind IP addresses (refused otherwise); false: only a warning. */
  SIGNET_WITHDRAW_REQUIRES_IP: Type.Boolean({ default: false }),
  /** A WebSocket connection that sends nothing (not even `ping`) for this long is closed, ms (OKX: 30 s). */
  SIGNET_WS_IDLE_MS: Type.Integer({ default: 30_000, minimum: 100 }),
  /** Bytes a WebSocket connection may have waiting to be sent; a consumer that falls further behind is disconnected (60016). */
  SIGNET_WS_SEND_BUFFER: Type.Integer({ default: 1_048_576, minimum: 4096 }),
  /** Largest WebSocket message accepted from a client, bytes. */
  SIGNET_WS_MAX_MESSAGE: Type.Integer({ default: 65536, minimum: 1024 }),
  /** WebSocket connections one client IP may hold open at once; more are refused (HTTP 429, 50011). */
  SIGNET_WS_CONNECTIONS_PER_IP: Type.Integer({ default: 100, minimum: 1 }),
  /** 1: Prometheus metrics at GET /metrics (on the API port unless SIGNET_METRICS_PORT); 0: off. */
  SIGNET_METRICS: Type.Union([Type.Literal('0'), Type.Literal('1')], { default: '0' }),
  /** TCP port of its own for GET /metrics (on SIGNET_HOST; then not on the API port); unset: the API port. Implies SIGNET_METRICS=1. */
  SIGNET_METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  /** On SIGTERM/SIGINT, how long /readyz answers 503 while requests are still served, before the server closes, ms (set to what your load balancer needs to notice). */
  SIGNET_DRAIN_MS: Type.Integer({ default: 0, minimum: 0 }),
  /** Log level: fatal, error, warn, info, debug, silent. */
  SIGNET_LOG_LEVEL: Type.String({ default: 'info' }),
  /** Longest an HTTP request may take to arrive, headers and body, ms; a slower one is answered 408 and its connection closed. */
  SIGNET_HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100 }),
  /** Longest the headers of an HTTP request may take to arrive, ms (at most the request timeout). */
  SIGNET_HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100 }),
  /** How long an idle keep-alive HTTP connection is kept open between requests, ms (above common load balancers' 60 s). */
  SIGNET_HTTP_KEEPALIVE_MS: Type.Integer({ default: 72_000, minimum: 100 }),
  /** HTTP connections one client IP (IPv6: one /64) may hold open at once; more are closed at once. Trusted proxies are not counted. */
  SIGNET_HTTP_CONNECTIONS_PER_IP: Type.Integer({ default: 100, minimum: 1 }),
  /** smtp://user:pass@host:port (smtps:// for TLS) to mail key warnings to each account's address; unset: no email. */
  SIGNET_SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  /** The From address of those mails. */
  SIGNET_MAIL_FROM: Type.String({ default: 'signet <signet@localhost>' }),
  /** How often webhook and email deliveries are dispatched and sent, ms. */
  SIGNET_NOTIFY_MS: Type.Integer({ default: 1000, minimum: 10 }),
  /** First retry delay of a failed delivery, ms; doubles with each failure up to an hour, for a day. */
  SIGNET_NOTIFY_RETRY_MS: Type.Integer({ default: 10_000, minimum: 10 }),
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** PostgreSQL connection string, or null for SQLite in dataDir. */
  readonly databaseUrl: string | null;
  /** Redis for shared rate limits, or null for in-memory limits per instance. */
  readonly redisUrl: string | null;
  readonly redisPrefix: string;
  /** Hex master key from the environment, or null to use the key file. */
  readonly masterKeyHex: string | null;
  readonly trustProxy: readonly string[];
  /** The gateway's routes file (SIGNET_GATEWAY_FILE, --gateway), or null: no proxy mode. */
  readonly gatewayFile: string | null;
  readonly expiry: ExpiryPolicy;
  readonly timestampWindowMs: number;
  readonly authFailsPerIp: number;
  readonly authFailsPerKey: number;
  readonly bodyLimit: number;
  /** Most keys the key cache holds (least recently used evicted beyond it). */
  readonly keyCache: number;
  readonly keySyncMs: number;
  readonly bookSyncMs: number;
  readonly usageFlushMs: number;
  readonly sweepMs: number;
  /** Base URL sent to apps after Connect (`domain`), or null for the request's own. */
  readonly publicUrl: string | null;
  readonly logLevel: string;
  /** Prometheus metrics: on or off, and their own port (null: on the API port). */
  readonly metrics: { readonly enabled: boolean; readonly port: number | null };
  /** Clean stop: how long readiness is false before the server closes, ms. */
  readonly drainMs: number;
  readonly marketMaker: { readonly enabled: boolean; readonly intervalMs: number; readonly seed: number };
  readonly withdrawalSettleMs: number;
  readonly rateLimits: boolean;
  /** Trading fee rates (fractions of the amount received). */
  readonly fees: { readonly maker: string; readonly taker: string };
  readonly sessionTtlMs: number;
  /** Console throttles: counts per 15 minutes (sign-ups: per hour), lockouts in seconds. */
  readonly consoleLimits: ConsoleLimits;
  readonly consoleDemoDeposits: boolean;
  /** Operator rules on keys beyond OKX's (SIGNET_WITHDRAW_REQUIRES_IP). */
  readonly keyPolicy: { readonly withdrawRequiresIp: boolean };
  readonly ws: {
    readonly idleMs: number;
    readonly sendBuffer: number;
    readonly maxMessage: number;
    readonly connectionsPerIp: number;
  };
  /** Timeouts of the HTTP server, ms, and its cap on connections per client IP. */
  readonly http: {
    readonly requestTimeoutMs: number;
    readonly headersTimeoutMs: number;
    readonly keepAliveMs: number;
    readonly connectionsPerIp: number;
  };
  /** Webhook and email deliveries: SMTP (null: no email), how often they run and the first retry delay, ms. */
  readonly notify: {
    readonly smtpUrl: string | null;
    readonly mailFrom: string;
    readonly intervalMs: number;
    readonly retryFirstMs: number;
  };
}

export interface ConsoleLimits {
  /** Failed logins per (client IP, email) per 15 minutes. */
  readonly loginAttempts: number;
  /** Failed logins per account per 15 minutes before a lockout. */
  readonly loginFailuresPerAccount: number;
  /** Wrong authenticator codes per account and per session per 15 minutes before a lockout. */
  readonly totpFailures: number;
  /** Wrong authenticator codes per client IP per 15 minutes before a lockout. */
  readonly totpFailuresPerIp: number;
  /** First lockout, seconds (doubles with each further lockout within a day). */
  readonly lockoutS: number;
  /** Longest lockout, seconds. */
  readonly maxLockoutS: number;
  /** Sign-ups per client IP per hour. */
  readonly signupsPerIp: number;
}

export interface ConfigOverrides {
  host?: string | undefined;
  port?: number | undefined;
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
  gatewayFile?: string | undefined;
}

/** Parses the environment once; throws an Error naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const name of Object.keys(EnvSchema.properties)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const withDefaults = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw));
  const errors = [...Value.Errors(EnvSchema, withDefaults)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.path.slice(1)}: ${e.message}`);
    throw new Error(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const parsed = withDefaults as Env;
  const databaseUrl = overrides.databaseUrl ?? parsed.DATABASE_URL ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(
      `invalid configuration:\n  --db: must be a postgres:// connection string, got "${databaseUrl.replace(/\/\/[^@/]*@/, '//…@')}"`,
    );
  }
  const trustProxy = parsed.SIGNET_TRUST_PROXY.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  // Addresses and CIDR segments only (no keywords such as "loopback"): REST and WebSocket read them alike.
  const badProxy = trustProxy.find((p) => !isIpEntry(p));
  if (badProxy !== undefined) {
    throw new Error(`invalid configuration:\n  SIGNET_TRUST_PROXY: "${badProxy}" is not an IP address or CIDR segment`);
  }
  if (databaseUrl !== null && parsed.SIGNET_MASTER_KEY === undefined) {
    throw new Error(
      'invalid configuration:\n  SIGNET_MASTER_KEY: required with PostgreSQL (every instance of a deployment must share it)',
    );
  }
  return Object.freeze({
    host: overrides.host ?? parsed.SIGNET_HOST,
    port: overrides.port ?? parsed.SIGNET_PORT,
    dataDir: overrides.dataDir ?? parsed.SIGNET_DATA,
    databaseUrl,
    redisUrl: parsed.SIGNET_REDIS_URL ?? null,
    redisPrefix: parsed.SIGNET_REDIS_PREFIX,
    masterKeyHex: parsed.SIGNET_MASTER_KEY ?? null,
    trustProxy: Object.freeze(trustProxy),
    gatewayFile: overrides.gatewayFile ?? parsed.SIGNET_GATEWAY_FILE ?? null,
    expiry: Object.freeze({ scope: parsed.SIGNET_KEY_EXPIRY_SCOPE, periodMs: parsed.SIGNET_KEY_EXPIRY_DAYS * DAY_MS }),
    timestampWindowMs: parsed.SIGNET_TIMESTAMP_WINDOW_S * 1000,
    authFailsPerIp: parsed.SIGNET_AUTH_FAILS_PER_IP,
    authFailsPerKey: parsed.SIGNET_AUTH_FAILS_PER_KEY,
    bodyLimit: parsed.SIGNET_BODY_LIMIT,
    keyCache: parsed.SIGNET_KEY_CACHE,
    keySyncMs: parsed.SIGNET_KEY_SYNC_MS,
    bookSyncMs: parsed.SIGNET_BOOK_SYNC_MS,
    usageFlushMs: parsed.SIGNET_USAGE_FLUSH_MS,
    sweepMs: parsed.SIGNET_SWEEP_MS,
    publicUrl: parsed.SIGNET_PUBLIC_URL ?? null,
    logLevel: parsed.SIGNET_LOG_LEVEL,
    metrics: Object.freeze({
      enabled: parsed.SIGNET_METRICS === '1' || parsed.SIGNET_METRICS_PORT !== undefined,
      port: parsed.SIGNET_METRICS_PORT ?? null,
    }),
    drainMs: parsed.SIGNET_DRAIN_MS,
    marketMaker: Object.freeze({
      enabled: parsed.SIGNET_MARKET_MAKER === '1',
      intervalMs: parsed.SIGNET_MM_INTERVAL_MS,
      seed: parsed.SIGNET_MM_SEED,
    }),
    withdrawalSettleMs: parsed.SIGNET_WITHDRAWAL_SETTLE_MS,
    rateLimits: parsed.SIGNET_RATE_LIMITS === '1',
    fees: Object.freeze({ maker: parsed.SIGNET_MAKER_FEE, taker: parsed.SIGNET_TAKER_FEE }),
    sessionTtlMs: parsed.SIGNET_SESSION_HOURS * 3_600_000,
    consoleLimits: Object.freeze({
      loginAttempts: parsed.SIGNET_LOGIN_ATTEMPTS,
      loginFailuresPerAccount: parsed.SIGNET_LOGIN_FAILURES_PER_ACCOUNT,
      totpFailures: parsed.SIGNET_TOTP_FAILURES,
      totpFailuresPerIp: parsed.SIGNET_TOTP_FAILURES_PER_IP,
      lockoutS: parsed.SIGNET_LOCKOUT_S,
      maxLockoutS: Math.max(parsed.SIGNET_LOCKOUT_S, parsed.SIGNET_LOCKOUT_MAX_S),
      signupsPerIp: parsed.SIGNET_SIGNUPS_PER_IP,
    }),
    consoleDemoDeposits: parsed.SIGNET_CONSOLE_DEMO_DEPOSITS,
    keyPolicy: Object.freeze({ withdrawRequiresIp: parsed.SIGNET_WITHDRAW_REQUIRES_IP }),
    ws: Object.freeze({
      idleMs: parsed.SIGNET_WS_IDLE_MS,
      sendBuffer: parsed.SIGNET_WS_SEND_BUFFER,
      maxMessage: parsed.SIGNET_WS_MAX_MESSAGE,
      connectionsPerIp: parsed.SIGNET_WS_CONNECTIONS_PER_IP,
    }),
    http: Object.freeze({
      requestTimeoutMs: parsed.SIGNET_HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: Math.min(parsed.SIGNET_HTTP_HEADERS_TIMEOUT_MS, parsed.SIGNET_HTTP_REQUEST_TIMEOUT_MS),
      keepAliveMs: parsed.SIGNET_HTTP_KEEPALIVE_MS,
      connectionsPerIp: parsed.SIGNET_HTTP_CONNECTIONS_PER_IP,
    }),
    notify: Object.freeze({
      smtpUrl: parsed.SIGNET_SMTP_URL ?? null,
      mailFrom: parsed.SIGNET_MAIL_FROM,
      intervalMs: parsed.SIGNET_NOTIFY_MS,
      retryFirstMs: parsed.SIGNET_NOTIFY_RETRY_MS,
    }),
  });
}
