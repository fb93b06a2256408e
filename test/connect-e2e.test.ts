import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ccxt from 'ccxt';
import { Secret, TOTP } from 'otpauth';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, browserSkip, clearArtifacts, consolePost, launchChromium, signUpWith2fa } from './browser.js';
import { type AppCredentials, Platform, type PlatformKey } from './connect-platform.js';
import { cli, type RunningServer, sleep, startServer, tempDir } from './helpers.js';
import { ccxtOkx } from './real-clients.js';

const EMAIL = 'connect@example.com';
const PASSWORD = 'a long enough password';
const APP = 'Acme Bots';

/** Authenticator codes, each 30-second step used once (the server also accepts the previous and next step). */
class Authenticator {
  private lastStep = Math.floor(Date.now() / 30_000) - 2;
  constructor(private readonly secret: string) {}
  async code(): Promise<string> {
    const step = Math.max(this.lastStep + 1, Math.floor(Date.now() / 30_000) - 1);
    if (step > Math.floor(Date.now() / 30_000) + 1) await sleep((step - 1) * 30_000 - Date.now() + 50);
    this.lastStep = step;
    return new TOTP({ secret: Secret.fromBase32(this.secret), period: 30, digits: 6, algorithm: 'SHA1' }).generate({
      timestamp: step * 30_000,
    });
  }
}

/** ccxt's answer to a balance request: 'ok', or the OKX code of its AuthenticationError. */
async function balanceWith(url: string, key: PlatformKey): Promise<string> {
  try {
    await ccxtOkx(url, key).fetchBalance();
    return 'ok';
  } catch (err) {
    if (err instanceof ccxt.AuthenticationError) return /"code":"(\d+)"/.exec(err.message)?.[1] ?? err.message;
    throw err;
  }
}

describe('Connect through the console, in a real browser, for a real platform', { skip: browserSkip() }, () => {
  const data = tempDir();
  let server: RunningServer | undefined;
  let browser: BrowserContext | undefined;
  let platform: Platform;
  let page: Page;
  let url: string;
  let authenticator: Authenticator;
  let key: PlatformKey;
  const snap = async (name: string) => {
    await page.screenshot({ path: join(ARTIFACTS, `connect-${name}.png`), fullPage: true });
  };
  const noSidewaysScroll = async (what: string) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${what}: no sideways scrolling (${overflow} px too wide)`);
  };

  before(async () => {
    clearArtifacts('connect-');
    server = await startServer(data, { SIGNET_KEY_SYNC_MS: '100' });
    url = server.url;
    platform = new Platform(url);
    await platform.start();
    const created = await cli(
      [
        'app',
        'create',
        '--name',
        APP,
        '--redirect-uri',
        platform.redirectUri,
        '--ip',
        '127.0.0.1',
        '--perm',
        'read,trade',
        '--json',
      ],
      { data },
    );
    assert.equal(created.code, 0, created.stderr);
    platform.app = JSON.parse(created.stdout) as AppCredentials;
    browser = await launchChromium({ viewport: { width: 1366, height: 900 } });
    page = browser.pages()[0] ?? (await browser.newPage());
  });
  after(async () => {
    try {
      await browser?.close();
      await platform?.stop();
    } finally {
      await server?.stop();
    }
  });

  test('sign up with 2FA, then log out', async () => {
    const { csrf } = await signUpWith2fa(page, url, {
      email: EMAIL,
      password: PASSWORD,
      code: (secret) => {
        authenticator = new Authenticator(secret);
        return authenticator.code();
      },
    });
    assert.ok((await consolePost(page, '/logout', {}, csrf)).ok);
  });

  test("the platform's Connect link: log in first, then the consent page; a wrong code is refused", async () => {
    await page.goto(platform.url);
    await page.getByRole('link', { name: 'Connect signet' }).click();
    await page.waitForURL(/\/login\?next=%2Faccount%2Foauth%2Fauthorize%3F/);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByLabel('Authenticator code').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: `Connect ${APP} to your account?` }).waitFor();
    assert.match(page.url(), /\/account\/oauth\/authorize\?response_type=code&.*client_id=/);
    assert.deepEqual(await page.getByTestId('app-ips').locator('code').allTextContents(), ['127.0.0.1']);
    const perms = (await page.getByTestId('app-perms').textContent()) ?? '';
    assert.match(perms, /Read: see your balances/);
    assert.match(perms, /Trade: place and cancel orders/);
    assert.match(perms, /never withdraw/);
    assert.match(
      (await page.getByTestId('consent-note').textContent()) ?? '',
      /never expires while it is bound to Acme Bots.*API keys → Connected apps.*127\.0\.0\.1:\d+/,
    );
    assert.equal(await page.getByTestId('already-connected').count(), 0);
    await snap('consent');
    await page.setViewportSize({ width: 390, height: 844 });
    await noSidewaysScroll('consent page on a phone');
    await snap('consent-phone');
    await page.setViewportSize({ width: 1366, height: 900 });

    const good = await authenticator.code();
    const wrong = good.slice(0, 5) + String((Number(good.slice(5)) + 5) % 10);
    await page.getByLabel('Authenticator code').fill(wrong);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.consent .error').first().waitFor();
    assert.match(page.url(), /\/account\/oauth\/authorize\?/, 'a wrong code stays on the page');
    await snap('wrong-code');
    await page.getByLabel('Authenticator code').fill(good);
    await page.getByRole('button', { name: 'Approve' }).click();
    const outcome = await platform.outcome(1);
    assert.equal(outcome.kind, 'connected', JSON.stringify(outcome));
    if (outcome.kind !== 'connected') return;
    assert.notEqual(outcome.domain, '', 'the redirect names signet (domain=)');
    key = outcome.key;
    assert.equal(key.label, 'acme bot');
    await page.getByRole('heading', { name: 'Connected to signet' }).waitFor();
    assert.equal(await page.locator('#api-key').textContent(), key.apiKey);
    await snap('platform-connected');
    assert.equal(await balanceWith(url, key), 'ok', 'the platform reads the balance with its new key');
  });

  test('the API page: the key is Linked to the app, which is listed under Connected apps', async () => {
    await page.goto(`${url}/account/my-api`);
    const row = page.locator(`[data-testid="key-row"][data-api-key="${key.apiKey}"]`);
    await row.getByTestId('linked-to').getByText(`Linked to ${APP}`).waitFor();
    assert.match((await row.locator('[data-testid="expiry"]').textContent()) ?? '', /Never/);
    await row.getByRole('button', { name: 'Edit acme bot' }).click();
    await row.getByTestId('linked-note').waitFor();
    assert.equal(await row.getByLabel('IP addresses').count(), 0, 'no IP editing for a linked key');
    assert.equal(await row.getByLabel('Trade').count(), 0, 'no permission editing for a linked key');
    const apps = page.getByTestId('connected-app');
    assert.equal(await apps.count(), 1);
    const text = (await apps.first().textContent()) ?? '';
    for (const part of [APP, 'Read, Trade', key.apiKey, '“acme bot”', '127.0.0.1']) {
      assert.ok(text.includes(part), `Connected apps shows ${part}: ${text}`);
    }
    await snap('api-page');
    await page.setViewportSize({ width: 390, height: 844 });
    await noSidewaysScroll('API page on a phone');
    await page.getByTestId('connected-apps').screenshot({ path: join(ARTIFACTS, 'connect-apps-phone.png') });
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  test('Connect again: the page says it is connected; Deny sends access_denied and keeps the key', async () => {
    await page.goto(platform.url);
    await page.getByRole('link', { name: 'Connect signet' }).click();
    await page
      .getByTestId('already-connected')
      .getByText(/already connected \(key “acme bot”\)/)
      .waitFor();
    await snap('already-connected');
    await page.getByRole('button', { name: 'Deny' }).click();
    const outcome = await platform.outcome(2);
    assert.equal(outcome.kind, 'denied', JSON.stringify(outcome));
    if (outcome.kind === 'denied') assert.equal(outcome.error, 'access_denied');
    await page.getByRole('heading', { name: 'Connection denied' }).waitFor();
    assert.equal(await balanceWith(url, key), 'ok', 'denying a new connection leaves the old key');
  });

  test('a request with an unknown app or an unregistered redirect URI shows why and goes nowhere', async () => {
    const app = platform.app;
    assert.ok(app);
    const ask = (clientId: string, redirect: string) =>
      `${url}/account/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        access_type: 'offline',
        scope: 'fast_api',
        client_id: clientId,
        redirect_uri: redirect,
        state: 'x1',
      })}`;
    for (const [clientId, redirect] of [
      ['no-such-app', platform.redirectUri],
      [app.client_id, `${platform.url}/elsewhere`],
    ] as const) {
      await page.goto(ask(clientId, redirect));
      await page.getByRole('heading', { name: 'This connection request cannot be used' }).waitFor();
      const message = (await page.getByTestId('authorize-error').textContent()) ?? '';
      assert.ok(message.length > 5 && !message.includes('{'), `a sentence: ${message}`);
      assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
      assert.ok(page.url().startsWith(url), 'no redirect');
    }
    await snap('bad-redirect');
    assert.equal(platform.outcomes.length, 2, 'the platform was never called');
  });

  test('Revoke: confirmed, the app leaves the list and its key is refused (50111) within a second', async () => {
    await page.goto(`${url}/account/my-api`);
    await page.getByRole('button', { name: `Revoke ${APP}` }).click();
    await page.getByRole('dialog').getByText('Its API key “acme bot” is deleted').waitFor();
    await snap('revoke-dialog');
    const revoked = page.waitForResponse((r) => r.url().endsWith('/revoke') && r.request().method() === 'POST');
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    assert.equal((await revoked).status(), 200);
    const at = Date.now();
    let answer = await balanceWith(url, key);
    while (answer === 'ok' && Date.now() - at < 1000) answer = await balanceWith(url, key);
    assert.equal(answer, '50111', `refused within ${Date.now() - at} ms`);
    await page.getByTestId('connected-apps').waitFor({ state: 'detached' });
    assert.equal(await page.locator(`[data-testid="key-row"][data-api-key="${key.apiKey}"]`).count(), 0);
    await snap('revoked');
  });
});
