import type { Config } from '../config.js';
import type { AddressBook } from '../services/address-book.js';
import type { Authenticator } from '../services/authenticator.js';
import type { KeyService } from '../services/key-service.js';
import type { Keyring } from '../services/keyring.js';
import type { Limiters } from '../services/limiters.js';
import type { LedgerService } from '../services/ledger-service.js';
import type { RateLimits } from './rate-limit.js';
import type { FundingService } from '../services/funding-service.js';
import type { MarketData } from '../services/market-data.js';
import type { TradingService } from '../services/trading-service.js';
import type { SessionService } from '../services/session-service.js';
import type { TotpService } from '../services/totp-service.js';
import type { UserService } from '../services/user-service.js';

/** What the HTTP app is built from. */
export interface AppDeps {
  config: Config;
  authenticator: Authenticator;
  /** The key cache: the WebSocket API closes sessions of keys it evicts (changed or deleted anywhere). */
  keyring: Keyring;
  keys: KeyService;
  users: UserService;
  ledger: LedgerService;
  trading: TradingService;
  market: MarketData;
  funding: FundingService;
  /** OKX's per-key and per-IP limits of the trading, funding and market endpoints. */
  limits: RateLimits;
  /** Makes other rate limiters (console logins): in memory, or shared through Redis. */
  limiters: Limiters;
  sessions: SessionService;
  totp: TotpService;
  addresses: AddressBook;
  /** The clock, Unix ms; tests may pass another. */
  now: () => number;
}
