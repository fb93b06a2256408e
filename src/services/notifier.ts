import type { ExpiryPolicy } from '../core/expiry.js';
import { eventOfAudit, MAIL_EVENTS, payloadOf, type WebhookPayload } from '../core/webhook-events.js';
import { mailOf } from '../core/webhook-mail.js';
import { nextAttemptAt } from '../core/webhook-retry.js';
import { SIGNATURE_HEADER, signWebhook } from '../core/webhook-signature.js';
import type { SecretBox } from '../security/secret-box.js';
import type {
  ClaimedDelivery,
  DeliveryOutcome,
  ExpiryWarning,
  FeedEntry,
  NewDelivery,
  NotifyStore,
  WebhookRecord,
} from '../store/store.js';
import type { Mailer } from './mailer.js';

/** Audit entries read per dispatch round. */
const FEED_BATCH = 200;
/** Deliveries claimed per send round, and how long a claim keeps them from other instances, ms. */
const SEND_BATCH = 20;
const CLAIM_LEASE_MS = 60_000;
/** A webhook must answer within this, ms. */
const POST_TIMEOUT_MS = 10_000;

/** What sealed a webhook's signing secret (SecretBox context). */
export const webhookSecretContext = (id: string): string => `webhook:${id}`;

export interface NotifierOptions {
  /** The mailer, or null when SMTP is not configured (no email deliveries). */
  mailer: Mailer | null;
  /** First retry delay, ms (SIGNET_NOTIFY_RETRY_MS). */
  retryFirstMs: number;
  expiry: ExpiryPolicy;
}

/**
 * Turns the audit log into webhook and email deliveries and sends them. Cluster-safe: the
 * dispatcher's inserts are idempotent and its cursor only moves forward; the sender claims
 * deliveries with a lease, so two instances never send the same one at once.
 *
 * @example
 *   await notifier.warn(now);     // the sweeper: expiry warnings before deleting
 *   await notifier.dispatch(now); // audit entries -> stored deliveries
 *   await notifier.send(now);     // due deliveries -> POST / SMTP, outcomes stored
 */
export class Notifier {
  constructor(
    private readonly store: NotifyStore,
    private readonly box: SecretBox,
    private readonly opts: NotifierOptions,
  ) {}

  /** Whether warnings are mailed (SMTP configured). */
  get emailEnabled(): boolean {
    return this.opts.mailer !== null;
  }

  /** Writes the expiry warnings due at `now` (audit entries the dispatcher turns into events). */
  warn(now: number): Promise<ExpiryWarning[]> {
    return this.store.warnExpiringKeys(this.opts.expiry, now);
  }

  /** The warnings `warn(now)` would write. */
  pendingWarnings(now: number): Promise<ExpiryWarning[]> {
    return this.store.listExpiryWarnings(this.opts.expiry, now);
  }

  /** Stores deliveries for the audit entries after the cursor; how many entries were read. */
  async dispatch(now: number): Promise<number> {
    let read = 0;
    for (;;) {
      const { entries, cursor } = await this.store.notificationFeed(FEED_BATCH);
      if (entries.length === 0) return read;
      read += entries.length;
      const hooks = await this.store.webhooksOf(entries.map((e) => e.userId));
      await this.store.addDeliveries(
        entries.flatMap((e) => this.deliveriesOf(e, hooks, now)),
        cursor,
      );
      if (entries.length < FEED_BATCH) return read;
      // Requests are served between batches (a sweep audits many keys at once; SQLite answers synchronously).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private deliveriesOf(entry: FeedEntry, hooks: readonly WebhookRecord[], now: number): NewDelivery[] {
    const event = eventOfAudit(entry.action, entry.apiKey);
    if (event === null) return [];
    const body = JSON.stringify(payloadOf(entry, event, { label: entry.label, uid: entry.uid }));
    const common = { userId: entry.userId, auditId: entry.id, event, body, createdAt: now };
    const out: NewDelivery[] = hooks
      .filter((h) => h.userId === entry.userId && h.createdAt <= entry.at && h.events.includes(event))
      .map((h) => ({ ...common, kind: 'webhook', webhookId: h.id, target: h.url }));
    if (this.opts.mailer !== null && MAIL_EVENTS.includes(event)) {
      out.push({ ...common, kind: 'email', webhookId: '', target: entry.email });
    }
    return out;
  }

  /** Delivery attempts since start by outcome (webhooks and email; read by /metrics): `retrying` failed and will be tried again. */
  readonly outcomes = { delivered: 0, retrying: 0, failed: 0 };

  /** Sends the deliveries due at `now` (in order), storing each outcome; how many were attempted. */
  async send(now: number): Promise<number> {
    const claimed = await this.store.claimDeliveries(now, CLAIM_LEASE_MS, SEND_BATCH);
    for (const d of claimed) {
      const result = await this.attempt(d, now);
      const outcome = this.outcome(d, result, now);
      await this.store.finishDelivery(d.id, outcome);
      this.outcomes[outcome.state === 'pending' ? 'retrying' : outcome.state]++;
    }
    return claimed.length;
  }

  private outcome(d: ClaimedDelivery, r: { status: number | null; error: string }, now: number): DeliveryOutcome {
    const attempts = d.attempts + 1;
    const firstAttemptAt = d.firstAttemptAt ?? now;
    const base = { attempts, firstAttemptAt, lastStatus: r.status, lastError: r.error };
    if (r.error === '') return { ...base, state: 'delivered', nextAttemptAt: now, deliveredAt: now };
    const next = nextAttemptAt(firstAttemptAt, attempts, now, this.opts.retryFirstMs);
    return next === null
      ? { ...base, state: 'failed', nextAttemptAt: now, deliveredAt: null }
      : { ...base, state: 'pending', nextAttemptAt: next, deliveredAt: null };
  }

  /** One try: '' error when delivered. Never throws. */
  private async attempt(d: ClaimedDelivery, now: number): Promise<{ status: number | null; error: string }> {
    try {
      if (d.kind === 'email') {
        if (this.opts.mailer === null) return { status: null, error: 'email is not configured (SIGNET_SMTP_URL)' };
        await this.opts.mailer.send(d.target, mailOf(JSON.parse(d.body) as WebhookPayload));
        return { status: null, error: '' };
      }
      if (d.secretSealed === null) return { status: null, error: 'the webhook was deleted' };
      const secret = this.box.open(d.secretSealed, webhookSecretContext(d.webhookId));
      const res = await fetch(d.target, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(POST_TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'signet-webhooks',
          [SIGNATURE_HEADER]: signWebhook(secret, d.body, Math.floor(now / 1000)),
          'Signet-Event': d.event,
          'Signet-Delivery': String(d.id),
        },
        body: d.body,
      });
      await res.body?.cancel();
      return res.ok ? { status: res.status, error: '' } : { status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      return { status: null, error: describe(err) };
    }
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return `no answer within ${POST_TIMEOUT_MS / 1000} s`;
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`.slice(0, 300);
}
