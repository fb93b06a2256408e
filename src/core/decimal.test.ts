import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Big from 'big.js';
import { Decimal } from './decimal.js';
import { seededRandom } from './market-maker.js';

const random = seededRandom(19);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

/** Digit strings of 1 to `max` digits, biased towards the edges: zeros, nines, 15 to 17 digits (2^53 has 16). */
function digits(max: number): string {
  const n = random() < 0.3 ? pick([1, 15, 16, 17, 18, max]) : 1 + Math.floor(random() * max);
  const style = random();
  let out = '';
  for (let i = 0; i < n; i++) {
    out += style < 0.15 ? '9' : style < 0.25 ? (i === 0 ? '1' : '0') : String(Math.floor(random() * 10));
  }
  return out;
}

/** A plain decimal as the engine meets it: up to 21 whole digits and 18 decimals, either sign. */
function randomDecimal(): string {
  const r = random();
  if (r < 0.05) return '0';
  if (r < 0.1) return pick(['9007199254740991', '9007199254740992', '-9007199254740993', '0.000000000000000001']);
  if (r < 0.2) return `1000000000.${digits(18)}`; // 1e9 USDT with 18 decimals
  const whole = random() < 0.4 ? '0' : digits(21).replace(/^0+(?=\d)/, '');
  const fraction = random() < 0.2 ? '' : digits(18);
  const text = fraction === '' ? whole : `${whole}.${fraction}`;
  return random() < 0.3 && text !== '0' ? `-${text}` : text;
}

const ROUNDS = 20_000;

describe('Decimal against big.js on random values', () => {
  test('parse and toString give big.js toFixed()', () => {
    for (let i = 0; i < ROUNDS; i++) {
      const a = randomDecimal();
      assert.equal(Decimal.parse(a).toString(), new Big(a).toFixed(), a);
    }
    for (const a of ['007', '0.50', '-0.0', '00.1', '-00', '10', '-10.10', '0.000', '1000000000.000000000000000000']) {
      assert.equal(Decimal.parse(a).toString(), new Big(a).toFixed(), a);
    }
  });

  test('plus, minus, times, neg', () => {
    for (let i = 0; i < ROUNDS; i++) {
      const a = randomDecimal();
      const b = randomDecimal();
      const x = Decimal.parse(a);
      const y = Decimal.parse(b);
      assert.equal(x.plus(y).toString(), new Big(a).plus(b).toFixed(), `${a} + ${b}`);
      assert.equal(x.minus(y).toString(), new Big(a).minus(b).toFixed(), `${a} - ${b}`);
      assert.equal(x.times(y).toString(), new Big(a).times(b).toFixed(), `${a} × ${b}`);
      assert.equal(x.neg().toString(), new Big(a).neg().toFixed(), `-${a}`);
    }
  });

  test('cmp, sign and the comparisons', () => {
    for (let i = 0; i < ROUNDS; i++) {
      const a = randomDecimal();
      // Often equal or one unit apart: the cases a careless alignment gets wrong.
      const b =
        random() < 0.3 ? a : random() < 0.5 ? new Big(a).plus('0.000000000000000001').toFixed() : randomDecimal();
      const x = Decimal.parse(a);
      const y = Decimal.parse(b);
      assert.equal(x.cmp(y), new Big(a).cmp(b), `${a} cmp ${b}`);
      assert.equal(x.eq(y), new Big(a).eq(b));
      assert.equal(x.lt(y), new Big(a).lt(b));
      assert.equal(x.lte(y), new Big(a).lte(b));
      assert.equal(x.gt(y), new Big(a).gt(b));
      assert.equal(x.gte(y), new Big(a).gte(b));
      assert.equal(x.sign(), new Big(a).cmp(0));
      assert.equal(x.isZero(), new Big(a).eq(0));
    }
  });

  test('roundDown to 0 to 18 places, also on products of up to 36 places', () => {
    for (let i = 0; i < ROUNDS; i++) {
      const a = randomDecimal();
      const b = random() < 0.5 ? pick(['0.001', '0.0008', '0.00000001', '1']) : randomDecimal();
      const dp = random() < 0.5 ? 18 : Math.floor(random() * 19);
      const product = Decimal.parse(a).times(Decimal.parse(b));
      const expected = new Big(a).times(b).round(dp, Big.roundDown).toFixed();
      assert.equal(product.roundDown(dp).toString(), expected, `${a} × ${b} to ${dp}`);
    }
  });

  test('isMultipleOf and divideToInteger', () => {
    for (let i = 0; i < ROUNDS; i++) {
      const step = pick(['0.1', '0.01', '0.00001', '0.00000001', '0.000001', '1', '0.000000000000000001', '7.3']);
      const a = random() < 0.5 ? new Big(step).times(digits(12)).toFixed() : randomDecimal().replace('-', '');
      const x = Decimal.parse(a);
      const s = Decimal.parse(step);
      assert.equal(x.isMultipleOf(s), new Big(a).mod(step).eq(0), `${a} on ${step}`);
      const divisor = random() < 0.5 ? s : Decimal.parse(randomDecimal().replace('-', '') || '1');
      if (divisor.isZero()) continue;
      const q = x.divideToInteger(divisor).toString();
      // The exact quotient, truncated: q × d ≤ a < (q + 1) × d.
      const d = new Big(divisor.toString());
      assert.ok(new Big(q).times(d).lte(a) && new Big(q).plus(1).times(d).gt(a), `${a} ÷ ${d} = ${q}`);
    }
  });

  test('stays exact past 2^53: sums of 1e9 USDT balances with 18 decimals', () => {
    let balance = Decimal.ZERO;
    let reference = new Big(0);
    for (let i = 0; i < 2_000; i++) {
      const amount = `${random() < 0.5 ? '-' : ''}${Math.floor(random() * 1e9)}.${digits(18)}`;
      balance = balance.plus(Decimal.parse(amount));
      reference = reference.plus(amount);
      assert.equal(balance.toString(), reference.toFixed());
    }
    // Back into the safe range, the value is a number again.
    assert.equal(Decimal.parse('9007199254740993').minus(Decimal.parse('2')).units, 9007199254740991);
  });

  test('refuses what is not a plain decimal', () => {
    for (const bad of ['', '-', '.', '1.', '.5', '1e5', '+1', '1,5', '0x10', '1.2.3', ' 1']) {
      assert.throws(() => Decimal.parse(bad), /not a plain decimal/, bad);
    }
  });
});
