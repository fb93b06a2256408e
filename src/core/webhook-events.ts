/** The events a webhook may subscribe to (and, for the warnings, the mails an account gets). */
export const WEBHOOK_EVENTS = [
  'key.created',
  'key.modified',
  'key.disabled',
  'key.deleted',
  'key.expiring',
  'key.expired',
  'key.ip_rejected',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The events mailed to the account's address when SMTP is configured: warnings, not routine changes. */
export const MAIL_EVENTS: readonly WebhookEvent[] = ['key.expiring', 'key.expired', 'key.disabled', 'key.ip_rejected'];

const EVENT_OF_ACTION: Readonly<Record<string, WebhookEvent>> = {
  create: 'key.created',
  modify: 'key.modified',
  enable: 'key.modified',
  roll: 'key.modified',
  disable: 'key.disabled',
  delete: 'key.deleted',
  expire: 'key.expired',
  expiring: 'key.expiring',
  ip_rejected: 'key.ip_rejected',
};

/** The event an audit entry is, or null ('new_ip' and account entries, apiKey '', are none). */
export function eventOfAudit(action: string, apiKey: string): WebhookEvent | null {
  if (apiKey === '') return null;
  return EVENT_OF_ACTION[action] ?? null;
}

export function isWebhookEvent(name: string): name is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(name);
}

/**
 * Parses a comma-separated event list (`--events key.expiring,key.expired`); empty means all.
 * Returns the unknown names instead when there are any.
 */
export function parseEvents(text: string): { ok: true; events: WebhookEvent[] } | { ok: false; unknown: string[] } {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !isWebhookEvent(n));
  if (unknown.length > 0) return { ok: false, unknown };
  const events = names.filter(isWebhookEvent);
  return { ok: true, events: events.length === 0 ? [...WEBHOOK_EVENTS] : [...new Set(events)] };
}

/** What a delivery carries (never a secret): the JSON body POSTed to a webhook, also the mail's facts. */
export interface WebhookPayload {
  /** `evt_<audit id>` (or `evt_test_<n>` for a test event): receivers deduplicate on it. */
  id: string;
  type: WebhookEvent | 'webhook.test';
  /** ISO-8601. */
  createdAt: string;
  data: { apiKey: string; label: string; uid: string; detail: Record<string, unknown> };
}

/** The payload of an audit entry that is an event. */
export function payloadOf(
  entry: { id: number; at: number; apiKey: string; detail: Record<string, unknown> },
  type: WebhookEvent,
  key: { label: string; uid: string },
): WebhookPayload {
  return {
    id: `evt_${entry.id}`,
    type,
    createdAt: new Date(entry.at).toISOString(),
    data: { apiKey: entry.apiKey, label: key.label, uid: key.uid, detail: entry.detail },
  };
}

/** A webhook URL must be absolute http(s) without credentials; the reason when it is not. */
export function webhookUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not an absolute URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'the URL must start with http:// or https://';
  if (parsed.username !== '' || parsed.password !== '') return 'the URL must not contain a user name or password';
  if (url.length > 2000) return 'the URL is longer than 2000 characters';
  return null;
}

const DAY = 86_400_000;

/**
 * Whether rejections (50110) from an address seen last at `previousLastAt` (null: never, or
 * forgotten) and again at `at` start a new UTC day for it: the first of a day is an event.
 */
export function isFirstRejectionOfDay(previousLastAt: number | null, at: number): boolean {
  return previousLastAt === null || Math.floor(previousLastAt / DAY) < Math.floor(at / DAY);
}

/** The code of a request refused because its client IP is not on the key's list. */
export const IP_REJECTED_CODE = '50110';
