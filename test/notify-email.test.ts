import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { DAY_MS } from '../src/core/expiry.js';
import { PASSPHRASE, testApp } from './helpers.js';

/** A real SMTP server on 127.0.0.1 (smtp-server): every accepted mail, raw. */
const mails: Array<{ to: string[]; raw: string }> = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, callback) {
    let raw = '';
    stream.on('data', (d: Buffer) => {
      raw += d.toString();
    });
    stream.on('end', () => {
      mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
      callback();
    });
  },
});
let port = 0;

before(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

const hex = (text: string) =>
  text.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
/** The mail readable: RFC 2047 encoded words (the subject) and quoted-printable (the body) decoded. */
const plain = (raw: string) =>
  hex(
    raw
      .replace(/\?=\r?\n?\s*=\?UTF-8\?Q\?/g, '')
      .replace(/=\?UTF-8\?Q\?(.*?)\?=/g, (_, q: string) => hex(q.replace(/_/g, ' ')))
      .replace(/=\r?\n/g, ''),
  );

test('email: the expiry warning is mailed through SMTP to the account, naming the key and the date', async () => {
  const t0 = Date.UTC(2026, 2, 1, 12);
  let clock = t0;
  const { rt, close } = await testApp(
    {
      SIGNET_SMTP_URL: `smtp://127.0.0.1:${port}`,
      SIGNET_MAIL_FROM: 'signet <alerts@example.com>',
      SIGNET_MARKET_MAKER: '0',
    },
    () => clock,
  );
  try {
    assert.equal(rt.notifier.emailEnabled, true);
    const user = await rt.users.create('mailme@example.com', 'Correct-horse-1', t0);
    const key = await rt.keys.create(
      user.id,
      { label: 'nightly-bot', passphrase: PASSPHRASE, perm: 'read', ip: '', env: 'live' },
      'user',
      t0,
    );
    clock = t0 + 25 * DAY_MS;
    assert.equal((await rt.notifier.warn(clock)).length, 1);
    await rt.notifier.dispatch(clock);
    assert.equal(await rt.notifier.send(clock), 1);
    const [mail] = mails;
    assert.ok(mail, 'one mail received');
    assert.deepEqual(mail.to, ['mailme@example.com']);
    const text = plain(mail.raw);
    assert.match(text, /Subject: signet: API key "nightly-bot" will be deleted on 2026-03-31 12:00 UTC/);
    assert.match(text, new RegExp(key.apiKey));
    assert.match(text, /From: signet <alerts@example.com>/);
    const [delivery] = await rt.webhooks.deliveries(user.id);
    assert.equal(delivery?.kind, 'email');
    assert.equal(delivery?.state, 'delivered');
    // Routine changes (a created key) are not mailed: only warnings.
    assert.equal(mails.length, 1);
  } finally {
    await close();
  }
});
