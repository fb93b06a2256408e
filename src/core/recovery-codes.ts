/**
 * Spends one recovery code: the remaining hashes without `hash` (its first occurrence), or null
 * if it is not among them (unknown or already used).
 *
 * @example useRecoveryHash(['a', 'b'], 'a') // ['b']
 */
export function useRecoveryHash(hashes: readonly string[], hash: string): string[] | null {
  const at = hashes.indexOf(hash);
  if (at < 0) return null;
  return [...hashes.slice(0, at), ...hashes.slice(at + 1)];
}
