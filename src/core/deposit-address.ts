import { RuleError } from './errors.js';
import type { Currency } from './markets.js';

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

const pick = (alphabet: string, bytes: Uint8Array, n: number): string =>
  Array.from({ length: n }, (_, i) => alphabet[(bytes[i % bytes.length] ?? 0) % alphabet.length]).join('');

/**
 * A paper deposit address in the shape of the chain's real ones (bech32 `bc1q...` on Bitcoin,
 * `0x` + 40 hex on EVM chains, base58 `T...` on TRON, base58 on Solana), from 40 random bytes.
 * Not a real address: nothing is ever sent on chain.
 */
export function paperAddress(chain: string, bytes: Uint8Array): string {
  if (chain.endsWith('-Bitcoin')) return `bc1q${pick(BECH32, bytes, 38)}`;
  if (chain.endsWith('-TRC20')) return `T${pick(BASE58, bytes, 33)}`;
  if (chain.endsWith('-Solana')) return pick(BASE58, bytes, 44);
  return `0x${Buffer.from(bytes.subarray(0, 20)).toString('hex')}`;
}

/** The currency a deposit-address request names: `ccy` required (50014), listed (51000). */
export function depositCurrency(ccy: unknown, currencies: ReadonlyMap<string, Currency>): Currency {
  if (typeof ccy !== 'string' || ccy === '') throw new RuleError('50014', 'ccy: required', 'ccy');
  const currency = currencies.get(ccy.toUpperCase());
  if (currency === undefined) throw new RuleError('51000', `ccy: "${ccy}" is not listed`, 'ccy');
  return currency;
}
