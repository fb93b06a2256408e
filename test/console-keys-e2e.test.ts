import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { openRuntime } from '../src/runtime.js';
import { ARTIFACTS, browserSkip, clearArtifacts, launchChromium, signUpWith2fa } from './browser.js';
import { totpCode } from './console-agent.js';
import { type RunningServer, startServer, tempDir } from './helpers.js';

const EMAIL = 'keys@example.com';
const PASSPHRASE = 'Bot-pass1!';
/** A name the browser resolves to 127.0.0.1 but does not treat as a secure context (as http://server:8080). */
const HOST = 'signet.test';

describe('console API key pages in a real browser', { skip: browserSkip() }, () => {
  let server: RunningServer | undefined;
  let browser: BrowserContext | undefined;
  let data: string;
  let url: string;
  let page: Page;
  const snap = async (name: string) => {
    await page.screenshot({ path: join(ARTIFACTS, `keys-${name}.png`), fullPage: true });
  };

  before(async () => {
    clearArtifacts('keys-');
    data = tempDir();
    server = await startServer(data, { SIGNET_KEY_SYNC_MS: '100' });
    url = server.url.replace('127.0.0.1', HOST);
    browser = await launchChromium(
      {
        viewport: { width: 1366, height: 900 },
        acceptDownloads: true,
      },
      [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
    );
    page = browser.pages()[0] ?? (await browser.newPage());
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });

  /** Keys made by the operator's tools, straight in the store (another process, as the CLI does). */
  async function seedKeys(names: string[], opts: { ip?: string } = {}): Promise<void> {
    const rt = await openRuntime(loadConfig({ SIGNET_DATA: data, SIGNET_LOG_LEVEL: 'silent' }));
    try {
      const user = await rt.users.byEmail(EMAIL);
      for (const [i, label] of names.entries()) {
        await rt.keys.create(
          user.id,
          {
            label,
            passphrase: PASSPHRASE,
            perm: i % 3 === 0 ? 'read,trade' : 'read',
            ip: opts.ip ?? (i % 2 === 0 ? '' : `198.51.100.${i + 1}`),
            env: i % 4 === 0 ? 'demo' : 'live',
          },
          'cli',
          Date.now(),
        );
      }
    } finally {
      await rt.close();
    }
  }

  test('every error at once; the code survives a refusal; copy without a clipboard; download; 50 keys', async () => {
    const { secret } = await signUpWith2fa(page, url, { email: EMAIL });
    await page.goto(`${url}/account/my-api`);
    assert.equal(await page.evaluate(() => window.isSecureContext), false);
    await page.getByRole('button', { name: 'Create V5 API key' }).click();

    // Every field error at once, in sentences, each under its field and marked invalid; no code asked.
    await page.getByLabel('API name').fill(' bad name!');
    await page.getByLabel('Passphrase', { exact: true }).fill('weak');
    await page.getByLabel('Confirm passphrase').fill('weak2');
    await page.getByLabel('IP addresses').fill('1.2.3.999, 10.0.0.1, 2001:db8::/200');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('problem-summary').getByText('Please correct the 4 problems marked below.').waitFor();
    const invalid = page.locator('input[aria-invalid="true"]');
    assert.equal(await invalid.count(), 4);
    const errorOf = async (label: string, exact = false) => {
      const id = (await page.getByLabel(label, { exact }).getAttribute('aria-describedby')) ?? '';
      const errId = id.split(' ').find((x) => x.endsWith('-err')) ?? '';
      return (await page.locator(`[id="${errId}"]`).textContent()) ?? '';
    };
    assert.match(await errorOf('API name'), /Use only letters, digits, spaces, - and _/);
    assert.match(
      await errorOf('Passphrase', true),
      /The passphrase needs 8 to 32 characters, an uppercase letter, a digit and a special character/,
    );
    assert.equal(await errorOf('Confirm passphrase'), '⚠ The passphrases do not match.'.slice(2));
    assert.match(await errorOf('IP addresses'), /“1\.2\.3\.999”, “2001:db8::\/200” are not IP addresses/);
    assert.equal(await page.getByLabel('Authenticator code').count(), 0);
    await snap('all-errors');

    // Withdraw with no IP: a warning (the setting is off).
    await page.getByLabel('IP addresses').fill('');
    await page.getByLabel('Withdraw').check();
    await page
      .getByTestId('withdraw-warning')
      .getByText(/lets anyone who obtains it move your funds/)
      .waitFor();
    await page.getByLabel('Withdraw').uncheck();

    // A weak passphrase is refused before any code is asked for; fixed, the form goes on.
    await page.getByLabel('API name').fill('my bot');
    await page.getByLabel('Passphrase', { exact: true }).fill('password1');
    await page.getByLabel('Confirm passphrase').fill('password1');
    await page.getByRole('button', { name: 'Next' }).click();
    assert.match(await errorOf('Passphrase', true), /needs an uppercase letter and a special character/);
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
    await page.getByLabel('Trade').check();
    await page.getByRole('button', { name: 'Next' }).click();
    const code = totpCode(secret, Date.now());
    await page.getByLabel('Authenticator code').fill(code);
    // Meanwhile the name is taken elsewhere: the server refuses the form before touching the code.
    await seedKeys(['my bot']);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('You already have a key named “my bot”; API names must be unique.').waitFor();
    await snap('refused-after-code');
    await page.getByLabel('API name').fill('my bot 2');
    await page.getByRole('button', { name: 'Next' }).click();
    // The SAME code, still in the field, authorizes the corrected key.
    assert.equal(await page.getByLabel('Authenticator code').inputValue(), code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    const apiKey = (await page.getByTestId('api-key').textContent()) ?? '';
    const secretKey = (await page.getByTestId('secret-key').textContent()) ?? '';
    assert.match(apiKey, /^[0-9a-f-]{36}$/);
    assert.match(secretKey, /^[0-9A-F]{32}$/);
    assert.equal(await page.getByTestId('recap-name').textContent(), 'my bot 2');

    // No clipboard on http://signet.test: Copy selects the secret and says how to copy it.
    assert.equal(await page.evaluate(() => navigator.clipboard === undefined), true);
    await page.getByRole('button', { name: 'Copy secret key' }).click();
    await page.getByText('Selected. Press Ctrl+C / ⌘C to copy.').waitFor();
    assert.equal(await page.evaluate(() => window.getSelection()?.toString()), secretKey);
    await snap('copy-fallback');
    // A triple-click on the secret selects the secret alone, not the Copy button.
    await page.evaluate(() => window.getSelection()?.removeAllRanges());
    await page.getByTestId('secret-key').click({ clickCount: 3 });
    assert.equal((await page.evaluate(() => window.getSelection()?.toString() ?? '')).trim(), secretKey);

    // Download: key, secret, name, permissions, IPs, environment; never the passphrase.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download as file' }).click(),
    ]);
    const file = readFileSync((await download.path()) ?? '', 'utf8');
    for (const part of [apiKey, secretKey, 'Name: my bot 2', 'Permissions: Read, Trade', 'IP addresses: none']) {
      assert.ok(file.includes(part), `the file has ${part}`);
    }
    assert.match(file, /Environment: Live/);
    assert.ok(!file.includes(PASSPHRASE), 'the passphrase is not in the file');

    // Done waits for "I have saved the secret key".
    const done = page.getByRole('button', { name: 'Done' });
    assert.equal(await done.isDisabled(), true);
    await page.getByLabel('I have saved the secret key').check();
    await done.click();

    // 50 keys: a table with search, sort and pages; cards on a phone; never a 14,800 px page.
    await seedKeys(Array.from({ length: 48 }, (_, i) => `bot-${String(i + 1).padStart(2, '0')}`));
    await page.reload();
    await page.getByTestId('key-counter').getByText('50 / 50').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create V5 API key' }).isDisabled(), true);
    await page.getByTestId('key-range').getByText('Showing 1–20 of 50.').waitFor();
    assert.equal(await page.getByTestId('key-row').count(), 20);
    const desktopHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    await snap('list-50-desktop');
    await page.getByLabel('Sort by').selectOption('name');
    assert.equal(await page.getByTestId('key-row').first().locator('th').textContent(), 'bot-01');
    await page.getByLabel('Search keys').fill('bot-4');
    await page.getByTestId('key-range').getByText('Showing 1–9 of 9 matching (50 in all).').waitFor();
    await snap('list-search');
    await page.getByLabel('Search keys').fill('');
    await page.setViewportSize({ width: 390, height: 844 });
    const phoneHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    const phoneWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await snap('list-50-phone');
    assert.ok(desktopHeight < 3200, `desktop page ${desktopHeight} px high`);
    assert.ok(phoneHeight < 8000, `phone page ${phoneHeight} px high`);
    assert.ok(phoneWidth <= 390, `phone page ${phoneWidth} px wide`);
    console.log(`50 keys: desktop page ${desktopHeight} px, phone page ${phoneHeight} px high`);

    // Copy on a row of the list: selected, with the same message.
    const first = page.getByTestId('key-row').first();
    const firstKey = (await first.getAttribute('data-api-key')) ?? '';
    await first.getByRole('button', { name: /^Copy API key of / }).click();
    await first.getByText('Selected. Press Ctrl+C / ⌘C to copy.').waitFor();
    assert.equal(await page.evaluate(() => window.getSelection()?.toString()), firstKey);
    await page.setViewportSize({ width: 1366, height: 900 });
  });
});
