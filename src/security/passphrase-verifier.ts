import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from './secret-box.js';

const PREFIX = 'v1$';
/** The name of the sealed verifier key in the cluster store, and the context it is sealed under. */
export const VERIFIER_KEY_NAME = 'passphrase-verifier';
export const VERIFIER_KEY_CONTEXT = `sealed:${VERIFIER_KEY_NAME}`;

/**
 * A key's passphrase verifier: `v1$` + hex HMAC-SHA256(verifierKey, apiKey "\n" passphrase). The
 * verifier key is random (32 bytes), stored sealed under the master key, so a stolen database
 * alone gives nothing to guess against; a check costs about a microsecond, synchronously.
 *
 * @example const v = new PassphraseVerifier(key); v.matches(apiKey, given, v.make(apiKey, given)) // true
 */
export class PassphraseVerifier {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('verifier key must be 32 bytes');
  }

  /** Opens the sealed verifier key (made and stored once by `sealedValue`, shared by every instance). */
  static async open(
    store: { sealedValue(name: string, create: () => Buffer): Promise<Buffer> },
    box: SecretBox,
  ): Promise<PassphraseVerifier> {
    const sealed = await store.sealedValue(VERIFIER_KEY_NAME, () =>
      box.seal(randomBytes(32).toString('hex'), VERIFIER_KEY_CONTEXT),
    );
    return new PassphraseVerifier(Buffer.from(box.open(sealed, VERIFIER_KEY_CONTEXT), 'hex'));
  }

  /** True when `stored` is a keyed verifier (not an older scrypt hash). */
  static isKeyed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  make(apiKey: string, passphrase: string): string {
    return PREFIX + this.digest(apiKey, passphrase).toString('hex');
  }

  /** Constant-time check of `passphrase` against a keyed verifier; false for anything else. */
  matches(apiKey: string, passphrase: string, stored: string): boolean {
    if (!PassphraseVerifier.isKeyed(stored)) return false;
    const expected = Buffer.from(stored.slice(PREFIX.length), 'hex');
    const actual = this.digest(apiKey, passphrase);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  // Unambiguous: API keys are UUIDs (no newline), so the first newline ends the key.
  private digest(apiKey: string, passphrase: string): Buffer {
    return createHmac('sha256', this.key).update(`${apiKey}\n${passphrase}`, 'utf8').digest();
  }
}
