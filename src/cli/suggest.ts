/** Levenshtein distance between two short strings (flag and command names). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate closest to a mistyped word, if it is close enough to be a typo: at most 2 edits,
 * and fewer than a third of the word's length (so "x" does not suggest "ip"). A candidate that
 * starts with the word (an abbreviation such as "pass" for "passphrase") also counts.
 *   closest('pasphrase', ['passphrase', 'perm']) === 'passphrase'
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word, name);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best !== undefined && best.distance <= Math.min(2, Math.ceil(word.length / 3))) return best.name;
  if (word.length >= 3) {
    const prefixed = candidates.filter((c) => c.startsWith(word));
    if (prefixed.length === 1) return prefixed[0];
  }
  return undefined;
}

/** "; did you mean X?" or nothing. */
export function didYouMean(word: string, candidates: readonly string[], show: (c: string) => string = (c) => c) {
  const match = closest(word, candidates);
  return match === undefined ? '' : `; did you mean ${show(match)}?`;
}
