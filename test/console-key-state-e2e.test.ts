import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { openRuntime } from '../src/runtime.js';
import { ARTIFACTS, browserSkip, clearArtifacts, launchChromium, signUpWith2fa } from './browser.js';
import { totpCode } from './console-agent.js';
import { answerWithin, type Credentials, type RunningServer, signedCall, startServer, tempDir } from './helpers.js';

const EMAIL = 'keystate@example.com';
const PASSPHRASE = 'Bot-pass1!';

/** Disable, enable and roll a key on the API page in Chromium, checked from the V5 API. */
describe("console: a key's state in a real browser", { skip: browserSkip() }, () => {
  let server: RunningServer | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  let data: string;
  let key: Credentials;
  const snap = (name: string) => page.screenshot({ path: join(ARTIFACTS, `keystate-${name}.png`), fullPage: true });
  /** The V5 code of a balance request signed with `secret`, once it is `want` (key changes reach the server within ~1 s). */
  const v5 = (secret: string, want: string) =>
    answerWithin(
      async () =>
        (await signedCall(server?.url ?? '', { ...key, secretKey: secret }, 'GET', '/api/v5/account/balance')).code,
      want,
    );

  before(async () => {
    clearArtifacts('keystate-');
    data = tempDir();
    server = await startServer(data, { SIGNET_KEY_SYNC_MS: '100' });
    browser = await launchChromium({ viewport: { width: 1366, height: 900 } });
    page = browser.pages()[0] ?? (await browser.newPage());
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });

  test('Disable shows the key as Disabled (50100), Enable with a code restores it, Roll shows the new secret once', async () => {
    const { secret } = await signUpWith2fa(page, server?.url ?? '', { email: EMAIL });
    const rt = await openRuntime(loadConfig({ SIGNET_DATA: data, SIGNET_LOG_LEVEL: 'silent' }));
    try {
      const user = await rt.users.byEmail(EMAIL);
      const made = await rt.keys.create(
        user.id,
        { label: 'trading bot', passphrase: PASSPHRASE, perm: 'read,trade', ip: '', env: 'live' },
        'cli',
        Date.now(),
      );
      key = { apiKey: made.apiKey, secretKey: made.secretKey, passphrase: PASSPHRASE };
    } finally {
      await rt.close();
    }
    assert.equal(await v5(key.secretKey, '0'), '0');

    await page.goto(`${server?.url}/account/my-api`);
    const row = page.locator(`[data-testid="key-row"][data-api-key="${key.apiKey}"]`);
    await row.getByRole('button', { name: 'Disable trading bot' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/refused \(code 50100, “API frozen”\)/).waitFor();
    await snap('disable-dialog');
    await dialog.getByRole('button', { name: 'Disable', exact: true }).click();
    await row.getByTestId('disabled-badge').waitFor();
    assert.equal(await row.getAttribute('data-disabled'), 'true');
    await snap('disabled');
    assert.equal(await v5(key.secretKey, '50100'), '50100');

    await row.getByRole('button', { name: 'Enable trading bot' }).click();
    await dialog.getByLabel('Authenticator code').fill('000000');
    await dialog.getByRole('button', { name: 'Enable', exact: true }).click();
    await dialog.locator('[role="alert"]').first().waitFor();
    assert.equal(await row.getByTestId('disabled-badge').count(), 1, 'a wrong code enables nothing');
    await dialog.getByLabel('Authenticator code').fill(totpCode(secret, Date.now()));
    await dialog.getByRole('button', { name: 'Enable', exact: true }).click();
    await row.getByRole('button', { name: 'Disable trading bot' }).waitFor();
    assert.equal(await row.getByTestId('disabled-badge').count(), 0);
    assert.equal(await v5(key.secretKey, '0'), '0');

    await row.getByRole('button', { name: 'Roll secret of trading bot' }).click();
    await dialog.getByLabel('Old secret keeps working for').selectOption('24h');
    await dialog.getByLabel('Authenticator code').fill(totpCode(secret, Date.now() + 30_000));
    await dialog.getByRole('button', { name: 'Roll secret' }).click();
    const shown = dialog.getByTestId('rolled-secret-key');
    await shown.waitFor();
    const newSecret = (await shown.textContent()) ?? '';
    assert.match(newSecret, /^[0-9A-F]{32}$/);
    assert.notEqual(newSecret, key.secretKey);
    assert.match((await dialog.getByTestId('rolled-grace').textContent()) ?? '', /^Keeps working until /);
    await snap('rolled');
    const done = dialog.getByRole('button', { name: 'Done' });
    assert.equal(await done.isDisabled(), true, 'Done only once the secret is saved');
    await dialog.getByLabel('I have saved the secret key').check();
    await done.click();
    await row
      .getByTestId('grace-badge')
      .getByText(/^Old secret works until /)
      .waitFor();
    assert.equal(await page.getByTestId('rolled-secret-key').count(), 0, 'the secret is gone from the page');
    assert.equal(await v5(newSecret, '0'), '0', 'the new secret works');
    assert.equal(await v5(key.secretKey, '0'), '0', 'and the old one during the grace');

    await row.getByRole('button', { name: 'Activity of trading bot' }).click();
    const activity = row.getByTestId('activity');
    await activity.getByText(/Secret rolled: a new secret; the old one works until /).waitFor();
    await activity.getByText('Enabled again').waitFor();
    await activity.getByText('Disabled (refused with 50100; settings kept)').waitFor();
    await snap('activity');
    assert.ok(!(await page.content()).includes(newSecret), 'the new secret is not on the page any more');
  });
});
