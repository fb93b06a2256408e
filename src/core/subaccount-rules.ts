import { RuleError } from './errors.js';

/**
 * OKX's rules for creating a sub-account (`POST /api/v5/users/subaccount/create-subaccount`),
 * pure: names, labels, the type, and how many a master may have.
 */

/**
 * `subAcct`: 6 to 20 letters and digits, case-sensitive, at least one letter. OKX's create-apikey
 * page says "6 to 20 characters that include numbers and letters (case sensitive, space symbol is
 * not supported)"; "not pure numbers" comes from its ND-broker twin only (UNCONFIRMED for
 * users/subaccount): signet follows it, so a name never looks like a uid.
 */
const NAME = /^(?=.*[A-Za-z])[A-Za-z0-9]{6,20}$/;

/**
 * `label`: optional; OKX: "6-32 letters (case sensitive), numbers or special characters like *".
 * signet reads that as 6 to 32 printable ASCII characters other than the space.
 */
const LABEL = /^[\x21-\x7e]{6,32}$/;

/**
 * The most sub-accounts one master may have (59603 beyond). OKX's help gives 5 for regular users
 * and 20-30 for VIPs; signet's purpose is platforms that keep each of their users in a
 * sub-account (as OKX's brokers do, with higher limits), so it allows 1000.
 */
export const MAX_SUB_ACCOUNTS = 1000;

/** The only `type` signet creates: OKX's standard sub-account. */
export const STANDARD_SUB_ACCOUNT = '1';

/** A valid create-subaccount request. */
export interface NewSubAccountInput {
  name: string;
  label: string;
  type: string;
}

/** Checks `subAcct` (RuleError 50014 when missing, 51000 when malformed). */
export function checkSubAccountName(name: unknown): string {
  if (name === undefined || name === null || name === '') throw new RuleError('50014', 'subAcct: required', 'subAcct');
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new RuleError(
      '51000',
      `subAcct: 6 to 20 letters and digits with at least one letter (case-sensitive, no spaces), got ${JSON.stringify(name)}`,
      'subAcct',
    );
  }
  return name;
}

/** Checks the optional `label` ('' when absent). */
export function checkSubAccountLabel(label: unknown): string {
  if (label === undefined || label === null || label === '') return '';
  if (typeof label !== 'string' || !LABEL.test(label)) {
    throw new RuleError('51000', 'label: 6 to 32 letters, digits or special characters such as * (no spaces)', 'label');
  }
  return label;
}

/**
 * Checks `type`: required on the wire (OKX), '1' only. OKX refuses 2 and 9 (managed) on this
 * endpoint; 5 and 12 are custody sub-accounts (Copper, Komainu) that need a custodian signet
 * does not have: 51000 with a message saying so (OKX's 59515-59517 are about custody
 * prerequisites signet cannot meet at all).
 */
export function checkSubAccountType(type: unknown): string {
  if (type === undefined || type === null || type === '') throw new RuleError('50014', 'type: required', 'type');
  if (type === STANDARD_SUB_ACCOUNT) return STANDARD_SUB_ACCOUNT;
  const why =
    type === '5' || type === '12'
      ? 'custody trading sub-accounts (5 Copper, 12 Komainu) need a custodian, which signet does not have'
      : type === '2' || type === '9'
        ? 'managed trading sub-accounts (2, 9) cannot be created through the API'
        : `unknown type ${JSON.stringify(type)}`;
  throw new RuleError('51000', `type: only 1 (standard sub-account) is supported; ${why}`, 'type');
}

/** Checks a whole create request; `count` is how many sub-accounts the master has (59603 at the limit). */
export function checkNewSubAccount(
  input: { name: unknown; label: unknown; type: unknown },
  count: number,
  max = MAX_SUB_ACCOUNTS,
): NewSubAccountInput {
  const valid = {
    name: checkSubAccountName(input.name),
    type: checkSubAccountType(input.type),
    label: checkSubAccountLabel(input.label),
  };
  if (count >= max)
    throw new RuleError(
      '59603',
      `subAcct: this account already has ${count} sub-accounts, the most allowed`,
      'subAcct',
    );
  return valid;
}
