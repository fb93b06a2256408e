import assert from 'node:assert/strict';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { totpCode } from './console-agent.js';
import { ROOT } from './helpers.js';

/** Debian's Chromium, or SIGNET_TEST_CHROMIUM (a missing path shows the skip without uninstalling it). */
export const CHROMIUM = process.env.SIGNET_TEST_CHROMIUM ?? '/usr/bin/chromium';
/** Where the console tests put their screenshots (each test its own prefix). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

/** Makes ARTIFACTS and removes the screenshots a previous run of one test left there (its file prefix). */
export function clearArtifacts(prefix: string): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (f.startsWith(prefix)) rmSync(join(ARTIFACTS, f));
}

function chromiumMissing(): string | undefined {
  try {
    if (!statSync(CHROMIUM).isFile()) return `${CHROMIUM} is not a file`;
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`;
  }
}

/**
 * Why a browser test must be skipped, or undefined. CI sets SIGNET_REQUIRE_BROWSER=1 (.ci/run
 * installs Chromium): there a missing browser is a failing test, not a silent skip.
 *
 * @example describe('console in a real browser', { skip: browserSkip() }, () => { … });
 */
export function browserSkip(): string | undefined {
  const missing = chromiumMissing();
  if (missing !== undefined && process.env.SIGNET_REQUIRE_BROWSER === '1') {
    test('Chromium is there (SIGNET_REQUIRE_BROWSER=1)', () => assert.fail(missing));
  }
  return missing;
}

/** Headless Chromium with a fresh profile and the flags these machines need (plus `extraArgs`); `options` as playwright takes them. */
export function launchChromium(
  options: Omit<Parameters<typeof chromium.launchPersistentContext>[1], 'executablePath' | 'args'> = {},
  extraArgs: readonly string[] = [],
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'signet-chromium-')), {
    ...options,
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** A console API POST from the page (same origin, same cookies); no named functions inside (tsx would wrap them). */
export function consolePost(page: Page, path: string, body: unknown, csrf = '') {
  return page.evaluate(
    async ([p, b, c]) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (c !== '') headers['x-csrf-token'] = c;
      const res = await fetch(`/console/api${p}`, { method: 'POST', headers, body: JSON.stringify(b) });
      return { ok: res.ok, body: (await res.json()) as Record<string, unknown> };
    },
    [path, body, csrf] as const,
  );
}

/**
 * Signs up from the page on the console at `url` and turns 2FA on through the console API, as the
 * security page does; `code` answers the enrolment (by default the previous step's code, which the
 * server accepts, so the current one stays unused). The session's CSRF token and the authenticator secret.
 *
 * @example const { secret } = await signUpWith2fa(page, server.url, { email: 'a@example.com' });
 */
export async function signUpWith2fa(
  page: Page,
  url: string,
  opts: { email: string; password?: string; code?: (secret: string) => Promise<string> | string },
): Promise<{ csrf: string; secret: string }> {
  await page.goto(`${url}/login`);
  const signed = await consolePost(page, '/signup', {
    email: opts.email,
    password: opts.password ?? 'a long enough password',
  });
  assert.ok(signed.ok, JSON.stringify(signed.body));
  const csrf = String(signed.body.csrfToken);
  const secret = String((await consolePost(page, '/security/totp/setup', {}, csrf)).body.secret);
  const code = await (opts.code ?? ((s: string) => totpCode(s, Date.now() - 30_000)))(secret);
  const on = await consolePost(page, '/security/totp/enable', { code }, csrf);
  assert.ok(on.ok, JSON.stringify(on.body));
  return { csrf, secret };
}
