/**
 * Exact decimal arithmetic on scaled integers, for the matching engine's hot path: a value is
 * `units × 10^-scale`, with `units` a JavaScript number while it is a safe integer (|units| <
 * 2^53) and a bigint beyond, so a balance of 1e9 USDT with 18 decimals stays exact. Results are
 * exact (no floats for money): a number operation whose exact result would leave the safe range
 * is redone on bigints. Values are kept normalized (no trailing zero in `units` when `scale` > 0),
 * and `toString()` spells them as big.js's `toFixed()` does: "0.035", "-12", "0".
 *
 * @example
 *   Decimal.parse('0.035').times(Decimal.parse('60000.1')).toString() // '2100.0035'
 */
export class Decimal {
  /** A safe integer (number) or, beyond 2^53, a bigint: never a bigint that would fit a number. */
  declare readonly units: number | bigint;
  declare readonly scale: number;
  /** The spelling, once known (parsed from canonical text, or spelled by `toString`). */
  declare private text: string | undefined;

  // Fields assigned here only (no class-field definitions first): one hidden class, and small
  // methods below with their bigint fallbacks apart, so V8 inlines them and often allocates
  // nothing for an intermediate value.
  private constructor(units: number | bigint, scale: number, text?: string) {
    this.units = units;
    this.scale = scale;
    this.text = text;
  }

  static readonly ZERO = new Decimal(0, 0);

  /**
   * Parses a plain decimal ("-12.50", "0.035"; no exponent, no '+'); throws on anything else.
   * Callers validate user input first (orders.ts, ledger.ts): here a bad string is a fault.
   */
  static parse(text: string): Decimal {
    if (text === '0') return Decimal.ZERO;
    const n = text.length;
    let i = text.charCodeAt(0) === 45 ? 1 : 0;
    const negative = i === 1;
    let units = 0;
    let scale = -1;
    let digits = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 46 && scale < 0 && digits > 0) {
        scale = 0;
        continue;
      }
      if (c < 48 || c > 57) throw new Error(`not a plain decimal: "${text}"`);
      units = units * 10 + (c - 48);
      digits++;
      if (scale >= 0) scale++;
    }
    if (digits === 0 || scale === 0) throw new Error(`not a plain decimal: "${text}"`);
    if (scale < 0) scale = 0;
    // Up to 15 digits the running sum stays below 2^53 and is exact.
    const value =
      digits <= 15 ? Decimal.of(negative ? -units : units, scale) : Decimal.ofBig(BigInt(text.replace('.', '')), scale);
    // Keep the text when it is already the canonical spelling: no trailing zero after the
    // point, no leading zero before a digit (the value is not zero: that returned above).
    const first = negative ? 1 : 0;
    const canonical =
      (scale === 0 || text.charCodeAt(n - 1) !== 48) &&
      !(text.charCodeAt(first) === 48 && text.charCodeAt(first + 1) !== 46);
    if (canonical && value.units !== 0) value.text = text;
    return value;
  }

  /** units × 10^-scale, normalized. */
  static of(units: number | bigint, scale: number): Decimal {
    if (typeof units === 'bigint') return Decimal.ofBig(units, scale);
    if (units === 0) return Decimal.ZERO;
    if (scale === 0 || units % 10 !== 0) return new Decimal(units, scale);
    let u = units / 10;
    let s = scale - 1;
    while (s > 0 && u % 10 === 0) {
      u /= 10;
      s--;
    }
    return new Decimal(u, s);
  }

  private static ofBig(units: bigint, scale: number): Decimal {
    let u = units;
    let s = scale;
    while (s > 0 && u % 10n === 0n) {
      u /= 10n;
      s--;
    }
    return u >= -MAX_BIG && u <= MAX_BIG ? Decimal.of(Number(u), s) : new Decimal(u, s);
  }

  plus(other: Decimal): Decimal {
    const a = this.units;
    const b = other.units;
    if (typeof a === 'number' && typeof b === 'number') {
      if (b === 0) return this;
      if (a === 0) return other;
      if (this.scale === other.scale) {
        const sum = a + b;
        if (safe(sum)) return Decimal.of(sum, this.scale);
      } else if (this.scale > other.scale) {
        const sum = a + b * (POW10[this.scale - other.scale] ?? Infinity);
        if (safe(sum)) return Decimal.of(sum, this.scale);
      } else {
        const sum = a * (POW10[other.scale - this.scale] ?? Infinity) + b;
        if (safe(sum)) return Decimal.of(sum, other.scale);
      }
    }
    return this.plusBig(other);
  }

  private plusBig(other: Decimal): Decimal {
    const s = Math.max(this.scale, other.scale);
    return Decimal.ofBig(this.bigAt(s) + other.bigAt(s), s);
  }

  minus(other: Decimal): Decimal {
    return this.plus(other.neg());
  }

  neg(): Decimal {
    if (this.units === 0) return this;
    return new Decimal(-this.units, this.scale);
  }

  times(other: Decimal): Decimal {
    const a = this.units;
    const b = other.units;
    if (typeof a === 'number' && typeof b === 'number') {
      const product = a * b;
      if (safe(product)) return Decimal.of(product, this.scale + other.scale);
    }
    return this.timesBig(other);
  }

  private timesBig(other: Decimal): Decimal {
    return Decimal.ofBig(this.bigAt(this.scale) * other.bigAt(other.scale), this.scale + other.scale);
  }

  /** Rounds towards zero to `dp` decimal places (big.js's `round(dp, Big.roundDown)`). */
  roundDown(dp: number): Decimal {
    if (this.scale <= dp) return this;
    const cut = this.scale - dp;
    const u = this.units;
    if (typeof u === 'number') {
      // |u| < 2^53 < 10^16: cutting 16 digits or more leaves nothing.
      if (cut >= 16) return Decimal.ZERO;
      const p = POW10[cut] ?? 1;
      // u - u % p is an exact multiple of p, so the quotient is exact.
      return Decimal.of((u - (u % p)) / p, dp);
    }
    return Decimal.ofBig(u / 10n ** BigInt(cut), dp);
  }

  /** The whole number of times `divisor` goes into this value, rounded towards zero. */
  divideToInteger(divisor: Decimal): Decimal {
    if (divisor.units === 0) throw new RangeError('division by zero');
    const s = Math.max(this.scale, divisor.scale);
    return Decimal.ofBig(this.bigAt(s) / divisor.bigAt(s), 0);
  }

  /** True when this value is a whole multiple of `step` (a positive decimal). */
  isMultipleOf(step: Decimal): boolean {
    const a = this.units;
    const b = step.units;
    if (typeof a === 'number' && typeof b === 'number' && this.scale <= step.scale) {
      const aligned = a * (POW10[step.scale - this.scale] ?? Infinity);
      if (safe(aligned)) return aligned % b === 0;
    }
    const s = Math.max(this.scale, step.scale);
    return this.bigAt(s) % step.bigAt(s) === 0n;
  }

  /** -1, 0 or 1 as this value is below, equal to or above `other`. */
  cmp(other: Decimal): -1 | 0 | 1 {
    const a = this.units;
    const b = other.units;
    if (typeof a === 'number' && typeof b === 'number') {
      if (this.scale === other.scale) return a < b ? -1 : a > b ? 1 : 0;
      const s = Math.max(this.scale, other.scale);
      const x = a * (POW10[s - this.scale] ?? Infinity);
      const y = b * (POW10[s - other.scale] ?? Infinity);
      if (safe(x) && safe(y)) return x < y ? -1 : x > y ? 1 : 0;
    }
    return this.cmpBig(other);
  }

  private cmpBig(other: Decimal): -1 | 0 | 1 {
    const s = Math.max(this.scale, other.scale);
    const x = this.bigAt(s);
    const y = other.bigAt(s);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  eq(other: Decimal): boolean {
    return this.cmp(other) === 0;
  }
  lt(other: Decimal): boolean {
    return this.cmp(other) < 0;
  }
  lte(other: Decimal): boolean {
    return this.cmp(other) <= 0;
  }
  gt(other: Decimal): boolean {
    return this.cmp(other) > 0;
  }
  gte(other: Decimal): boolean {
    return this.cmp(other) >= 0;
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    const u = this.units;
    return u > 0 ? 1 : u < 0 ? -1 : 0;
  }

  isZero(): boolean {
    return this.units === 0;
  }

  /** The plain decimal spelling, as big.js's `toFixed()`: no exponent, no trailing zeros, '0' for zero. */
  toString(): string {
    if (this.text === undefined) this.text = this.spell();
    return this.text;
  }

  private spell(): string {
    const u = this.units;
    if (u === 0) return '0';
    const negative = u < 0;
    const digits = (negative ? -u : u).toString();
    if (this.scale === 0) return negative ? `-${digits}` : digits;
    const padded = digits.length > this.scale ? digits : '0'.repeat(this.scale - digits.length + 1) + digits;
    const point = padded.length - this.scale;
    const text = `${padded.slice(0, point)}.${padded.slice(point)}`;
    return negative ? `-${text}` : text;
  }

  /** The units at a scale at least this value's own, as a bigint. */
  private bigAt(scale: number): bigint {
    const u = BigInt(this.units);
    return scale === this.scale ? u : u * 10n ** BigInt(scale - this.scale);
  }
}

const MAX_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** 10^0 to 10^22, the powers of ten a double holds exactly. */
const POW10: readonly number[] = (() => {
  const out = [1];
  // Repeated multiplication by ten: each power up to 10^22 is exact, so each product is too.
  for (let k = 1; k <= 22; k++) out.push((out[k - 1] ?? 1) * 10);
  return out;
})();

/**
 * True when an operation on safe integers gave a safe integer. The exact result of a sum or
 * product of integers is an integer; when its magnitude is at most 2^53 - 1 the double holds it
 * exactly, and rounding is monotone, so a larger exact result shows as a larger double.
 */
const safe = (x: number): boolean => x <= Number.MAX_SAFE_INTEGER && x >= -Number.MAX_SAFE_INTEGER;

/** Parses a plain decimal string (see `Decimal.parse`). */
export const dec = (text: string): Decimal => Decimal.parse(text);
