import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRational, rational, toDouble, toExactString, toTerminatingDecimal } from '../src/numbers/rational.js';

describe('parseRational', () => {
  it.each([
    ['0.01', '1/100'],
    ['-2.5', '-5/2'],
    ['1/3', '1/3'],
    ['6/4', '3/2'],
    ['1e-3', '1/1000'],
    ['2.5E2', '250'],
    ['.5', '1/2'],
    ['+7', '7'],
    ['0.1234567890123456789', '1234567890123456789/10000000000000000000'],
  ])('%s is exactly %s', (text, exact) => {
    expect(toExactString(parseRational(text)!)).toBe(exact);
  });

  it.each(['', 'a', '1/0', '1/2/3', '1.5/2', '--1', '1e', 'NaN', 'Infinity', '0x10', '1 /3'])('refuses %j', (text) => {
    expect(parseRational(text)).toBeNull();
  });
});

describe('toDouble', () => {
  it('is the correctly rounded double of a small fraction', () => {
    expect(toDouble(rational(63, 25))).toBe(2.52);
    expect(toDouble(rational(1, 3))).toBe(1 / 3);
    expect(toDouble(rational(-1, 10))).toBe(-0.1);
  });

  it('rounds huge numerators and denominators correctly (checked against the decimal expansion)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 40n }), fc.bigInt({ min: 1n, max: 10n ** 40n }), (n, d) => {
        const exact = rational(n, d);
        const x = toDouble(exact);
        // x is the nearest double: the exact value lies within half an ulp of x.
        const ulp = Math.abs(x - nextDown(x));
        const distance = Math.abs(exact.sub(exactOfDouble(x)).valueOf());
        return distance <= ulp / 2 + ulp * 1e-9;
      }),
    );
  });
});

describe('toTerminatingDecimal', () => {
  it('writes terminating decimals and refuses the others', () => {
    expect(toTerminatingDecimal(rational(63, 25))).toBe('2.52');
    expect(toTerminatingDecimal(rational(-1, 25))).toBe('-0.04');
    expect(toTerminatingDecimal(rational(48))).toBe('48');
    expect(toTerminatingDecimal(rational(1, 3))).toBeNull();
    expect(toTerminatingDecimal(rational(1, 2 ** 20), 12)).toBeNull();
  });
});

function nextDown(x: number): number {
  const buffer = new DataView(new ArrayBuffer(8));
  buffer.setFloat64(0, x);
  buffer.setBigUint64(0, buffer.getBigUint64(0) - 1n);
  return buffer.getFloat64(0);
}

function exactOfDouble(x: number) {
  // Every finite double is m · 2^e exactly.
  let e = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    e++;
  }
  return rational(BigInt(m), 2n ** BigInt(e));
}
