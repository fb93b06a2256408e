import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { AccountError } from '../core/account-errors.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Actor, UserRecord, UserStore } from '../store/store.js';

const PERIOD_S = 30;
const RECOVERY_CODES = 10;
const ISSUER = 'signet';

export interface TotpSetup {
  /** Base32 setup key, for typing into an authenticator by hand. */
  secret: string;
  /** otpauth:// URI (what the QR code holds). */
  uri: string;
  /** The QR code as an inline SVG document, generated locally. */
  qrSvg: string;
}

const hashCode = (code: string): string => createHash('sha256').update(code).digest('hex');
export const sealContext = (userId: number): string => `totp:${userId}`;

function newRecoveryCode(): string {
  const raw = randomBytes(8).toString('hex');
  return `${raw.slice(0, 8)}-${raw.slice(8)}`;
}

/**
 * Two-factor authentication per RFC 6238 (otpauth). The secret is sealed by SecretBox; a code's
 * time step is recorded when accepted so the same code cannot be used twice; recovery codes are
 * shown once and stored as hashes.
 */
export class TotpService {
  constructor(
    private readonly store: UserStore,
    private readonly box: SecretBox,
  ) {}

  async isEnabled(userId: number): Promise<boolean> {
    return (await this.store.getTotp(userId))?.enabled === true;
  }

  /** Starts (or restarts) set-up with a new secret; refused while 2FA is on. */
  async setup(user: UserRecord): Promise<TotpSetup> {
    if (await this.isEnabled(user.id)) {
      throw new AccountError('totp_state', 'authenticator: two-factor authentication is already on', 'code');
    }
    const secret = new Secret({ size: 20 });
    await this.store.saveTotp({
      userId: user.id,
      secretSealed: this.box.seal(secret.base32, sealContext(user.id)),
      enabled: false,
      recoveryHashes: [],
      lastStep: 0,
    });
    const uri = this.totp(secret.base32, user.email).toString();
    const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret: secret.base32, uri, qrSvg };
  }

  /** Turns 2FA on with a first code; returns the recovery codes (shown once). */
  async enable(user: UserRecord, code: string, now: number): Promise<string[]> {
    const record = await this.store.getTotp(user.id);
    if (record === null) throw new AccountError('totp_state', 'authenticator: set up the authenticator first', 'code');
    if (record.enabled)
      throw new AccountError('totp_state', 'authenticator: two-factor authentication is already on', 'code');
    const step = this.matchingStep(record.secretSealed, user, code, now);
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await this.store.saveTotp({ ...record, enabled: true, recoveryHashes: codes.map(hashCode), lastStep: step });
    return codes;
  }

  /**
   * Checks the second factor for a protected action: a current authenticator code (each usable
   * once) or an unused recovery code. Throws AccountError when missing or wrong.
   */
  async check(user: UserRecord, code: string | undefined, now: number): Promise<void> {
    const record = await this.store.getTotp(user.id);
    if (record === null || !record.enabled) {
      throw new AccountError(
        'totp_required',
        'authenticator: turn on two-factor authentication (Account > Security) first',
        'code',
      );
    }
    const given = (code ?? '').trim().replace(/\s+/g, '');
    if (given === '')
      throw new AccountError(
        'totp_required',
        'authenticator: enter the 6-digit code from your authenticator app',
        'code',
      );
    if (/^[0-9a-f]{8}-[0-9a-f]{8}$/i.test(given)) {
      if (await this.store.useRecoveryCode(user.id, hashCode(given.toLowerCase()))) {
        const left = (await this.store.getTotp(user.id))?.recoveryHashes.length ?? 0;
        await this.store.changeAccount(
          user.id,
          {},
          { actor: 'user', action: 'recovery_code_used', at: now, detail: { left } },
        );
        return;
      }
      throw new AccountError('totp_invalid', 'authenticator: that recovery code is wrong or already used', 'code');
    }
    const step = this.matchingStep(record.secretSealed, user, given, now);
    if (!(await this.store.acceptTotpStep(user.id, step))) {
      throw new AccountError(
        'totp_invalid',
        'authenticator: that code was already used; wait for the next one',
        'code',
      );
    }
  }

  /** Unused recovery codes of an account with 2FA on; null when 2FA is off. */
  async recoveryCodesLeft(userId: number): Promise<number | null> {
    const record = await this.store.getTotp(userId);
    return record?.enabled === true ? record.recoveryHashes.length : null;
  }

  /**
   * New recovery codes (shown once) in place of all the old ones, audited. Call after the second
   * factor was checked (ConsoleGuard.checkCode).
   */
  async regenerateRecoveryCodes(user: UserRecord, now: number): Promise<string[]> {
    await this.requireOn(user, 'Two-factor authentication is off, so there are no recovery codes to replace.');
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await this.store.changeAccount(
      user.id,
      { totp: { recoveryHashes: codes.map(hashCode) } },
      { actor: 'user', action: 'recovery_codes_new', at: now, detail: { codes: codes.length } },
    );
    return codes;
  }

  /**
   * Turns 2FA off (the authenticator and its recovery codes are forgotten), audited. By the owner
   * (actor 'user', after ConsoleGuard.checkCode; the session goes on), or reset by the operator
   * (actor 'cli': every session of the account ends). Either way the account then logs in with its
   * password alone, and whatever needs an authenticator code is refused until it is set up again.
   */
  async disable(user: UserRecord, actor: Actor, now: number): Promise<void> {
    await this.requireOn(user, `Two-factor authentication is not on for ${user.email}.`);
    const operator = actor !== 'user';
    await this.store.changeAccount(
      user.id,
      { totp: 'remove', endSessions: operator },
      { actor, action: operator ? 'totp_reset' : 'totp_disable', at: now, detail: {} },
    );
  }

  private async requireOn(user: UserRecord, message: string): Promise<void> {
    if (!(await this.isEnabled(user.id))) throw new AccountError('totp_state', message, 'code');
  }

  private matchingStep(sealed: Buffer, user: UserRecord, code: string, now: number): number {
    if (!/^\d{6}$/.test(code)) throw new AccountError('totp_invalid', 'authenticator: the code is 6 digits', 'code');
    const totp = this.totp(this.box.open(sealed, sealContext(user.id)), user.email);
    const delta = totp.validate({ token: code, timestamp: now, window: 1 });
    if (delta === null) throw new AccountError('totp_invalid', 'authenticator: the code is wrong or expired', 'code');
    return Math.floor(now / 1000 / PERIOD_S) + delta;
  }

  private totp(base32: string, label: string): TOTP {
    return new TOTP({
      issuer: ISSUER,
      label,
      algorithm: 'SHA1',
      digits: 6,
      period: PERIOD_S,
      secret: Secret.fromBase32(base32),
    });
  }
}
