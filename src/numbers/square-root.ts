// Square roots as convgrad takes them: exact when the number is the square of a rational (its
// numerator and denominator, in lowest terms, are perfect squares), float64 otherwise. Batch norm's
// √(σ² + ε) is the one caller so far.
import Fraction from 'fraction.js';
import { asDouble, isExact, type Scalar } from './scalar.js';

/** ⌊√n⌋ for a non-negative integer (Newton's iteration from above). */
export function integerSquareRoot(n: bigint): bigint {
  if (n < 0n) throw new Error('internal error: the square root of a negative integer');
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const next = (x + n / x) >> 1n;
    if (next >= x) return x;
    x = next;
  }
}

// √(p/q) = √p/√q, exact when p = a² and q = b² (p/q in lowest terms); else √ of the double
/** √a for a ≥ 0 (the caller makes sure): exact when a is the square of a rational, float64 otherwise. */
export function squareRoot(a: Scalar): Scalar {
  if (isExact(a) && a.s >= 0n) {
    const [p, q] = [integerSquareRoot(a.n), integerSquareRoot(a.d)];
    if (p * p === a.n && q * q === a.d) return new Fraction(p, q);
  }
  return Math.sqrt(asDouble(a));
}
