import type { World } from './world.js';

/**
 * One measured use of a ccxt unified method: `run` calls it as a bot would and throws (with the
 * reason) unless the answer is right, not merely free of exceptions.
 */
export interface Variant {
  method: string;
  variant: string;
  run: (w: World) => Promise<void>;
  /** Longest the check may take, ms (default 10 s). */
  timeoutMs?: number;
}

export interface Outcome {
  method: string;
  variant: string;
  ok: boolean;
  reason: string;
  ms: number;
}

/** Throws `reason` unless `cond` holds. */
export function expect(cond: unknown, reason: string): asserts cond {
  if (!cond) throw new Error(reason);
}

/** Throws unless `actual` equals `expected` (JSON comparison), naming both. */
export function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: got ${a?.slice(0, 120)}, expected ${e?.slice(0, 120)}`);
}

export const v = (method: string, variant: string, run: (w: World) => Promise<void>, timeoutMs?: number): Variant => ({
  method,
  variant,
  run,
  ...(timeoutMs === undefined ? {} : { timeoutMs }),
});

/** The first line of an error, as short as a table cell allows. */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
  const line = (text.split('\n')[0] ?? '').replace(/\s+/g, ' ').replace(/okx \{/, '{');
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** Runs every variant in turn, each under its own deadline; one failure never stops the rest. */
export async function runVariants(
  w: World,
  variants: readonly Variant[],
  onOutcome?: (o: Outcome) => void,
): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const variant of variants) {
    const started = Date.now();
    const limit = variant.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${limit} ms`)), limit);
    });
    let outcome: Outcome;
    try {
      await Promise.race([variant.run(w), deadline]);
      outcome = { method: variant.method, variant: variant.variant, ok: true, reason: '', ms: Date.now() - started };
    } catch (err) {
      outcome = {
        method: variant.method,
        variant: variant.variant,
        ok: false,
        reason: reasonOf(err),
        ms: Date.now() - started,
      };
    } finally {
      clearTimeout(timer);
    }
    out.push(outcome);
    onOutcome?.(outcome);
  }
  return out;
}
