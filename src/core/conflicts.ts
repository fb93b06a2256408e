import { RuleError } from './errors.js';

/**
 * The refusals a store makes when the database finds a duplicate, written once for every
 * adapter (each adapter only recognises its driver's unique-violation error).
 */

/** Another account already has this email (51000). */
export function duplicateEmail(email: string): RuleError {
  return new RuleError('51000', `email: an account with ${email} already exists`, 'email');
}

/** OKX's 59601: sub-account names are unique across signet. */
export function subAccountNameTaken(name: string): RuleError {
  return new RuleError('59601', `subAcct: the name ${name} is already taken`, 'subAcct');
}

/** OKX's 59510: the master has no sub-account of that name (another master's counts as none). */
export function missingSubAccount(name: string): RuleError {
  return new RuleError('59510', `subAcct: no sub-account named ${name} in this account`, 'subAcct');
}

/** The clOrdId is already used by another open order of the account (51016). */
export function duplicateClOrdId(): RuleError {
  return new RuleError('51016', 'clOrdId: already used by another open order of this account', 'clOrdId');
}

/** The account's address book already has this address on this chain (51000). */
export function duplicateAddress(address: string, chain: string): RuleError {
  return new RuleError('51000', `address: ${address} on ${chain} is already in the address book`, 'address');
}
