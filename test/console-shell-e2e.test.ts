import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, browserSkip, launchChromium } from './browser.js';
import { cliOk, type RunningServer, startServer, tempDir } from './helpers.js';

// The console's shell: loading failures with Retry, titles and focus, dialogs, landing, not found,
// return-to after login. Screenshots: test-artifacts/console/shell-*.png, desktop and phone.
const EMAIL = 'shell@example.com';
const PASSWORD = 'a long enough password';
const ADDRESS = 'TXyzShellAddress1';

describe('console shell in a real browser', { skip: browserSkip() }, () => {
  let server: RunningServer | undefined;
  let browser: BrowserContext | undefined;
  let url: string;
  let page: Page;

  /** A full-page screenshot at desktop (1366 px) and phone (390 px) width. */
  const snap = async (name: string) => {
    for (const [size, width] of [
      ['desktop', 1366],
      ['phone', 390],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(ARTIFACTS, `shell-${name}-${size}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1366, height: 900 });
  };
  /** Waits for the page's title (set once the page has rendered, just after the URL changed). */
  const titled = (title: string) => page.waitForFunction((t) => document.title === t, title);
  /** Waits until the element with focus is a `tag` reading `text` (focus moves once the page has rendered). */
  const focusOn = (tag: string, text: string) =>
    page.waitForFunction(
      ([t, x]) => document.activeElement?.tagName === t && (document.activeElement?.textContent ?? '').trim() === x,
      [tag, text] as const,
    );
  /** What has focus: its tag and text. */
  const _focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return { tag: el?.tagName ?? '', text: (el?.textContent ?? '').trim() };
    });
  const logIn = async () => {
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
  };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const data = tempDir();
    // The account, a key and a withdrawal address, made by the operator's CLI before the server starts.
    await cliOk(['user', 'create', '--email', EMAIL, '--password', PASSWORD], data);
    await cliOk(
      ['keys', 'create', '--user', EMAIL, '--name', 'shell-bot', '--passphrase', 'Bot-pass1!', '--perm', 'read,trade'],
      data,
    );
    await cliOk(['address', 'add', '--user', EMAIL, '--ccy', 'USDT', '--chain', 'USDT-TRC20', '--addr', ADDRESS], data);
    server = await startServer(data);
    url = server.url;
    browser = await launchChromium({
      viewport: { width: 1366, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });

  test('`/` logged out says what signet is and where to go; a favicon from this server', async () => {
    await page.goto(`${url}/`);
    await page.getByRole('heading', { level: 1, name: 'signet' }).waitFor();
    await titled('signet');
    await page.getByText('gives your trading tools and bots OKX V5 API keys').waitFor();
    assert.equal(await page.locator('main').getByRole('link', { name: 'Log in' }).getAttribute('href'), '/login');
    assert.equal(
      await page.locator('main').getByRole('link', { name: 'Create an account' }).getAttribute('href'),
      '/signup',
    );
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    assert.equal(icon, '/favicon.svg');
    const res = await page.request.get(`${url}/favicon.svg`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'] ?? '', /image\/svg\+xml/);
    await snap('landing');

    // Following a link moves focus to the new page's heading and retitles the page.
    await page.locator('main').getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL('**/signup');
    await titled('Sign up · signet');
    await focusOn('H1', 'Create your account');
  });

  test('an unknown path is a "Page not found" page (status 404); programs still get JSON', async () => {
    const res = await page.goto(`${url}/account/nowhere`);
    assert.equal(res?.status(), 404);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await titled('Page not found · signet');
    await page.getByText('/account/nowhere').waitFor();
    await snap('not-found');
    const json = await page.request.get(`${url}/nowhere`, { headers: { accept: 'application/json' } });
    assert.equal(json.status(), 404);
    assert.match(json.headers()['content-type'] ?? '', /application\/json/);
    const api = await page.request.get(`${url}/api/v5/nowhere`, { headers: { accept: 'text/html' } });
    assert.equal(api.status(), 404);
    assert.match(api.headers()['content-type'] ?? '', /application\/json/, 'API paths never answer the page');
  });

  test('login goes where the person was going (same origin only); focus and titles per page', async () => {
    // Another site as `next` is ignored: the keys page.
    await page.goto(`${url}/login?next=${encodeURIComponent('//evil.example/account/x')}`);
    await logIn();
    await page.waitForURL(`${url}/account/my-api`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');

    await page.goto(`${url}/account/security`);
    await page.waitForURL(`${url}/login?next=%2Faccount%2Fsecurity`);
    await titled('Log in · signet');
    await snap('login-return-to');
    await logIn();
    await page.waitForURL(`${url}/account/security`);
    await titled('Security · signet');
    await focusOn('H1', 'Security');

    await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL('**/account/my-api');
    await titled('API keys · signet');
    await focusOn('H1', 'API keys');
  });

  test('destructive dialogs focus Cancel; removing an address asks first', async () => {
    await page.goto(`${url}/account/my-api`);
    await page.getByRole('button', { name: 'Delete shell-bot' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await focusOn('BUTTON', 'Cancel');
    await snap('delete-dialog');
    await page.keyboard.press('Enter'); // Enter on the focused Cancel: nothing is deleted
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('key-row').filter({ hasText: 'shell-bot' }).waitFor();

    await page.goto(`${url}/account/security`);
    await page.getByRole('button', { name: `Remove ${ADDRESS}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove this withdrawal address?' });
    await confirm.waitFor();
    await focusOn('BUTTON', 'Cancel');
    await snap('remove-address-dialog');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    await page.getByTestId('addresses').getByText(ADDRESS).waitFor();

    await page.getByRole('button', { name: `Remove ${ADDRESS}` }).click();
    await confirm.getByRole('button', { name: 'Remove address' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByTestId('addresses').getByText('No saved addresses.').waitFor();
  });

  test('the key list failing shows the error and Retry, no count, Create disabled; Retry recovers', async () => {
    // Two-factor on (through the console API, as the page would), so the page offers Create.
    await page.goto(`${url}/account/security`);
    await page.evaluate(async () => {
      const session = (await (await fetch('/console/api/session')).json()) as { csrfToken: string };
      const headers = { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken };
      const setup = await fetch('/console/api/security/totp/setup', { method: 'POST', headers });
      (window as unknown as { totpSecret: string }).totpSecret = ((await setup.json()) as { secret: string }).secret;
    });
    const secret = await page.evaluate(() => (window as unknown as { totpSecret: string }).totpSecret);
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
    const enabled = await page.evaluate(async (c) => {
      const session = (await (await fetch('/console/api/session')).json()) as { csrfToken: string };
      const res = await fetch('/console/api/security/totp/enable', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ code: c }),
      });
      return res.status;
    }, code);
    assert.equal(enabled, 200);

    // The server's answer to this one request is a 500 (the network as the page sees it).
    await page.route('**/console/api/keys', (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal"}}' })
        : route.continue(),
    );
    await page.goto(`${url}/account/my-api`);
    const failure = page.getByTestId('load-error');
    await failure.waitFor();
    assert.match(
      (await failure.textContent()) ?? '',
      /Could not load your API keys\. The server had a problem answering\. Try again in a moment\./,
    );
    assert.equal(await page.getByTestId('key-counter').count(), 0, 'no count while the list is unknown');
    assert.equal(await page.getByRole('button', { name: 'Create V5 API key' }).isDisabled(), true);
    assert.equal(await page.getByText('No API keys yet.').count(), 0);
    await snap('keys-error');

    await page.unroute('**/console/api/keys');
    await failure.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('key-row').filter({ hasText: 'shell-bot' }).waitFor();
    assert.equal(await page.getByTestId('key-counter').textContent(), '1 / 50');
    assert.equal(await page.getByRole('button', { name: 'Create V5 API key' }).isEnabled(), true);
    assert.equal(await failure.count(), 0);
  });

  test('the session failing shows an error page with Retry, not a blank page; Retry recovers', async () => {
    await page.route('**/console/api/session', (route) => route.abort('connectionrefused'));
    await page.goto(`${url}/account/my-api`);
    await page.getByRole('heading', { level: 1, name: 'The console cannot load' }).waitFor();
    assert.match(
      (await page.getByTestId('load-error').textContent()) ?? '',
      /Could not load your session\. The server could not be reached\. Check your connection, then retry\./,
    );
    await snap('session-error');
    await page.unroute('**/console/api/session');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await titled('API keys · signet');
  });
});
