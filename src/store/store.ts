import type { AlgoStore } from './algo.js';
import type { AppStore } from './apps.js';
import type { ClusterStore } from './cluster.js';
import type { ExchangeStore } from './exchange.js';
import type { FundingStore } from './funding.js';
import type { GatewayTokenStore } from './gateway-tokens.js';
import type { KeyStore } from './keys.js';
import type { LedgerStore } from './ledger.js';
import type { SubTransferStore } from './sub-transfers.js';
import type { SubAccountStore } from './subaccounts.js';
import type { TimerStore } from './timers.js';
import type { UserStore } from './users.js';
import type { NotifyStore } from './webhooks.js';

export type { AlgoChanges, AlgoExpect, AlgoQuery, AlgoStore } from './algo.js';
export type { AccessTokenRecord, AppRecord, AppStore, AppUpdate, OAuthCodeRecord } from './apps.js';
export type { ClusterStore, IdSequenceName, SealedKind } from './cluster.js';
export type {
  BookChanges,
  BookVersion,
  ExchangeStore,
  FillQuery,
  FillRecord,
  LastFill,
  OrderChanges,
  OrderQuery,
} from './exchange.js';
export type { DepositQuery, DepositRecord, FundingStore, WithdrawalAddress, WithdrawalQuery } from './funding.js';
export type { GatewayTokenRecord, GatewayTokenStore } from './gateway-tokens.js';
export type {
  AccountAuditAction,
  Actor,
  AuditAction,
  AuditRecord,
  KeyActor,
  KeyAuditAction,
  KeyRecord,
  KeyRejection,
  KeyRevision,
  KeyStore,
  KeyUpdate,
} from './keys.js';
export type {
  BalanceRow,
  DepositAddress,
  DepositDetails,
  LedgerAccount,
  LedgerStore,
  TransferRecord,
} from './ledger.js';
export type { SubTransferQuery, SubTransferRecord, SubTransferStore } from './sub-transfers.js';
export type {
  NewSubAccount,
  SubAccountChange,
  SubAccountQuery,
  SubAccountRecord,
  SubAccountStore,
} from './subaccounts.js';
export type { CancelAfterTimer, TimerStore } from './timers.js';
export type {
  AccountAuditEntry,
  AccountChange,
  SessionRecord,
  TotpRecord,
  UserRecord,
  UserStore,
  UserSummary,
} from './users.js';
export type {
  ClaimedDelivery,
  DeliveryKind,
  DeliveryOutcome,
  DeliveryRecord,
  DeliveryState,
  ExpiryWarning,
  FeedEntry,
  NewDelivery,
  NotifyStore,
  WebhookRecord,
} from './webhooks.js';

/**
 * Everything signet keeps: the union of the aggregates (users, keys, ledger, exchange, funding,
 * cluster, algo, apps, webhooks, sub-accounts, gateway tokens), each its own narrow interface so that a service asks only for what it uses. One
 * adapter per database (sqlite/, postgres/), all checked by the same contract suite
 * (contract/). Times are Unix ms passed in by the caller.
 *
 * @example
 *   const store = openSqliteStore({ dir: './data' });
 *   const user = await store.createUser({ uid: '42', email: 'a@b.c', passwordHash: null, createdAt: Date.now() });
 */
export interface Store
  extends UserStore,
    KeyStore,
    LedgerStore,
    ExchangeStore,
    FundingStore,
    ClusterStore,
    TimerStore,
    AlgoStore,
    AppStore,
    NotifyStore,
    SubAccountStore,
    SubTransferStore,
    GatewayTokenStore {}
