import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ccxt from 'ccxt';
import { Secret, TOTP } from 'otpauth';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, browserSkip, launchChromium } from './browser.js';
import { type RunningServer, sleep, startServer, tempDir } from './helpers.js';

const PASSPHRASE = 'Bot-pass1!';

/**
 * Codes as an authenticator app shows them, each used once. The server accepts the step either
 * side of its clock (a phone up to 30 s off), so after the current step's code the next step's is
 * used at once, as from a phone running ahead, instead of waiting 30 s; only the one after waits.
 */
class Authenticator {
  private lastStep = -1;
  constructor(private readonly secret: string) {}
  async code(): Promise<string> {
    // Never a step behind the clock: such a code could expire between here and the server.
    const step = Math.max(this.lastStep + 1, Math.floor(Date.now() / 30_000));
    if (step > Math.floor(Date.now() / 30_000) + 1) await sleep((step - 1) * 30_000 - Date.now() + 50);
    this.lastStep = step;
    return new TOTP({ secret: Secret.fromBase32(this.secret), period: 30, digits: 6, algorithm: 'SHA1' }).generate({
      timestamp: step * 30_000,
    });
  }
}

/** Retries `check` until it passes: the server's key cache picks changes up within SIGNET_KEY_SYNC_MS. */
async function eventually(check: () => Promise<void>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(100);
    }
  }
}

/** Why the browser test cannot run here, or undefined when Chromium is an executable file. */

describe('console in a real browser (Chromium via playwright-core)', { skip: browserSkip() }, () => {
  let server: RunningServer | undefined;
  let browser: BrowserContext | undefined;
  let url: string;
  let page: Page;
  let shot = 0;
  const snap = async (name: string) => {
    shot++;
    await page.screenshot({ path: join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  };

  before(async () => {
    // Only this test's own screenshots (numbered): the other console tests keep theirs (keys-*, shell-*, …).
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const f of readdirSync(ARTIFACTS)) if (/^\d{2}-.*\.png$/.test(f)) rmSync(join(ARTIFACTS, f), { force: true });
    server = await startServer(tempDir(), { SIGNET_USAGE_FLUSH_MS: '100', SIGNET_KEY_SYNC_MS: '100' });
    url = server.url;
    // A fresh profile each run (playwright passes it as --user-data-dir).
    const context = await launchChromium({
      viewport: { width: 1280, height: 900 },
    });
    browser = context;
    page = context.pages()[0] ?? (await context.newPage());
  });
  // Whatever `before` got to: a server left running would keep this file's process alive.
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });

  test('sign up, 2FA, create a key, use it from ccxt, bind IPs, delete it', async () => {
    await page.goto(`${url}/signup`);
    await page.getByLabel('Email').fill('person@example.com');
    await page.getByLabel('Password').fill('a long enough password');
    await snap('signup');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL('**/account/security');

    await page.getByRole('button', { name: 'Set up authenticator' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const authenticator = new Authenticator(secret);
    await snap('totp-setup');
    await page.getByLabel('Authenticator code').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    await snap('totp-enabled');

    await page.getByRole('link', { name: 'API keys' }).first().click();
    await page.waitForURL('**/account/my-api');
    assert.equal(await page.getByTestId('key-counter').textContent(), '0 / 50');
    await page.getByRole('button', { name: 'Create V5 API key' }).click();
    assert.equal(await page.getByLabel('Read').isChecked(), true);
    assert.equal(await page.getByLabel('Read').isDisabled(), true);
    await page.getByLabel('API name').fill('my bot');
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
    // 21 addresses: counted live and refused before anything is sent.
    await page.getByLabel('IP addresses').fill(Array.from({ length: 21 }, (_, i) => `198.51.100.${i + 1}`).join(', '));
    assert.equal(await page.getByTestId('ip-count').textContent(), '21/20');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Each API key can bind up to 20 IP addresses; this list has 21.').waitFor();
    await snap('create-form-21-ips');
    await page.getByLabel('IP addresses').fill('');
    await page.getByLabel('Trade').check();
    await snap('create-form');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Authenticator code').fill(await authenticator.code());
    await snap('authorize');
    await page.getByRole('button', { name: 'Confirm' }).click();
    const apiKey = (await page.getByTestId('api-key').textContent()) ?? '';
    const secretKey = (await page.getByTestId('secret-key').textContent()) ?? '';
    assert.match(apiKey, /^[0-9a-f-]{36}$/);
    assert.match(secretKey, /^[0-9A-F]{32}$/);
    await page.getByText('It will not be shown again').waitFor();
    await snap('created');

    const ex = new ccxt.okx({
      apiKey,
      secret: secretKey,
      password: PASSPHRASE,
      urls: { api: { rest: url }, test: { rest: url } },
    });
    const balance = await ex.fetchBalance();
    assert.ok(balance.info !== undefined);

    await page.getByLabel('I have saved the secret key').check();
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByTestId('key-row');
    await row.getByText('Not bound').waitFor();
    await row.getByText(/Deleted automatically in 30 days if unused/).waitFor();
    assert.equal(await page.getByTestId('key-counter').textContent(), '1 / 50');
    await snap('key-list');

    await row.getByRole('button', { name: 'Edit my bot' }).click();
    await row.getByLabel('IP addresses').fill('203.0.113.5');
    await row.getByLabel('Authenticator code').fill(await authenticator.code());
    await snap('edit');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByText('203.0.113.5').waitFor();
    await snap('edited');
    await eventually(() => assert.rejects(ex.fetchBalance(), ccxt.PermissionDenied));
    await sleep(400); // the rejection counts are written in batches
    await row.getByRole('button', { name: 'Activity of my bot' }).click();
    const activity = page.getByTestId('activity');
    await activity.getByText('Changed IP addresses from “none” to “203.0.113.5”').waitFor();
    await activity.getByText(/50110/).waitFor();
    assert.match((await activity.textContent()) ?? '', /50110 from 127\.0\.0\.1: IP not in the whitelist/);
    await activity.getByText('First use from a new IP address: 127.0.0.1').waitFor();
    await snap('activity');

    await page.getByLabel('Currency').selectOption('USDT');
    // A refusal reads as a sentence for people, not the wire string ('amt: "abc" is not a plain decimal amount').
    await page.getByLabel('Amount').fill('abc');
    await page.getByRole('button', { name: 'Deposit demo funds' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'is not an amount' });
    await refusal.waitFor();
    assert.doesNotMatch((await refusal.textContent()) ?? '', /amt:/);
    await page.getByLabel('Amount').fill('2500.5');
    await page.getByRole('button', { name: 'Deposit demo funds' }).click();
    await page.getByTestId('demo-balances').getByText('2500.5').waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await snap('phone-key-list');
    await page.setViewportSize({ width: 1280, height: 900 });

    await row.getByRole('button', { name: 'Delete my bot' }).click();
    await page.getByRole('dialog').getByText('Every program using this key stops working').waitFor();
    await snap('delete-dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('No API keys yet.').waitFor();
    await eventually(() => assert.rejects(ex.fetchBalance(), ccxt.AuthenticationError));
    const gone = page.getByTestId('deleted-keys');
    await gone.getByText(/Deleted by user/).waitFor();
    await gone.getByRole('button', { name: 'Activity of deleted key my bot' }).click();
    await gone.getByTestId('activity').getByText('First use from a new IP address: 127.0.0.1').waitFor();
    await gone
      .getByTestId('activity')
      .getByText(/^Deleted$|Deleted/)
      .first()
      .waitFor();
    await snap('deleted');

    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByLabel('Currency').selectOption('USDT');
    await page.getByLabel('Chain').selectOption('USDT-TRC20');
    await page.getByLabel('Address', { exact: true }).fill('TXYZabcdefghijklmnop');
    await page.getByLabel('Label').fill('cold wallet');
    await page.getByLabel('Authenticator code').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Add address' }).click();
    await page.getByTestId('addresses').getByText('TXYZabcdefghijklmnop').waitFor();
    await snap('address-book');
  });

  test('log in again asks for the authenticator code; the phone-width form is usable', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('Email').fill('person@example.com');
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('wrong email or password').waitFor();
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Verify' }).waitFor();
    await snap('login-2fa');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${url}/account/my-api`);
    await snap('phone-verify-still-required');
  });
});
