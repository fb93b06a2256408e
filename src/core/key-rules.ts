import { RuleError, RuleErrors } from './errors.js';
import { parseIpList } from './ip-whitelist.js';
import { type PermissionSet, parsePermissions } from './permissions.js';

/** At most this many keys per account (OKX rule, error 59501). */
export const MAX_KEYS_PER_ACCOUNT = 50;
export const MAX_LABEL_LENGTH = 50;

export type KeyEnv = 'live' | 'demo';

const LABEL_PATTERN = /^[A-Za-z0-9_-](?:[A-Za-z0-9 _-]*[A-Za-z0-9_-])?$/;
const PASSPHRASE_SPECIAL = /[^A-Za-z0-9]/;
const EDGE_WHITESPACE = /^\s|\s$/;

/** API name: case-sensitive, 1 to 50 letters, digits, spaces, '-' or '_', not blank. */
export function validateLabel(label: string): string {
  if (label.trim() === '') throw new RuleError('50014', 'name: the API name cannot be empty', 'name');
  if (label.length > MAX_LABEL_LENGTH) {
    throw new RuleError(
      '51000',
      `name: the API name is ${label.length} characters; at most ${MAX_LABEL_LENGTH}`,
      'name',
    );
  }
  if (!LABEL_PATTERN.test(label)) {
    throw new RuleError(
      '51000',
      'name: use only letters, digits, spaces, "-" and "_", not starting or ending with a space',
      'name',
    );
  }
  return label;
}

/**
 * Passphrase: 8 to 32 characters with a lowercase and an uppercase letter, a digit and a
 * special character (OKX's sub-account key rule, error 59505), not starting or ending with
 * whitespace: HTTP trims header values, so such a passphrase could never be sent in
 * OK-ACCESS-PASSPHRASE.
 */
export function validatePassphrase(passphrase: string): string {
  if (EDGE_WHITESPACE.test(passphrase)) {
    throw new RuleError(
      '59505',
      'passphrase: the passphrase cannot start or end with a space or tab (HTTP headers drop them)',
      'passphrase',
    );
  }
  const problems: string[] = [];
  if (passphrase.length < 8 || passphrase.length > 32) problems.push('8 to 32 characters');
  if (!/[a-z]/.test(passphrase)) problems.push('a lowercase letter');
  if (!/[A-Z]/.test(passphrase)) problems.push('an uppercase letter');
  if (!/[0-9]/.test(passphrase)) problems.push('a digit');
  if (!PASSPHRASE_SPECIAL.test(passphrase)) problems.push('a special character');
  if (problems.length > 0) {
    throw new RuleError(
      '59505',
      `passphrase: the passphrase format is incorrect; it needs ${problems.join(', ')}`,
      'passphrase',
    );
  }
  return passphrase;
}

export interface NewKeyInput {
  label: string;
  passphrase: string;
  perm?: string | readonly string[] | undefined;
  ip?: string | readonly string[] | undefined;
  env: KeyEnv;
}

export interface ValidNewKey {
  label: string;
  passphrase: string;
  perms: PermissionSet;
  ips: string[];
  env: KeyEnv;
}

/** What the account already holds, as far as the rules need to know. */
export interface AccountKeys {
  count: number;
  labels: readonly string[];
}

const tooManyKeys = (count: number) =>
  new RuleError(
    '59501',
    `keys: the account already holds ${count} keys; each account can create up to ${MAX_KEYS_PER_ACCOUNT} API keys`,
    'keys',
  );

const duplicateLabel = (label: string) =>
  new RuleError(
    '59502',
    `name: "${label}" already exists in this account; API names must be unique (case-sensitive)`,
    'name',
  );

/** Checks a creation request against every rule; returns the normalised key or throws RuleError. */
export function validateNewKey(input: NewKeyInput, existing: AccountKeys): ValidNewKey {
  if (existing.count >= MAX_KEYS_PER_ACCOUNT) throw tooManyKeys(existing.count);
  const label = validateLabel(input.label);
  if (existing.labels.includes(label)) throw duplicateLabel(label);
  return {
    label,
    passphrase: validatePassphrase(input.passphrase),
    perms: parsePermissions(input.perm ?? 'read'),
    ips: parseIpList(input.ip ?? ''),
    env: input.env,
  };
}

export interface KeyChangeInput {
  label?: string | undefined;
  perm?: string | readonly string[] | undefined;
  ip?: string | readonly string[] | undefined;
}

export interface ValidKeyChange {
  label?: string;
  perms?: PermissionSet;
  ips?: string[];
}

/** Checks a modification; `otherLabels` are the account's other keys' names. */
export function validateKeyChange(input: KeyChangeInput, otherLabels: readonly string[]): ValidKeyChange {
  const change: ValidKeyChange = {};
  if (input.label !== undefined) {
    const label = validateLabel(input.label);
    if (otherLabels.includes(label)) throw duplicateLabel(label);
    change.label = label;
  }
  if (input.perm !== undefined) change.perms = parsePermissions(input.perm);
  if (input.ip !== undefined) change.ips = parseIpList(input.ip);
  if (change.label === undefined && change.perms === undefined && change.ips === undefined) {
    throw new RuleError('50014', 'change: give at least one of name, perm or ip', 'change');
  }
  return change;
}

/**
 * Whether `text` has the form of an API key: a lower-case UUID (8-4-4-4-12 hex digits), as signet
 * issues them. Checked on every signed request before any lookup, so written as one pass over the
 * characters rather than a regular expression.
 */
export function isApiKeyFormat(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45 /* - */) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return false;
    }
  }
  return true;
}

/** A key after a checked change made at `at`: the fields the change gives replace the current ones. */
export function applyKeyChange<K extends { label: string; perms: PermissionSet; ips: string[]; updatedAt: number }>(
  current: K,
  change: ValidKeyChange,
  at: number,
): K {
  return {
    ...current,
    label: change.label ?? current.label,
    perms: change.perms ?? current.perms,
    ips: change.ips ?? current.ips,
    updatedAt: at,
  };
}

/** Operator rules on top of OKX's: whether a key with Withdraw must bind IP addresses (SIGNET_WITHDRAW_REQUIRES_IP). */
export interface KeyPolicy {
  withdrawRequiresIp: boolean;
}

export const DEFAULT_KEY_POLICY: KeyPolicy = Object.freeze({ withdrawRequiresIp: false });

/**
 * Withdraw on a key that any IP may use: a warning by default (the guide allows it), refused with
 * 51000 on `ip` when the policy makes it a rule. OKX has no dedicated code for this; 51000
 * ("Parameter ip error") is its code for an unacceptable ip parameter.
 */
export function withdrawWithoutIp(perms: PermissionSet, ips: readonly string[]): boolean {
  return perms.withdraw && ips.length === 0;
}

function checkWithdrawIp(perms: PermissionSet, ips: readonly string[], policy: KeyPolicy): void {
  if (policy.withdrawRequiresIp && withdrawWithoutIp(perms, ips)) {
    throw new RuleError(
      '51000',
      'ip: a key with the Withdraw permission must bind at least one IP address on this server',
      'ip',
    );
  }
}

/** Runs each check, collecting the RuleErrors they throw (other errors propagate). */
function collect(checks: ReadonlyArray<() => void>): RuleError[] {
  const problems: RuleError[] = [];
  for (const check of checks) {
    try {
      check();
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      problems.push(...(err instanceof RuleErrors ? err.problems : [err]));
    }
  }
  return problems;
}

const throwAll = (problems: RuleError[]): void => {
  if (problems.length > 0) throw new RuleErrors(problems);
};

/**
 * Every rule a new key breaks, one RuleError per field (empty: the key may be created), so a form
 * can show them all at once before anything irreversible (an authenticator code) is spent.
 */
export function newKeyProblems(input: NewKeyInput, existing: AccountKeys, policy = DEFAULT_KEY_POLICY): RuleError[] {
  let perms: PermissionSet | null = null;
  let ips: string[] | null = null;
  return collect([
    () => {
      if (existing.count >= MAX_KEYS_PER_ACCOUNT) throw tooManyKeys(existing.count);
    },
    () => {
      const label = validateLabel(input.label);
      if (existing.labels.includes(label)) throw duplicateLabel(label);
    },
    () => validatePassphrase(input.passphrase),
    () => {
      perms = parsePermissions(input.perm ?? 'read');
    },
    () => {
      ips = parseIpList(input.ip ?? '');
    },
    () => {
      if (perms !== null && ips !== null) checkWithdrawIp(perms, ips, policy);
    },
  ]);
}

/** `validateNewKey` and the policy, reporting every problem at once (RuleErrors). */
export function validateNewKeyAll(input: NewKeyInput, existing: AccountKeys, policy = DEFAULT_KEY_POLICY): ValidNewKey {
  throwAll(newKeyProblems(input, existing, policy));
  return validateNewKey(input, existing);
}

/**
 * Every rule a change breaks (see `newKeyProblems`); `current` is the key as stored, so the
 * Withdraw policy sees the key as it would be after the change.
 */
export function keyChangeProblems(
  input: KeyChangeInput,
  otherLabels: readonly string[],
  current: { perms: PermissionSet; ips: readonly string[] },
  policy = DEFAULT_KEY_POLICY,
): RuleError[] {
  let perms: PermissionSet = current.perms;
  let ips: readonly string[] = current.ips;
  const problems = collect([
    () => {
      if (input.label !== undefined) validateKeyChange({ label: input.label }, otherLabels);
    },
    () => {
      if (input.perm !== undefined) perms = parsePermissions(input.perm);
    },
    () => {
      if (input.ip !== undefined) ips = parseIpList(input.ip);
    },
  ]);
  if (input.label === undefined && input.perm === undefined && input.ip === undefined) {
    problems.push(...collect([() => validateKeyChange(input, otherLabels)]));
  }
  // The policy looks at the key as it would be; skipped when the new permissions or IPs are unreadable.
  const unreadable = problems.some((p) => p.field === 'perm' || p.field === 'ip');
  if (!unreadable) problems.push(...collect([() => checkWithdrawIp(perms, ips, policy)]));
  return problems;
}

/** `validateKeyChange` and the policy, reporting every problem at once (RuleErrors). */
export function validateKeyChangeAll(
  input: KeyChangeInput,
  otherLabels: readonly string[],
  current: { perms: PermissionSet; ips: readonly string[] },
  policy = DEFAULT_KEY_POLICY,
): ValidKeyChange {
  throwAll(keyChangeProblems(input, otherLabels, current, policy));
  return validateKeyChange(input, otherLabels);
}
