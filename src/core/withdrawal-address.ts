import { RuleError } from './errors.js';
import { CURRENCY_BY_CCY } from './markets.js';

/** At most this many saved withdrawal addresses per account. */
export const MAX_ADDRESSES_PER_ACCOUNT = 200;
const ADDRESS = /^[A-Za-z0-9][A-Za-z0-9:._-]{9,127}$/;

export interface NewAddressInput {
  ccy: string;
  chain: string;
  address: string;
  label: string;
}

/** Checks an address-book entry: a listed currency, one of its chains, a plausible address, a short label. */
export function validateWithdrawalAddress(input: NewAddressInput, existingCount: number): NewAddressInput {
  if (existingCount >= MAX_ADDRESSES_PER_ACCOUNT) {
    throw new RuleError(
      '51000',
      `address: the address book holds ${existingCount} addresses; at most ${MAX_ADDRESSES_PER_ACCOUNT}`,
      'address',
    );
  }
  const ccy = input.ccy.trim().toUpperCase();
  const currency = CURRENCY_BY_CCY.get(ccy);
  if (currency === undefined) {
    throw new RuleError(
      '51000',
      `ccy: "${input.ccy}" is not listed; use one of ${[...CURRENCY_BY_CCY.keys()].join(', ')}`,
      'ccy',
    );
  }
  const chain = currency.chains.find((c) => c.chain.toLowerCase() === input.chain.trim().toLowerCase())?.chain;
  if (chain === undefined) {
    throw new RuleError(
      '51000',
      `chain: "${input.chain}" is not a chain of ${ccy}; use one of ${currency.chains.map((c) => c.chain).join(', ')}`,
      'chain',
    );
  }
  const address = input.address.trim();
  if (!ADDRESS.test(address)) {
    throw new RuleError(
      '51000',
      'address: 10 to 128 letters, digits or ":._-", starting with a letter or digit',
      'address',
    );
  }
  const label = input.label.trim();
  if (label.length > 50) throw new RuleError('51000', `label: ${label.length} characters; at most 50`, 'label');
  return { ccy, chain, address, label };
}
