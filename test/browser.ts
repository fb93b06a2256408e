import assert from 'node:assert/strict';
import { accessSync, constants, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { ROOT } from './helpers.js';

/** Debian's Chromium, or SIGNET_TEST_CHROMIUM (a missing path shows the skip without uninstalling it). */
export const CHROMIUM = process.env.SIGNET_TEST_CHROMIUM ?? '/usr/bin/chromium';
/** Where the console tests put their screenshots (each test its own prefix). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

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
