import { type ExpiryPolicy, expiresAt, warningStageDue } from '../../core/expiry.js';
import { isWebhookEvent } from '../../core/webhook-events.js';
import type { Actor, AuditAction, KeyRecord } from '../keys.js';
import type {
  DeliveryKind,
  DeliveryRecord,
  DeliveryState,
  ExpiryWarning,
  FeedEntry,
  WebhookRecord,
} from '../webhooks.js';
import { readList, writeList } from './flags.js';

/** Rows and codecs of webhooks, deliveries and the notification feed. */

export type WebhookRow = {
  id: string;
  user_id: number;
  url: string;
  events: string;
  secret_sealed: Buffer;
  created_at: number;
};

export function toWebhook(r: WebhookRow): WebhookRecord {
  return {
    id: r.id,
    userId: r.user_id,
    url: r.url,
    events: readList(r.events).filter(isWebhookEvent),
    secretSealed: r.secret_sealed,
    createdAt: r.created_at,
  };
}

export function webhookRow(h: WebhookRecord): WebhookRow {
  return {
    id: h.id,
    user_id: h.userId,
    url: h.url,
    events: writeList(h.events),
    secret_sealed: h.secretSealed,
    created_at: h.createdAt,
  };
}

export type DeliveryRow = {
  id: number;
  kind: DeliveryKind;
  webhook_id: string;
  user_id: number;
  audit_id: number | null;
  event: string;
  body: string;
  target: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number;
  locked_until: number;
  first_attempt_at: number | null;
  delivered_at: number | null;
  last_status: number | null;
  last_error: string;
  created_at: number;
};

export function toDelivery(r: DeliveryRow): DeliveryRecord {
  return {
    id: r.id,
    kind: r.kind,
    webhookId: r.webhook_id,
    userId: r.user_id,
    auditId: r.audit_id,
    event: r.event,
    body: r.body,
    target: r.target,
    createdAt: r.created_at,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    firstAttemptAt: r.first_attempt_at,
    deliveredAt: r.delivered_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
  };
}

export type FeedRow = {
  id: number;
  at: number;
  actor: Actor;
  user_id: number;
  api_key: string;
  action: AuditAction;
  detail: string;
  uid: string;
  email: string;
  key_label: string | null;
};

export function toFeedEntry(r: FeedRow): FeedEntry {
  const detail = JSON.parse(r.detail) as Record<string, unknown>;
  // The label as of the entry (a later rename must not rewrite an earlier event), else the key's now.
  const fromDetail = detail['label'];
  const renamedTo =
    typeof fromDetail === 'object' && fromDetail !== null && 'to' in fromDetail ? fromDetail.to : undefined;
  const label =
    typeof fromDetail === 'string' ? fromDetail : typeof renamedTo === 'string' ? renamedTo : (r.key_label ?? '');
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    userId: r.user_id,
    apiKey: r.api_key,
    action: r.action,
    detail,
    uid: r.uid,
    email: r.email,
    label,
  };
}

/** The feed's new cursor: the last entry's id, or the old cursor when there is none. */
export function feedCursor(rows: readonly { id: number }[], cursor: number): number {
  return rows[rows.length - 1]?.id ?? cursor;
}

/** The expiry warnings due at `now` among the expiry candidates (written or not: the store decides). */
export function dueWarnings(keys: readonly KeyRecord[], policy: ExpiryPolicy, now: number): ExpiryWarning[] {
  const due: ExpiryWarning[] = [];
  for (const k of keys) {
    const at = expiresAt(k, policy);
    const stage = warningStageDue(at, now);
    if (stage === null || at === null) continue;
    due.push({ apiKey: k.apiKey, userId: k.userId, label: k.label, stage, expiresAt: at });
  }
  return due;
}

/** The detail of an 'expiring' audit entry. */
export function warningDetail(w: ExpiryWarning): Record<string, unknown> {
  return { label: w.label, stage: w.stage, expiresAt: new Date(w.expiresAt).toISOString() };
}

/** Expiry warnings whose key's expiry moment lies this long in the past are forgotten, ms (8 days). */
export const WARNING_KEEP_MS = 8 * 86_400_000;

/** The columns a feed query selects (the audit entry, its account, its key's label now). */
export const FEED_COLUMNS = `a.id, a.at, a.actor, a.user_id, a.api_key, a.action, a.detail, u.uid, u.email,
  k.label AS key_label`;
