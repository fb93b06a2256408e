import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, browserSkip, launchChromium } from './browser.js';
import { cliJson, cliOk, PASSPHRASE, type RunningServer, startServer, tempDir } from './helpers.js';
import { WebhookReceiver } from './webhook-receiver.js';

// The Notifications page in Chromium: add a webhook, its secret shown once, a test event and a key
// event received (signature verified), deliveries listed. Screenshots: test-artifacts/console/notifications-*.png.
const EMAIL = 'notify@example.com';
const PASSWORD = 'a long enough password';

describe('console Notifications in a real browser', { skip: browserSkip() }, () => {
  let server: RunningServer | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  const receiver = new WebhookReceiver();
  const data = tempDir();

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await receiver.start();
    await cliOk(['user', 'create', '--email', EMAIL, '--password', PASSWORD], data);
    server = await startServer(data, { SIGNET_NOTIFY_MS: '50', SIGNET_MARKET_MAKER: '0' });
    browser = await launchChromium({ viewport: { width: 1366, height: 900 } });
    page = browser.pages()[0] ?? (await browser.newPage());
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
      await receiver.stop();
    }
  });

  test('add a webhook, see its secret once, send a test event, see deliveries', async () => {
    await page.goto(`${server?.url}/account/notifications`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    assert.match((await page.getByTestId('email-state').textContent()) ?? '', /Email warnings are off/);

    await page.getByLabel('Webhook URL').fill('ftp://nope');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page
      .getByText(/http:\/\/ or https:\/\//)
      .first()
      .waitFor();

    await page.getByLabel('Webhook URL').fill(receiver.url);
    await page.getByRole('checkbox', { name: /key\.modified/ }).uncheck();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const shown = page.getByTestId('webhook-secret');
    await shown.waitFor();
    const secret = ((await shown.locator('code.secret').textContent()) ?? '').trim();
    assert.match(secret, /^whsec_/);
    receiver.secret = secret;
    assert.match(
      (await page.getByTestId('webhooks').textContent()) ?? '',
      new RegExp(receiver.url.replace(/[/.]/g, '\\$&')),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'notifications-secret.png'), fullPage: true });

    await page.getByRole('button', { name: 'Send test event' }).click();
    const testEvent = await receiver.until((all) => all.find((r) => r.body.type === 'webhook.test'));
    assert.equal(testEvent.verified, true);
    const key = await cliJson<{ apiKey: string }>(
      ['keys', 'create', '--user', EMAIL, '--name', 'page-bot', '--passphrase', PASSPHRASE],
      data,
    );
    await receiver.until(() => receiver.delivered(key.apiKey).includes('key.created'));

    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('cell', { name: 'key.created' }).waitFor();
    const table = (await page.getByTestId('deliveries').textContent()) ?? '';
    assert.match(table, /webhook\.test/);
    assert.match(table, /delivered/);
    assert.match(table, /HTTP 200/);
    await page.screenshot({ path: join(ARTIFACTS, 'notifications-deliveries.png'), fullPage: true });

    // Shown once: gone after a reload.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    await page.getByTestId('webhooks').waitFor();
    assert.equal(await page.getByTestId('webhook-secret').count(), 0);
    assert.ok(!(await page.content()).includes(secret));
  });
});
