import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** Parses a master key given as 64 hex characters. */
export function parseMasterKey(hex: string): Buffer {
  const text = hex.trim();
  if (!HEX64.test(text))
    throw new Error('a master key is 64 hex characters (32 bytes), e.g. from `openssl rand -hex 32`');
  return Buffer.from(text, 'hex');
}

/** The key file of a data directory (used when SIGNET_MASTER_KEY is not set). */
export function masterKeyFile(dataDir: string): string {
  return join(dataDir, 'master.key');
}

/**
 * Replaces the data directory's key file in two steps: `stage` writes `master.key.new` (mode
 * 0600), `commit` renames it over `master.key` (atomic on one file system).
 */
export function stageMasterKeyFile(dataDir: string, key: Buffer): { commit: () => void } {
  const file = masterKeyFile(dataDir);
  const staged = `${file}.new`;
  writeFileSync(staged, `${key.toString('hex')}\n`, { mode: 0o600 });
  return { commit: () => renameSync(staged, file) };
}
