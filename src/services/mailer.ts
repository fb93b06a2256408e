import nodemailer from 'nodemailer';
import type { MailText } from '../core/webhook-mail.js';

/** Sends one mail; throws when the SMTP server refuses it or cannot be reached. */
export interface Mailer {
  send(to: string, mail: MailText): Promise<void>;
  close(): void;
}

/**
 * A mailer over SMTP through nodemailer (SIGNET_SMTP_URL, e.g. smtp://user:pass@host:587;
 * smtps:// for TLS from the start).
 *
 * @example const mailer = smtpMailer('smtp://127.0.0.1:2525', 'signet <signet@example.com>');
 */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(to, mail) {
      await transport.sendMail({ from, to, subject: mail.subject, text: mail.text });
    },
    close() {
      transport.close();
    },
  };
}
