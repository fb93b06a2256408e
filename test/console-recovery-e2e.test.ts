import assert from 'node:assert/strict';

import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, browserSkip, clearArtifacts, launchChromium } from './browser.js';
import { cli, type RunningServer, sleep, startServer, tempDir } from './helpers.js';

const EMAIL = 'recover@example.com';
const PASSWORD = 'a long enough password';
const NEW_PASSWORD = 'my brand new password';

/** Authenticator codes, each step used once (the server accepts the next step at once). */
class Authenticator {
  private lastStep = -1;
  constructor(private readonly secret: string) {}
  async code(): Promise<string> {
    const step = Math.max(this.lastStep + 1, Math.floor(Date.now() / 30_000));
    if (step > Math.floor(Date.now() / 30_000) + 1) await sleep((step - 1) * 30_000 - Date.now() + 50);
    this.lastStep = step;
    return new TOTP({ secret: Secret.fromBase32(this.secret), period: 30, digits: 6, algorithm: 'SHA1' }).generate({
      timestamp: step * 30_000,
    });
  }
}

describe('console: a way back in, in a real browser', { skip: browserSkip() }, () => {
  let server: RunningServer | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  let url: string;
  const data = tempDir();
  let authenticator: Authenticator;
  let codes: string[] = [];
  const snap = async (name: string) => {
    await page.screenshot({ path: join(ARTIFACTS, `recovery-${name}.png`), fullPage: true });
  };

  before(async () => {
    // Only this file's screenshots: other browser tests write beside them.
    clearArtifacts('recovery-');
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

  const logIn = async (password: string) => {
    await page.goto(`${url}/login`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
  };
  const logOut = async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
  };
  /** Reads the codes on screen, checks each sits on one line, then ticks "saved" and Done. */
  const saveCodes = async (shot: string): Promise<string[]> => {
    const list = page.getByTestId('recovery-codes');
    await list.waitFor();
    const shown = (await list.locator('code').allTextContents()).map((c) => c.trim());
    assert.equal(shown.length, 10);
    for (const c of shown) assert.match(c, /^[0-9a-f]{8}-[0-9a-f]{8}$/);
    await snap(`${shot}-desktop`);
    await page.setViewportSize({ width: 390, height: 844 });
    for (const box of await list.locator('code').evaluateAll((els) => els.map((e) => e.getClientRects().length))) {
      assert.equal(box, 1, 'a code never breaks over two lines (not at the hyphen either)');
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at 390 px (${overflow} px too wide)`);
    await snap(`${shot}-phone`);
    await page.setViewportSize({ width: 1366, height: 900 });
    const done = page.getByRole('button', { name: 'Done' });
    assert.equal(await done.isDisabled(), true, 'Done waits for "I have saved"');
    await page.getByLabel('I have saved my recovery codes').check();
    await done.click();
    await list.waitFor({ state: 'detached' });
    return shown;
  };

  test('2FA on: setup key in fours with copy and otpauth link; codes with copy, download and a saved step', async () => {
    await page.goto(`${url}/signup`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL('**/account/security');
    await page.getByRole('button', { name: 'Set up authenticator' }).click();
    const key = page.getByTestId('totp-secret');
    const secret = (await key.textContent()) ?? '';
    assert.match(secret, /^[A-Z2-7]{32}$/, 'copies and reads without spaces');
    assert.deepEqual(await key.locator('span').allTextContents(), secret.match(/.{4}/g));
    const link = page.getByRole('link', { name: 'Open in an authenticator app on this device' });
    assert.match(
      (await link.getAttribute('href')) ?? '',
      /^otpauth:\/\/totp\/signet:recover%40example\.com\?.*secret=/,
    );
    await page.getByRole('button', { name: 'Copy setup key' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Copied|selected/ })
      .waitFor();
    await snap('setup-key');
    authenticator = new Authenticator(secret);
    await page.getByLabel('Authenticator code').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Enable' }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download as file' }).click();
    assert.equal((await download).suggestedFilename(), 'signet-recovery-codes.txt');
    codes = await saveCodes('codes');
    await page.getByText('10 of 10 recovery codes left').waitFor();
  });

  test('log in with a recovery code; the used code is gone', async () => {
    await logOut();
    await logIn(PASSWORD);
    await page.getByRole('button', { name: 'Log in with a recovery code' }).click();
    await snap('login-recovery');
    await page.getByLabel('Recovery code').fill(codes[0] ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/account/my-api');
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByText('9 of 10 recovery codes left').waitFor();
    await logOut();
    await logIn(PASSWORD);
    await page.getByRole('button', { name: 'Log in with a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(codes[0] ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('that recovery code is wrong or already used').waitFor();
    await page.getByRole('button', { name: 'Use a code from your authenticator app instead' }).click();
    await page.getByLabel('Authenticator code').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/account/my-api');
  });

  test('change password: all errors at once, then the old password fails and the new one works', async () => {
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.getByText('Enter your current password.').waitFor();
    await page.getByText('The new password needs at least 12 characters.').waitFor();
    await page.getByText('Enter the code from your authenticator app.').waitFor();
    assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
    await snap('password-errors');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByLabel('Authenticator code or recovery code').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.getByText('Your password is changed.').waitFor();
    await snap('password-changed');
    // This browser goes on with its new session: a page that calls the API still works.
    await page.getByRole('link', { name: 'API keys' }).first().click();
    await page.getByTestId('key-counter').waitFor();
    await logOut();
    await logIn(PASSWORD);
    await page.getByText('wrong email or password').waitFor();
    await logIn(NEW_PASSWORD);
    await page.getByLabel('Authenticator code').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/account/my-api');
  });

  test('new recovery codes: old ones stop working', async () => {
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    await page.getByLabel('Authenticator code or recovery code').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Make new codes' }).click();
    const fresh = await saveCodes('new-codes');
    assert.equal(fresh.filter((c) => codes.includes(c)).length, 0);
    await page.getByText('10 of 10 recovery codes left').waitFor();
    codes = fresh;
  });

  test('operator resets 2FA with the CLI: sessions end, login needs no code; 2FA again, then off in the console', async () => {
    const r = await cli(['user', 'reset-2fa', '--user', EMAIL], { data });
    assert.equal(r.code, 0, r.stderr);
    // The browser's session ended with the reset: the console asks to log in again.
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await logIn(NEW_PASSWORD);
    await page.waitForURL('**/account/my-api');
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Set up authenticator' }).click();
    authenticator = new Authenticator((await page.getByTestId('totp-secret').textContent()) ?? '');
    await page.getByLabel('Authenticator code').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Enable' }).click();
    await saveCodes('again');
    await page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
    await page.getByLabel('Authenticator code or recovery code').fill('000000');
    await page.getByRole('button', { name: 'Turn off', exact: true }).click();
    await page.locator('[aria-invalid="true"]').waitFor();
    await snap('disable-2fa');
    await page.getByLabel('Authenticator code or recovery code').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Turn off', exact: true }).click();
    await page.getByText('Two-factor authentication is off.').waitFor();
    await page.getByRole('button', { name: 'Set up authenticator' }).waitFor();
    await snap('2fa-off');
    await logOut();
    await logIn(NEW_PASSWORD);
    await page.waitForURL('**/account/my-api');
  });
});
