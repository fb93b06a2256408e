import type { ExpiryPolicy, ExpiryWarningStage } from '../core/expiry.js';
import type { WebhookEvent } from '../core/webhook-events.js';
import type { AuditRecord } from './keys.js';

/** A URL an account's key events are POSTed to, signed with its own secret. */
export interface WebhookRecord {
  /** `wh_` + random hex. */
  id: string;
  userId: number;
  url: string;
  /** The events it receives (all of them unless chosen). */
  events: WebhookEvent[];
  /** The signing secret sealed by SecretBox (shown once at creation, never stored plain). */
  secretSealed: Buffer;
  /** Unix ms; entries older than this are never delivered to it. */
  createdAt: number;
}

export type DeliveryKind = 'webhook' | 'email';
export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** A delivery to be made: one audit entry (or a test event) to one webhook or mailbox. */
export interface NewDelivery {
  kind: DeliveryKind;
  /** The webhook's id; '' for an email. */
  webhookId: string;
  userId: number;
  /** The audit entry it carries; null for a test event. */
  auditId: number | null;
  event: string;
  /** The JSON payload, exactly as sent (signed as these bytes). */
  body: string;
  /** The URL or email address it goes to. */
  target: string;
  /** Unix ms. */
  createdAt: number;
}

/** A stored delivery with its outcome so far. */
export interface DeliveryRecord extends NewDelivery {
  id: number;
  state: DeliveryState;
  attempts: number;
  /** Unix ms of the next try while pending. */
  nextAttemptAt: number;
  firstAttemptAt: number | null;
  deliveredAt: number | null;
  /** The last HTTP status (webhooks), or null. */
  lastStatus: number | null;
  /** The last failure in words (no secrets), or ''. */
  lastError: string;
}

/** A claimed delivery with what sending it needs: the webhook's sealed secret (null for email). */
export interface ClaimedDelivery extends DeliveryRecord {
  secretSealed: Buffer | null;
}

/** The outcome of one attempt. */
export interface DeliveryOutcome {
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number;
  firstAttemptAt: number;
  deliveredAt: number | null;
  lastStatus: number | null;
  lastError: string;
}

/** An audit entry of the notification feed, with what its payload and recipients need. */
export interface FeedEntry extends AuditRecord {
  /** The account's uid and email. */
  uid: string;
  email: string;
  /** The key's label as of the entry (from its detail), else its label now ('' if neither). */
  label: string;
}

/** An expiry warning the sweeper wrote (or would write, in a dry run). */
export interface ExpiryWarning {
  apiKey: string;
  userId: number;
  label: string;
  stage: ExpiryWarningStage;
  /** Unix ms. */
  expiresAt: number;
}

/**
 * Webhooks, their deliveries (and email deliveries) with a stored cursor over the audit log, and
 * the sweeper's expiry warnings.
 *
 * @example
 *   const { entries, cursor } = await store.notificationFeed(100);
 *   await store.addDeliveries(plan(entries), cursor);
 */
export interface NotifyStore {
  createWebhook(hook: WebhookRecord): Promise<void>;
  listWebhooks(userId: number): Promise<WebhookRecord[]>;
  /** The webhooks of these accounts (the dispatcher's recipients). */
  webhooksOf(userIds: readonly number[]): Promise<WebhookRecord[]>;
  /** Deletes the account's webhook and its deliveries; false if it had no such webhook. */
  deleteWebhook(userId: number, id: string): Promise<boolean>;
  /** Deletes a webhook by id whoever owns it (the operator's CLI); its owner, or null. */
  deleteWebhookById(id: string): Promise<number | null>;

  /** Audit entries after the stored cursor (oldest first, at most `limit`) and the cursor after them. */
  notificationFeed(limit: number): Promise<{ entries: FeedEntry[]; cursor: number }>;
  /**
   * Stores deliveries (a (webhook, audit entry) pair already stored is skipped: two instances may
   * dispatch the same entries) and, in the same transaction, moves the cursor forward to `cursor`
   * (never back). Pass cursor null for deliveries outside the feed (test events).
   */
  addDeliveries(deliveries: readonly NewDelivery[], cursor: number | null): Promise<void>;
  /**
   * Claims up to `limit` pending deliveries due at `now` for `leaseMs`: no other claim returns
   * them until the lease ends or `finishDelivery` records their outcome.
   */
  claimDeliveries(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  finishDelivery(id: number, outcome: DeliveryOutcome): Promise<void>;
  /** The account's deliveries, newest first. */
  listDeliveries(userId: number, limit: number): Promise<DeliveryRecord[]>;

  /**
   * Writes an 'expiring' audit entry (actor 'sweeper', detail {label, stage, expiresAt}) for each
   * key whose warning stage is due at `now` and not yet written for its current expiry moment.
   */
  warnExpiringKeys(policy: ExpiryPolicy, now: number): Promise<ExpiryWarning[]>;
  /** The warnings `warnExpiringKeys` would write at `now`, writing nothing (`sweep --dry-run`). */
  listExpiryWarnings(policy: ExpiryPolicy, now: number): Promise<ExpiryWarning[]>;
}
