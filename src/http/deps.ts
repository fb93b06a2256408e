import type { Config } from '../config.js';
import type { AddressBook } from '../services/address-book.js';
import type { Authenticator } from '../services/authenticator.js';
import type { KeyService } from '../services/key-service.js';
import type { LedgerService } from '../services/ledger-service.js';
import type { SessionService } from '../services/session-service.js';
import type { TotpService } from '../services/totp-service.js';
import type { UserService } from '../services/user-service.js';

/** What the HTTP app is built from. */
export interface AppDeps {
  config: Config;
  authenticator: Authenticator;
  keys: KeyService;
  users: UserService;
  ledger: LedgerService;
  sessions: SessionService;
  totp: TotpService;
  addresses: AddressBook;
  /** The clock, Unix ms; tests may pass another. */
  now: () => number;
}
