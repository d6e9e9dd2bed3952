// Exact rational numbers: fraction.js, the same library (and version range) mathjs computes its
// fractions with, imported directly so that a run need not load all of mathjs. Bigint numerator and denominator.
import Fraction from 'fraction.js';

export type Rational = Fraction;

export const ZERO: Rational = new Fraction(0);
export const ONE: Rational = new Fraction(1);

export function rational(numerator: bigint | number, denominator: bigint | number = 1): Rational {
  return new Fraction(BigInt(numerator), BigInt(denominator));
}

/** The most digits a number of a problem file may have above, and below, its fraction bar. */
export const MAX_DIGITS = 100;

// sign? digits (. digits)? (e exponent)?  (/ digits)?   e.g. "-2.5", "1e-3", "1/3", ".5"; "3/-4" and " 3" are not
const RATIONAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?(?:\/(\d+))?$/;

/**
 * Reads "3", "-2.5", "0.01", "1e-3", "1/3", ".5" exactly (0.01 is 1/100). Refused: text that is not
 * such a number (no space, no other digits than 0–9), and a number whose numerator or denominator,
 * in lowest terms, has more than MAX_DIGITS digits; a number far past that is refused from its text,
 * before its digits are computed.
 */
export function readRational(text: string): { readonly value: Rational } | { readonly error: string } {
  const match = RATIONAL_TEXT.exec(text);
  const [, sign, whole = '', fraction, exponent = '0', denominator] = match ?? [];
  if (!match || (whole === '' && (fraction ?? '') === '') || (denominator !== undefined && (fraction !== undefined || match[4] !== undefined))) {
    return { error: 'not a number' };
  }
  const digits = `${whole}${fraction ?? ''}`.replace(/^0+/, '');
  const exp = Number(exponent) - (fraction ?? '').length;
  const tooLong = (side: string, count: number | string) => ({ error: `its ${side} has ${count} digits; convgrad takes at most ${MAX_DIGITS} above and below the fraction bar` });
  // 10^k has k + 1 digits: a text past four times the limit is refused unread.
  if (!Number.isSafeInteger(exp)) return tooLong(exp > 0 ? 'numerator' : 'denominator', 'too many');
  if (digits.length + Math.max(0, exp) > 4 * MAX_DIGITS) return tooLong('numerator', digits.length + Math.max(0, exp));
  if (-exp > 4 * MAX_DIGITS || (denominator ?? '').length > 4 * MAX_DIGITS) return tooLong('denominator', denominator === undefined ? 1 - exp : denominator.length);
  let num = BigInt(digits || '0');
  let den = denominator === undefined ? 1n : BigInt(denominator);
  if (den === 0n) return { error: 'a division by zero' };
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den *= 10n ** BigInt(-exp);
  const value = new Fraction(sign === '-' ? -num : num, den);
  const [above, below] = [value.n.toString().length, value.d.toString().length];
  if (above > MAX_DIGITS) return tooLong('numerator', above);
  if (below > MAX_DIGITS) return tooLong('denominator', below);
  return { value };
}

/** readRational's value, or null when the text is not a number convgrad takes. */
export function parseRational(text: string): Rational | null {
  const read = readRational(text);
  return 'value' in read ? read.value : null;
}

export function isInteger(r: Rational): boolean {
  return r.d === 1n;
}

/** The nearest double, correctly rounded (Number(bigint) rounds to nearest even; a sticky bit keeps the quotient's rounding honest). */
/** The greatest common divisor of two integers, non-negative (Euclid). */
export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** The bits of |n|: ⌈log2(|n| + 1)⌉ (0 for 0). */
export function bitLength(n: bigint): number {
  return n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length;
}

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
