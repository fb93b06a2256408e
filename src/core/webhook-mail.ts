import type { WebhookPayload } from './webhook-events.js';

/** A plain-text mail. */
export interface MailText {
  subject: string;
  text: string;
}

const when = (iso: unknown): string =>
  typeof iso === 'string' && iso !== '' ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'soon';

/**
 * The mail of a warning event, naming the key (label and API key) and, for an expiry warning,
 * the moment it will be deleted.
 *
 * @example mailOf(payload).subject // 'signet: API key "bot" will be deleted on 2026-01-31 00:00 UTC'
 */
export function mailOf(p: WebhookPayload): MailText {
  const { label, apiKey, detail } = p.data;
  const name = `"${label}" (${apiKey})`;
  const footer = '\n\nYou receive this mail because your signet account has API keys. Manage them in the console.';
  switch (p.type) {
    case 'key.expiring':
      return {
        subject: `signet: API key "${label}" will be deleted on ${when(detail['expiresAt'])}`,
        text:
          `Your API key ${name} has not been used for a while and is bound to no IP address.\n` +
          `Unless it is used before ${when(detail['expiresAt'])}, it will be deleted automatically.\n` +
          `Use it once, or bind it to your IP addresses, to keep it.${footer}`,
      };
    case 'key.expired':
      return {
        subject: `signet: API key "${label}" was deleted after being unused`,
        text: `Your API key ${name} was deleted automatically at ${when(p.createdAt)} because it was unused and bound to no IP address.${footer}`,
      };
    case 'key.disabled':
      return {
        subject: `signet: API key "${label}" was disabled`,
        text: `Your API key ${name} was disabled at ${when(p.createdAt)}; requests made with it are refused until it is enabled again.${footer}`,
      };
    case 'key.ip_rejected':
      return {
        subject: `signet: a request with API key "${label}" came from an address not on its list`,
        text: `A request with your API key ${name} was refused at ${when(p.createdAt)}: it came from ${String(detail['ip'])}, which is not among the key's IP addresses.${footer}`,
      };
    default:
      return {
        subject: `signet: ${p.type} for API key "${label}"`,
        text: `Event ${p.type} for your API key ${name}.${footer}`,
      };
  }
}
