import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, browserSkip, clearArtifacts, launchChromium, signUpWith2fa } from './browser.js';
import { totpCode } from './console-agent.js';
import { answerWithin, cliJson, cliOk, PASSPHRASE, type RunningServer, startServer, tempDir } from './helpers.js';
import { type ClientKey, ccxtOkx } from './real-clients.js';

const EMAIL = 'subs@example.com';
const SUB = 'desk001';

/** The Sub-accounts page in Chromium: create, balances and keys from the CLI, delete a key (ccxt refused), freeze. */
describe('console: the Sub-accounts page in a real browser', { skip: browserSkip() }, () => {
  let server: RunningServer | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  let data: string;
  const url = () => server?.url ?? '';
  const snap = (name: string) => page.screenshot({ path: join(ARTIFACTS, `subaccounts-${name}.png`), fullPage: true });
  /** ccxt's fetchBalance with the key: '0', or the OKX code it was refused with. */
  const ccxtCode = async (key: ClientKey): Promise<string> => {
    try {
      await ccxtOkx(url(), key).fetchBalance();
      return '0';
    } catch (err) {
      return /"code":"(\d+)"/.exec(String(err))?.[1] ?? String(err);
    }
  };
  /** Polls ccxt until it gets `want` (key changes reach the server within ~1 s), or the last code after 5 s. */
  const ccxtUntil = (key: ClientKey, want: string) => answerWithin(() => ccxtCode(key), want);

  before(async () => {
    clearArtifacts('subaccounts-');
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

  test('create a sub-account, see its balances and key, delete the key (ccxt gets 50111), freeze and unfreeze', async () => {
    const { secret } = await signUpWith2fa(page, url(), { email: EMAIL });

    await page.goto(`${url()}/account/my-api`);
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sub-accounts' }).click();
    await page.getByRole('heading', { name: 'Sub-accounts', level: 1 }).waitFor();
    await page.getByTestId('no-subaccounts').waitFor();
    await page.getByText(/no login of its own/).waitFor();

    const form = page.getByRole('form', { name: 'Create a sub-account' });
    await form.getByLabel('Sub-account name').fill('ab');
    await form.getByRole('button', { name: 'Create sub-account' }).click();
    await form.locator('[role="alert"]').first().waitFor();
    await snap('create-refused');
    await form.getByLabel('Sub-account name').fill(SUB);
    await form.getByLabel('Label (optional)').fill('DeskOne');
    await form.getByRole('button', { name: 'Create sub-account' }).click();
    const row = page.locator(`[data-testid="sub-row"][data-name="${SUB}"]`);
    await row.waitFor();
    assert.equal((await row.getByTestId('key-count').textContent())?.trim(), '0');

    await cliOk(['deposit', '--user', EMAIL, '--sub', SUB, '--ccy', 'USDT', '--amt', '2500'], data);
    await cliOk(['deposit', '--user', EMAIL, '--sub', SUB, '--ccy', 'BTC', '--amt', '1.5', '--to', 'funding'], data);
    const made = await cliJson<{ apiKey: string; secretKey: string }>(
      [
        'keys',
        'create',
        '--user',
        EMAIL,
        '--sub',
        SUB,
        '--name',
        'sub bot',
        '--passphrase',
        PASSPHRASE,
        '--perm',
        'read,trade',
      ],
      data,
    );
    const key: ClientKey = { apiKey: made.apiKey, secretKey: made.secretKey };
    assert.equal(await ccxtUntil(key, '0'), '0', 'the sub-account key works');

    await page.reload();
    await row
      .getByTestId('trading-balances')
      .getByText(/USDT\s+2500/)
      .waitFor();
    await row
      .getByTestId('funding-balances')
      .getByText(/BTC\s+1\.5/)
      .waitFor();
    assert.equal((await row.getByTestId('key-count').textContent())?.trim(), '1');
    await row.getByRole('button', { name: `Keys of ${SUB}` }).click();
    const keyCard = row.locator(`[data-testid="sub-key"][data-api-key="${key.apiKey}"]`);
    await keyCard.waitFor();
    await keyCard.getByText('Read, Trade').waitFor();
    await keyCard.getByText('Any (not bound)').waitFor();
    assert.ok(!(await page.content()).includes(key.secretKey), 'never the secret');
    await snap('keys');

    await keyCard.getByRole('button', { name: 'Delete sub bot' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/refused \(code 50111\)/).waitFor();
    await snap('delete-dialog');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await row.getByText(/No API keys\./).waitFor();
    assert.equal(await ccxtUntil(key, '50111'), '50111', 'ccxt with the deleted key gets 50111');
    assert.equal((await row.getByTestId('key-count').textContent())?.trim(), '0');

    await row.getByRole('button', { name: `Freeze ${SUB}` }).click();
    await dialog.getByText(/code 50100/).waitFor();
    await dialog.getByRole('button', { name: 'Freeze', exact: true }).click();
    await row.getByTestId('frozen-badge').waitFor();
    assert.equal(await row.getAttribute('data-frozen'), 'true');
    await snap('frozen');

    await row.getByRole('button', { name: `Unfreeze ${SUB}` }).click();
    await dialog.getByLabel('Authenticator code').fill('000000');
    await dialog.getByRole('button', { name: 'Unfreeze', exact: true }).click();
    await dialog.locator('[role="alert"]').first().waitFor();
    assert.equal(await row.getAttribute('data-frozen'), 'true', 'a wrong code unfreezes nothing');
    await dialog.getByLabel('Authenticator code').fill(totpCode(secret, Date.now()));
    await dialog.getByRole('button', { name: 'Unfreeze', exact: true }).click();
    await page.locator(`[data-testid="sub-row"][data-name="${SUB}"][data-frozen="false"]`).waitFor();
    assert.equal(await row.getByTestId('frozen-badge').count(), 0);
    await snap('desktop');

    await page.setViewportSize({ width: 390, height: 844 });
    await row.getByRole('button', { name: `Keys of ${SUB}` }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width}px wide)`);
    await snap('phone');
  });
});
