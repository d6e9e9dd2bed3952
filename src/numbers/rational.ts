// Exact rational numbers: fraction.js, the same library (and version range) mathjs computes its
// fractions with, imported directly so that a run need not load all of mathjs. Bigint numerator and denominator.
import Fraction from 'fraction.js';

export type Rational = Fraction;

export const ZERO: Rational = new Fraction(0);
export const ONE: Rational = new Fraction(1);

export function rational(numerator: bigint | number, denominator: bigint | number = 1): Rational {
  return new Fraction(BigInt(numerator), BigInt(denominator));
}

// sign? digits (. digits)? (e exponent)?  (/ digits)?   e.g. "-2.5", "1e-3", "1/3", "3/-4" is not accepted
const RATIONAL_TEXT = /^([+-])?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?(?:\/(\d+))?$/;
const DECIMAL_ONLY = /^([+-])?(\d*)(?:\.(\d+))(?:[eE]([+-]?\d+))?$/;

/** Parses "3", "-2.5", "0.01", "1e-3", "1/3", ".5" exactly (0.01 is 1/100); null when the text is not such a number. */
export function parseRational(text: string): Rational | null {
  const trimmed = text.trim();
  const match = RATIONAL_TEXT.exec(trimmed) ?? DECIMAL_ONLY.exec(trimmed);
  if (!match) return null;
  const [, sign, whole = '', fraction = '', exponent = '0', denominator] = match;
  if (whole === '' && fraction === '') return null;
  if (denominator !== undefined && (fraction !== '' || exponent !== '0')) return null;
  const exp = BigInt(exponent) - BigInt(fraction.length);
  if (exp > 100000n || exp < -100000n) return null;
  let num = BigInt((whole || '0') + fraction);
  let den = denominator === undefined ? 1n : BigInt(denominator);
  if (den === 0n) return null;
  if (exp >= 0n) num *= 10n ** exp;
  else den *= 10n ** -exp;
  if (sign === '-') num = -num;
  return new Fraction(num, den);
}

export function isInteger(r: Rational): boolean {
  return r.d === 1n;
}

export function numerator(r: Rational): bigint {
  return r.s * r.n;
}

/** The nearest double, correctly rounded (Number(bigint) rounds to nearest even; a sticky bit keeps the quotient's rounding honest). */
export function toDouble(r: Rational): number {
  const { n, d } = r;
  if (n === 0n) return 0;
  const sign = r.s < 0n ? -1 : 1;
  if (n < 2n ** 53n && d < 2n ** 53n) return (sign * Number(n)) / Number(d);
  // q = floor(n·2^shift / d) with at least 66 significant bits, plus a sticky bit for the remainder.
  const shift = BigInt(Math.max(0, 66 + d.toString(2).length - n.toString(2).length));
  const scaled = n << shift;
  let q = scaled / d;
  if (scaled % d !== 0n) q = (q << 1n) | 1n;
  const qShift = scaled % d !== 0n ? shift + 1n : shift;
  return sign * scaleByPowerOfTwo(Number(q), -Number(qShift));
}

function scaleByPowerOfTwo(x: number, exponent: number): number {
  // Apply in steps so that intermediate powers of two stay representable.
  let result = x;
  let e = exponent;
  while (e < -1000) { result *= 2 ** -1000; e += 1000; }
  while (e > 1000) { result *= 2 ** 1000; e -= 1000; }
  return result * 2 ** e;
}

/** "63/25", "48", "-1/3": the exact form used in the result document. */
export function toExactString(r: Rational): string {
  const sign = r.s < 0n && r.n !== 0n ? '-' : '';
  return r.d === 1n ? `${sign}${r.n}` : `${sign}${r.n}/${r.d}`;
}

/**
 * The decimal expansion when it terminates within maxDigits places (2.52 for 63/25), else null (1/3).
 * A denominator 2^a·5^b terminates after max(a, b) places.
 */
export function toTerminatingDecimal(r: Rational, maxDigits = 12): string | null {
  let d = r.d;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) { d /= 2n; twos++; }
  while (d % 5n === 0n) { d /= 5n; fives++; }
  if (d !== 1n) return null;
  const places = Math.max(twos, fives);
  if (places > maxDigits) return null;
  const sign = r.s < 0n && r.n !== 0n ? '-' : '';
  if (places === 0) return `${sign}${r.n}`;
  const scaled = (r.n * 10n ** BigInt(places)) / r.d;
  const digits = scaled.toString().padStart(places + 1, '0');
  return `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}
