import { RuleError } from '../core/errors.js';
import { checkGrace } from '../core/grace.js';
import type { KeyRecord, KeyRevision } from '../store/store.js';

/**
 * The state changes of a key (disable, enable, roll its secret) as revisions for
 * `KeyStore.reviseKey`: each sees the key inside the transaction and throws a RuleError when the
 * change makes no sense. Audit details never carry a secret.
 */

const iso = (ms: number): string => new Date(ms).toISOString();

/** Disables an enabled key at `now` (settings kept; refused with 50100 until enabled). */
export function disableRevision(now: number): (current: KeyRecord) => KeyRevision {
  return (current) => {
    if (current.disabledAt !== null) {
      throw new RuleError('51000', `state: API key ${current.apiKey} is already disabled`, 'state');
    }
    return { action: 'disable', disabledAt: now, detail: { label: current.label } };
  };
}

/** Enables a disabled key again, with the settings it had. */
export function enableRevision(): (current: KeyRecord) => KeyRevision {
  return (current) => {
    if (current.disabledAt === null) throw notDisabled(current.apiKey);
    return {
      action: 'enable',
      disabledAt: null,
      detail: { label: current.label, disabledSince: iso(current.disabledAt) },
    };
  };
}

/** Throws the RuleError `enable` would for a key that is not disabled (checked before a code is used). */
export function checkCanEnable(key: Pick<KeyRecord, 'apiKey' | 'disabledAt'>): void {
  if (key.disabledAt === null) throw notDisabled(key.apiKey);
}

function notDisabled(apiKey: string): RuleError {
  return new RuleError('51000', `state: API key ${apiKey} is not disabled`, 'state');
}

/**
 * Replaces the secret by `secretSealed` (sealed for the same API key); the current secret keeps
 * working until now + grace (a grace of 0 ends it at once). Rolling during a grace drops the
 * older secret: only the one just replaced keeps working.
 */
export function rollRevision(secretSealed: Buffer, graceMs: number, now: number): (current: KeyRecord) => KeyRevision {
  checkGrace(graceMs);
  return (current) => {
    const kept = graceMs > 0;
    return {
      action: 'roll',
      secretSealed,
      prevSecretSealed: kept ? current.secretSealed : null,
      prevSecretUntil: kept ? now + graceMs : null,
      detail: { label: current.label, graceUntil: kept ? iso(now + graceMs) : null },
    };
  };
}

/** When the key's previous secret stops working, if it still works at `now` (Unix ms); else null. */
export function graceEnd(key: Pick<KeyRecord, 'prevSecretSealed' | 'prevSecretUntil'>, now: number): number | null {
  const until = key.prevSecretUntil;
  return key.prevSecretSealed !== null && until !== null && now < until ? until : null;
}
