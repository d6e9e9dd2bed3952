// A number as convgrad computes with it: an exact rational wherever the maths is rational, a float64
// (a JS number) where it is not (sigmoid, tanh, exp, log, square roots). Once rounded, a value stays
// rounded: an operation with a float64 operand gives a float64.
import { bitLength, toDouble, ZERO, type Rational } from './rational.js';

// 0, 1 and n/d are rationals first: defined in rational.ts, and here for the arithmetic's callers
// (`exact` is rational() under the name a scalar's exact side goes by).
export { ONE, ZERO, rational as exact } from './rational.js';

export type Scalar = Rational | number;

export function isExact(x: Scalar): x is Rational {
  return typeof x !== 'number';
}

export function asDouble(x: Scalar): number {
  return typeof x === 'number' ? x : toDouble(x);
}

/**
 * The largest exact numerator and denominator convgrad keeps: 2¹⁰²⁴, some 300 digits. A rational
 * activation or loss compounded over optimizer steps doubles the digits every step (x²/(1 + x²) at
 * 0.2 has 10 digits after one step and thousands after four); past this a value goes on in float64,
 * rounded and marked so, as PyTorch computes it, instead of costing minutes for digits no one reads.
 */
const EXACT_BITS = 1024;
const EXACT_LIMIT = 2n ** BigInt(EXACT_BITS);

/** r itself while its numerator and denominator stay within the bound, its double beyond. */
export function bounded(r: Rational): Scalar {
  return r.n < EXACT_LIMIT && r.d < EXACT_LIMIT ? r : toDouble(r);
}

export function add(a: Scalar, b: Scalar): Scalar {
  return isExact(a) && isExact(b) ? bounded(a.add(b)) : asDouble(a) + asDouble(b);
}

export function sub(a: Scalar, b: Scalar): Scalar {
  return isExact(a) && isExact(b) ? bounded(a.sub(b)) : asDouble(a) - asDouble(b);
}

export function mul(a: Scalar, b: Scalar): Scalar {
  return isExact(a) && isExact(b) ? bounded(a.mul(b)) : asDouble(a) * asDouble(b);
}

/** a / b; the caller makes sure b is not 0. */
export function div(a: Scalar, b: Scalar): Scalar {
  return isExact(a) && isExact(b) ? bounded(a.div(b)) : asDouble(a) / asDouble(b);
}

export function neg(a: Scalar): Scalar {
  return isExact(a) ? a.neg() : -a;
}

/** −1, 0 or 1. */
export function compare(a: Scalar, b: Scalar): number {
  if (isExact(a) && isExact(b)) return a.compare(b);
  const [x, y] = [asDouble(a), asDouble(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sign(a: Scalar): number {
  return isExact(a) ? a.compare(0) : Math.sign(a);
}

export function abs(a: Scalar): Scalar {
  return isExact(a) ? a.abs() : Math.abs(a);
}

/**
 * a^e for an integer e: exact for an exact base while the result's numerator and denominator stay
 * within EXACT_LIMIT (bits(a^e) ≈ |e|·bits(a), judged before any digit is computed), float64 beyond.
 */
export function powInteger(a: Scalar, e: number): Scalar {
  if (!isExact(a)) return asDouble(a) ** e;
  const bits = Math.max(bitLength(a.n), bitLength(a.d));
  // |a| ≥ 2^(bits − 1), so |a^e| (or its denominator) ≥ 2^((bits − 1)·|e|): past the limit already.
  if ((bits - 1) * Math.abs(e) >= EXACT_BITS) return asDouble(a) ** e;
  return bounded(a.pow(e) as Rational);
}

export function sum(values: Iterable<Scalar>): Scalar {
  let total: Scalar = ZERO;
  for (const v of values) total = add(total, v);
  return total;
}
