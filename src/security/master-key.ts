import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * The 32-byte master key: from SIGNET_MASTER_KEY when set, otherwise from `master.key` in the
 * data directory, created with mode 0600 on first run. Every instance of a deployment must
 * share it, or stored secrets cannot be opened.
 */
export function loadMasterKey(hexFromEnv: string | null, dataDir: string): Buffer {
  if (hexFromEnv !== null) return Buffer.from(hexFromEnv, 'hex');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'master.key');
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!HEX64.test(text)) throw new Error(`${file} does not hold 64 hex characters`);
  return Buffer.from(text, 'hex');
}
