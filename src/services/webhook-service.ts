import { randomBytes } from 'node:crypto';
import { RuleError } from '../core/errors.js';
import { parseEvents, type WebhookEvent, type WebhookPayload, webhookUrlProblem } from '../core/webhook-events.js';
import type { SecretBox } from '../security/secret-box.js';
import type { DeliveryRecord, NotifyStore, WebhookRecord } from '../store/store.js';
import { webhookSecretContext } from './notifier.js';

/** At most this many webhooks per account. */
const MAX_WEBHOOKS = 10;

/** A webhook as its owner sees it (never its secret). */
export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEvent[];
  createdAt: number;
}

/** A new webhook with its signing secret: shown once, stored only sealed. */
export interface CreatedWebhook extends WebhookView {
  secret: string;
}

/** A delivery as its owner sees it (the body is the payload; no secret is ever in it). */
export type DeliveryView = Omit<DeliveryRecord, 'body'>;

/**
 * An account's webhooks and deliveries: add (the secret shown once), list, delete, send a test
 * event, list recent deliveries with their outcome.
 *
 * @example const { id, secret } = await webhooks.add(user.id, 'https://example.com/hook', '', Date.now());
 */
export class WebhookService {
  constructor(
    private readonly store: NotifyStore,
    private readonly box: SecretBox,
  ) {}

  /** `events`: comma-separated names, '' for all. Refuses a bad URL or an unknown event with a RuleError. */
  async add(userId: number, url: string, events: string, now: number): Promise<CreatedWebhook> {
    const problem = webhookUrlProblem(url);
    if (problem !== null) throw new RuleError('51000', `url: ${problem}`, 'url');
    const parsed = parseEvents(events);
    if (!parsed.ok) {
      throw new RuleError('51000', `events: unknown event ${parsed.unknown.map((u) => `"${u}"`).join(', ')}`, 'events');
    }
    if ((await this.store.listWebhooks(userId)).length >= MAX_WEBHOOKS) {
      throw new RuleError('51000', `url: an account can have at most ${MAX_WEBHOOKS} webhooks`, 'url');
    }
    const id = `wh_${randomBytes(12).toString('hex')}`;
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const hook: WebhookRecord = {
      id,
      userId,
      url,
      events: parsed.events,
      secretSealed: this.box.seal(secret, webhookSecretContext(id)),
      createdAt: now,
    };
    await this.store.createWebhook(hook);
    return { ...view(hook), secret };
  }

  async list(userId: number): Promise<WebhookView[]> {
    return (await this.store.listWebhooks(userId)).map(view);
  }

  /** Deletes the account's webhook (and its pending deliveries); a RuleError if there is none. */
  async remove(userId: number, id: string): Promise<void> {
    if (!(await this.store.deleteWebhook(userId, id))) throw missing(id);
  }

  /** Deletes a webhook by id whoever owns it (the operator's CLI); a RuleError if there is none. */
  async removeAny(id: string): Promise<void> {
    if ((await this.store.deleteWebhookById(id)) === null) throw missing(id);
  }

  /** Queues a 'webhook.test' delivery to the account's webhook (sent like any other). */
  async sendTest(userId: number, id: string, uid: string, now: number): Promise<void> {
    const hook = (await this.store.listWebhooks(userId)).find((h) => h.id === id);
    if (hook === undefined) throw missing(id);
    const payload: WebhookPayload = {
      id: `evt_test_${randomBytes(6).toString('hex')}`,
      type: 'webhook.test',
      createdAt: new Date(now).toISOString(),
      data: { apiKey: '', label: '', uid, detail: { message: 'a test event sent from the console' } },
    };
    await this.store.addDeliveries(
      [
        {
          kind: 'webhook',
          webhookId: hook.id,
          userId,
          auditId: null,
          event: 'webhook.test',
          body: JSON.stringify(payload),
          target: hook.url,
          createdAt: now,
        },
      ],
      null,
    );
  }

  /** The account's recent deliveries (webhooks and email), newest first. */
  async deliveries(userId: number, limit = 50): Promise<DeliveryView[]> {
    return (await this.store.listDeliveries(userId, limit)).map(({ body: _body, ...rest }) => rest);
  }
}

function view(h: WebhookRecord): WebhookView {
  return { id: h.id, url: h.url, events: h.events, createdAt: h.createdAt };
}

function missing(id: string): RuleError {
  return new RuleError('51000', `id: no webhook ${id} in this account`, 'id');
}
