import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RuleError } from './errors.js';
import {
  addAmounts,
  applyEntry,
  depositEntry,
  FUNDING,
  isNegative,
  type LedgerEntry,
  MAX_DECIMALS,
  multiply,
  parseAmount,
  TRADING,
} from './ledger.js';
import { seededRandom } from './market-maker.js';

// An independent reference on BigInt: a decimal string is an integer scaled by 10^scale.
interface Scaled {
  n: bigint;
  scale: number;
}

function toScaled(text: string): Scaled {
  const negative = text.startsWith('-');
  const [whole = '', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const n = BigInt(`${whole}${fraction}`);
  return { n: negative ? -n : n, scale: fraction.length };
}

function fromScaled({ n, scale }: Scaled): string {
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  const text = fraction === '' ? whole : `${whole}.${fraction}`;
  return negative ? `-${text}` : text;
}

function referenceAdd(a: string, b: string): string {
  const x = toScaled(a);
  const y = toScaled(b);
  const scale = Math.max(x.scale, y.scale);
  return fromScaled({ n: x.n * 10n ** BigInt(scale - x.scale) + y.n * 10n ** BigInt(scale - y.scale), scale });
}

/** Product truncated to dp places; only used for non-negative inputs, where truncation is rounding down. */
function referenceMultiplyDown(a: string, b: string, dp: number): string {
  const x = toScaled(a);
  const y = toScaled(b);
  const scale = x.scale + y.scale;
  const n = x.n * y.n;
  if (scale <= dp) return fromScaled({ n, scale });
  return fromScaled({ n: n / 10n ** BigInt(scale - dp), scale: dp });
}

/** The same seeded generator (mulberry32) as the market maker, so random cases repeat on every run. */
const seeded = seededRandom;

function randomDecimal(rand: () => number, maxIntDigits: number, maxDecimals: number): string {
  const digit = (): string => String(Math.floor(rand() * 10));
  const intDigits = Math.floor(rand() * (maxIntDigits + 1));
  let whole = intDigits === 0 ? '0' : String(1 + Math.floor(rand() * 9));
  for (let i = 1; i < intDigits; i++) whole += digit();
  const decimals = Math.floor(rand() * (maxDecimals + 1));
  let fraction = '';
  for (let i = 0; i < decimals; i++) fraction += digit();
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

function assertAmountRefused(text: string, field = 'amt', message?: RegExp): void {
  assert.throws(
    () => parseAmount(text, field),
    (e: unknown) => {
      assert.ok(e instanceof RuleError, `expected RuleError for ${JSON.stringify(text)}`);
      assert.equal(e.code, '51000');
      assert.equal(e.field, field);
      if (message !== undefined) assert.match(e.message, message);
      return true;
    },
  );
}

describe('the reference arithmetic used by these tests', () => {
  test('agrees with hand-worked sums and products', () => {
    assert.equal(referenceAdd('0.1', '0.2'), '0.3');
    assert.equal(referenceAdd('1', '-1.5'), '-0.5');
    assert.equal(referenceAdd('0.5', '0.5'), '1');
    assert.equal(referenceMultiplyDown('1.999', '1', 2), '1.99');
    assert.equal(referenceMultiplyDown('2', '1.005', 2), '2.01');
    assert.equal(referenceMultiplyDown('0.1', '0.1', 18), '0.01');
  });
});

describe('parseAmount', () => {
  test('accepts plain positive decimals', () => {
    assert.equal(parseAmount('1000'), '1000');
    assert.equal(parseAmount('0.5'), '0.5');
    assert.equal(parseAmount('1'), '1');
    assert.equal(parseAmount('123.456'), '123.456');
  });

  test('returns the canonical form', () => {
    assert.equal(parseAmount('1.50'), '1.5');
    assert.equal(parseAmount('1.000000000000000000'), '1');
    assert.equal(parseAmount('10.0'), '10');
    assert.equal(parseAmount('0.10'), '0.1');
  });

  test('trims surrounding whitespace', () => {
    assert.equal(parseAmount('  42 '), '42');
    assert.equal(parseAmount('\t0.25\n'), '0.25');
  });

  test('accepts up to 18 decimals and 21 integer digits, without exponent notation', () => {
    assert.equal(MAX_DECIMALS, 18);
    assert.equal(parseAmount('0.000000000000000001'), '0.000000000000000001');
    assert.equal(parseAmount('0.0000001'), '0.0000001');
    assert.equal(parseAmount('999999999999999999999'), '999999999999999999999');
    assert.equal(parseAmount('100000000000000000000'), '100000000000000000000');
    assert.equal(parseAmount('999999999999999999999.999999999999999999'), '999999999999999999999.999999999999999999');
  });

  test('refuses zero, saying the amount must be greater than 0', () => {
    for (const zero of ['0', '0.0', '0.000000000000000000']) assertAmountRefused(zero, 'amt', /greater than 0/);
  });

  const malformed: ReadonlyArray<readonly [string, string]> = [
    ['negative', '-1'],
    ['negative decimal', '-0.5'],
    ['negative zero', '-0'],
    ['explicit plus', '+1'],
    ['exponent', '1e3'],
    ['upper-case exponent', '1E3'],
    ['negative exponent', '1e-3'],
    ['leading dot', '.5'],
    ['trailing dot', '5.'],
    ['leading zero', '01'],
    ['leading zeros', '00.5'],
    ['19 decimals', '1.0000000000000000001'],
    ['19 decimals of zero', '0.0000000000000000001'],
    ['22 integer digits (huge)', '1000000000000000000000'],
    ['absurdly huge', '9'.repeat(400)],
    ['thousands separator', '1,000'],
    ['underscore separator', '1_000'],
    ['inner space', '1 000'],
    ['decimal comma', '0,5'],
    ['hex', '0x10'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['full-width digit', '１'],
    ['letters', 'ten'],
    ['two dots', '1.2.3'],
    ['empty', ''],
    ['blank', '   '],
  ];
  for (const [name, text] of malformed) {
    test(`refuses ${name}: ${JSON.stringify(text.length > 30 ? `${text.slice(0, 30)}...` : text)}`, () => {
      assertAmountRefused(text);
    });
  }

  test('the refusal quotes the input and names the field given', () => {
    assertAmountRefused('1e3', 'sz', /^sz: "1e3"/);
    assertAmountRefused('0', 'px', /^px: /);
  });
});

describe('addAmounts', () => {
  test('is exact: 0.1 + 0.2 is 0.3', () => {
    assert.equal(addAmounts('0.1', '0.2'), '0.3');
  });

  test('adds negative deltas', () => {
    assert.equal(addAmounts('1', '-1.5'), '-0.5');
    assert.equal(addAmounts('-2.25', '-0.75'), '-3');
    assert.equal(addAmounts('100', '-0.000000000000000001'), '99.999999999999999999');
  });

  test('a sum of zero is written "0", never "-0"', () => {
    assert.equal(addAmounts('0.1', '-0.1'), '0');
    assert.equal(addAmounts('-0.1', '0.1'), '0');
    assert.equal(addAmounts('0', '0'), '0');
  });

  test('never uses exponent notation, for tiny or huge results', () => {
    assert.equal(addAmounts('0.0000001', '0'), '0.0000001');
    assert.equal(addAmounts('0.000000000000000001', '0.000000000000000001'), '0.000000000000000002');
    assert.equal(addAmounts('999999999999999999999', '1'), '1000000000000000000000');
    assert.equal(
      addAmounts('999999999999999999999', '0.000000000000000001'),
      '999999999999999999999.000000000000000001',
    );
  });

  test('drops trailing zeros', () => {
    assert.equal(addAmounts('1.25', '0.75'), '2');
    assert.equal(addAmounts('1.10', '0'), '1.1');
  });

  test('agrees with exact BigInt arithmetic on 500 random pairs', () => {
    const rand = seeded(20201208);
    for (let i = 0; i < 500; i++) {
      const a = `${rand() < 0.3 ? '-' : ''}${randomDecimal(rand, 21, 18)}`;
      const b = `${rand() < 0.3 ? '-' : ''}${randomDecimal(rand, 21, 18)}`;
      assert.equal(addAmounts(a, b), referenceAdd(a, b), `${a} + ${b}`);
    }
  });
});

describe('multiply', () => {
  test('rounds down to dp places', () => {
    assert.equal(multiply('1.999', '1', 2), '1.99');
    assert.equal(multiply('0.129', '1', 2), '0.12');
    assert.equal(multiply('123.999', '1', 0), '123');
    assert.equal(multiply('2', '0.3333333333', 4), '0.6666');
    assert.equal(multiply('65432.1', '0.00012345', 8), '8.07759274');
  });

  test('is exact when the product fits in dp places', () => {
    assert.equal(multiply('0.1', '3', 1), '0.3');
    assert.equal(multiply('0.1', '0.1', 2), '0.01');
    assert.equal(multiply('1.1', '1.1', 18), '1.21');
    assert.equal(multiply('2', '1.005', 2), '2.01');
  });

  test('drops trailing zeros', () => {
    assert.equal(multiply('1.5', '2', 2), '3');
    assert.equal(multiply('0.25', '4', 8), '1');
  });

  test('a product smaller than the last place becomes "0", never "-0"', () => {
    assert.equal(multiply('0.001', '0.001', 2), '0');
    assert.equal(multiply('-0.1', '1', 0), '0');
    assert.equal(multiply('0.1', '-1', 0), '0');
  });

  test('never uses exponent notation', () => {
    assert.equal(multiply('0.0000001', '1', 18), '0.0000001');
    assert.equal(multiply('1000000000000', '1000000000000', 2), '1000000000000000000000000');
  });

  test('agrees with exact BigInt arithmetic on 500 random non-negative pairs', () => {
    const rand = seeded(59503);
    for (let i = 0; i < 500; i++) {
      const a = randomDecimal(rand, 12, 18);
      const b = randomDecimal(rand, 12, 18);
      const dp = Math.floor(rand() * 19);
      assert.equal(multiply(a, b, dp), referenceMultiplyDown(a, b, dp), `${a} * ${b} to ${dp} places`);
    }
  });
});

describe('isNegative', () => {
  test('true below zero, however small', () => {
    assert.equal(isNegative('-1'), true);
    assert.equal(isNegative('-0.000000000000000001'), true);
    assert.equal(isNegative('-999999999999999999999'), true);
  });

  test('false for zero (including "-0") and positives', () => {
    assert.equal(isNegative('0'), false);
    assert.equal(isNegative('-0'), false);
    assert.equal(isNegative('0.000000000000000001'), false);
    assert.equal(isNegative('1'), false);
  });
});

describe('depositEntry', () => {
  test('credits the available balance and nothing else', () => {
    assert.deepEqual(depositEntry(7, 'demo', FUNDING, 'USDT', '1000'), {
      userId: 7,
      env: 'demo',
      account: '6',
      ccy: 'USDT',
      availDelta: '1000',
      frozenDelta: '0',
      kind: 'deposit',
      ref: '',
    });
  });

  test('OKX account types: 18 trading, 6 funding', () => {
    assert.equal(TRADING, '18');
    assert.equal(FUNDING, '6');
  });
});

describe('applyEntry', () => {
  const entry = (availDelta: string, frozenDelta: string): LedgerEntry => ({
    userId: 1,
    env: 'demo',
    account: TRADING,
    ccy: 'USDT',
    availDelta,
    frozenDelta,
    kind: 'order_freeze',
    ref: '7',
  });

  test('adds both deltas exactly; no balance yet counts as zero', () => {
    assert.deepEqual(applyEntry(undefined, entry('10.5', '0')), { avail: '10.5', frozen: '0' });
    const after = applyEntry({ avail: '0.3', frozen: '0.1' }, entry('-0.1', '0.1'));
    assert.deepEqual(after, { avail: '0.2', frozen: '0.2' });
  });

  test('down to exactly zero is allowed', () => {
    assert.deepEqual(applyEntry({ avail: '1', frozen: '2' }, entry('-1', '-2')), { avail: '0', frozen: '0' });
  });

  test('a negative avail or frozen is refused with 51008 naming the currency and the kind', () => {
    for (const e of [entry('-1.000000000000000001', '0'), entry('0', '-0.1')]) {
      assert.throws(
        () => applyEntry({ avail: '1', frozen: '0' }, e),
        (err: unknown) =>
          err instanceof RuleError &&
          err.code === '51008' &&
          err.field === 'USDT' &&
          err.message === 'USDT: insufficient balance for this order_freeze',
      );
    }
    assert.throws(() => applyEntry(undefined, entry('-1', '0')), RuleError);
  });
});
