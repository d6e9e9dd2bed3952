// Structure, not a general CAS, is what scales: a tensor of exact rationals is held as integers over
// one common denominator, in a Float64Array, and summed in machine arithmetic wherever every partial
// sum provably stays below 2^53 (where doubles hold integers exactly). Exact results, at float speed.
// A float64 tensor is held as its doubles. Anything else falls back to rational arithmetic.
import Fraction from 'fraction.js';
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';

export interface Dense {
  /** The entries: integers (exact tensor) or doubles (float64 tensor). */
  readonly values: Float64Array;
  /** Entry k is values[k] / denominator; null for a float64 tensor. */
  readonly denominator: bigint | null;
  /** The largest |values[k]|. */
  readonly maxAbs: number;
}

const SAFE = 2 ** 53;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** The tensor's doubles (exact entries correctly rounded). */
export function doubles(data: readonly Scalar[]): Dense {
  const values = new Float64Array(data.length);
  let maxAbs = 0;
  data.forEach((x, k) => {
    values[k] = asDouble(x);
    maxAbs = Math.max(maxAbs, Math.abs(values[k]));
  });
  return { values, denominator: null, maxAbs };
}

/** The tensor as integers over a common denominator, its doubles, or null when the integers would not fit. */
export function densify(data: readonly Scalar[]): Dense | null {
  if (!data.every(isExact)) return doubles(data);
  const values = new Float64Array(data.length);
  let denominator = 1n;
  for (const x of data as Fraction[]) {
    if (x.d !== 1n) denominator = (denominator / gcd(denominator, x.d)) * x.d;
    if (denominator > BigInt(SAFE)) return null;
  }
  let maxAbs = 0;
  for (let k = 0; k < data.length; k++) {
    const x = data[k] as Fraction;
    const scaled = x.s * x.n * (denominator / x.d);
    if (scaled >= BigInt(SAFE) || scaled <= -BigInt(SAFE)) return null;
    values[k] = Number(scaled);
    maxAbs = Math.max(maxAbs, Math.abs(values[k]));
  }
  return { values, denominator, maxAbs };
}

/** Can Σ of `terms` products a·b be summed exactly in doubles? Only if both are integers and every partial sum stays below 2^53. */
export function exactSumFits(a: Dense, b: Dense, terms: number): boolean {
  return a.denominator !== null && b.denominator !== null && a.maxAbs * b.maxAbs * terms < SAFE;
}

/** Integer sums over the product of two denominators back to exact rationals. */
export function fromIntegers(sums: Float64Array, denominator: bigint): Scalar[] {
  const out: Scalar[] = new Array(sums.length);
  for (let k = 0; k < sums.length; k++) out[k] = new Fraction(BigInt(sums[k]), denominator);
  return out;
}

export function fromDoubles(values: Float64Array): Scalar[] {
  return Array.from(values);
}

/**
 * Two tensors to multiply and sum `terms` at a time: both as integers when both are exact and the sums
 * fit (exact: true), both as doubles when either is float64, or null (rational arithmetic it is).
 */
export function densePair(a: readonly Scalar[], b: readonly Scalar[], terms: number): { a: Dense; b: Dense; exact: boolean } | null {
  const [x, y] = [densify(a), densify(b)];
  if (x && y && x.denominator !== null && y.denominator !== null) return exactSumFits(x, y, terms) ? { a: x, b: y, exact: true } : null;
  if (a.every(isExact) && b.every(isExact)) return null;
  return { a: doubles(a), b: doubles(b), exact: false };
}
