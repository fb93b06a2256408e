import type { Config } from '../config.js';
import type { AddressBook } from './address-book.js';
import type { AlgoService } from './algo-service.js';
import type { AppService } from './app-service.js';
import type { Authenticator } from './authenticator.js';
import type { CancelAfterService } from './cancel-after-service.js';
import type { FundingService } from './funding-service.js';
import type { GatewayTokens } from './gateway-tokens.js';
import type { Health } from './health.js';
import type { KeyService } from './key-service.js';
import type { Keyring } from './keyring.js';
import type { LedgerService } from './ledger-service.js';
import type { Limiters } from './limiters.js';
import type { MarketData } from './market-data.js';
import type { Metrics } from './metrics.js';
import type { Notifier } from './notifier.js';
import type { RateLimits } from './rate-limits.js';
import type { RejectionLog } from './rejection-log.js';
import type { SessionService } from './session-service.js';
import type { SubAccountKeys } from './subaccount-keys.js';
import type { SubAccountService } from './subaccount-service.js';
import type { TotpService } from './totp-service.js';
import type { TradingService } from './trading-service.js';
import type { UserService } from './user-service.js';
import type { WebhookService } from './webhook-service.js';

/** The services the edges are built from: the HTTP app (buildApp) and the WebSocket API (installWebSocket). */
export interface AppDeps {
  config: Config;
  authenticator: Authenticator;
  /** The key cache: the WebSocket API closes sessions of keys it evicts (changed or deleted anywhere). */
  keyring: Keyring;
  keys: KeyService;
  /** A master's management of its sub-accounts' keys (OKX's users/subaccount/apikey endpoints). */
  subAccountKeys: SubAccountKeys;
  /** Registered third-party apps and the Connect flow (OKX's Fast API). */
  apps: AppService;
  users: UserService;
  /** Sub-accounts of master accounts (create, list, freeze). */
  subAccounts: SubAccountService;
  ledger: LedgerService;
  trading: TradingService;
  /** The dead man's switch (trade/cancel-all-after). */
  cancelAfter: CancelAfterService;
  /** Algo orders (TP/SL, OCO, trigger, trailing) and TP/SL attached to orders. */
  algos: AlgoService;
  market: MarketData;
  funding: FundingService;
  /** The service tokens of the gateway's verify API. */
  gatewayTokens: GatewayTokens;
  /** OKX's per-key and per-IP limits of the trading, funding and market endpoints. */
  limits: RateLimits;
  /** Makes other rate limiters (console logins): in memory, or shared through Redis. */
  limiters: Limiters;
  sessions: SessionService;
  totp: TotpService;
  addresses: AddressBook;
  /** Accounts' webhooks (console Notifications page) and the notifier (whether email is on). */
  webhooks: WebhookService;
  notifier: Notifier;
  /** Which rejected requests and logins are written to the log (the first per client and code in a window). */
  rejectionLog: RejectionLog;
  /** Prometheus metrics (SIGNET_METRICS=1), or null: the edges count requests, rejections and WebSockets into it. */
  metrics: Metrics | null;
  /** Readiness for load balancers (/readyz): database, schema, shutting down. */
  health: Health;
  /** The clock, Unix ms; tests may pass another. */
  now: () => number;
}
