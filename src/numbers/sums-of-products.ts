// Structure, not a general CAS, is what scales. Every sum of products of two tensors (a convolution,
// its gradients, a correlation) is one loop over doubles, written once:
//  - float64 tensors run it on their doubles;
//  - exact tensors are held as integers over a common denominator and cut into limbs small enough
//    that every partial sum of limb products stays below 2^53, where doubles add integers exactly.
//    The loop runs once per pair of limbs and the limbs' sums are joined in bigints: exact results
//    at float speed, times the number of limb pairs (one while the numbers are small).
import Fraction from 'fraction.js';
import { gcd, type Rational } from './rational.js';
import { asDouble, bounded, isExact, type Scalar } from './scalar.js';

/** A loop of products of its two arguments, each output a sum of at most a known number of them. */
export type ProductLoop = (a: Float64Array, b: Float64Array) => Float64Array;

/** Σ of products of a and b as `loop` pairs them, each output summing at most `terms` products: exact where both tensors are. */
export function sumsOfProducts(a: readonly Scalar[], b: readonly Scalar[], terms: number, loop: ProductLoop): Scalar[] {
  if (!a.every(isExact) || !b.every(isExact)) return Array.from(loop(doubles(a), doubles(b)));
  const [x, y] = [integers(a as readonly Rational[]), integers(b as readonly Rational[])];
  const [bitsA, bitsB] = limbBits(x.bits, y.bits, terms);
  const [limbsA, limbsB] = [limbs(x.values, bitsA), limbs(y.values, bitsB)];
  const denominator = x.denominator * y.denominator;
  if (limbsA.length === 1 && limbsB.length === 1) {
    const sums = loop(limbsA[0], limbsB[0]);
    return Array.from(sums, (s) => bounded(new Fraction(BigInt(s), denominator)));
  }
  // Σ_k a_k b_k with a_k = Σ_i A_ik 2^(i·bitsA) and b_k = Σ_j B_jk 2^(j·bitsB): one loop a pair (i, j).
  let total: bigint[] | undefined;
  limbsA.forEach((limbA, i) =>
    limbsB.forEach((limbB, j) => {
      const sums = loop(limbA, limbB);
      const shift = BigInt(i * bitsA + j * bitsB);
      total ??= new Array<bigint>(sums.length).fill(0n);
      for (let k = 0; k < sums.length; k++) if (sums[k] !== 0) total[k] += BigInt(sums[k]) << shift;
    }),
  );
  return total!.map((t) => bounded(new Fraction(t, denominator)));
}

/** The doubles of a tensor (exact entries correctly rounded). */
export function doubles(data: readonly Scalar[]): Float64Array {
  return Float64Array.from(data, asDouble);
}

/** Exact entries as integers over their least common denominator, and the bits of the largest. */
function integers(data: readonly Rational[]): { values: bigint[]; denominator: bigint; bits: number } {
  let denominator = 1n;
  for (const x of data) if (denominator % x.d !== 0n) denominator = (denominator / gcd(denominator, x.d)) * x.d;
  const values = data.map((x) => x.s * x.n * (denominator / x.d));
  const largest = values.reduce((m, v) => (v < 0n ? (-v > m ? -v : m) : v > m ? v : m), 0n);
  return { values, denominator, bits: largest === 0n ? 1 : largest.toString(2).length };
}

/**
 * The limb sizes for integers of bitsA and bitsB bits whose products are summed `terms` at a time:
 * bitsA + bitsB + ⌈log2 terms⌉ ≤ 53 keeps every partial sum exact; the split that needs the fewest
 * pairs of limbs.
 */
export function limbBits(bitsA: number, bitsB: number, terms: number): [number, number] {
  const room = 53 - Math.ceil(Math.log2(Math.max(terms, 1)));
  if (bitsA + bitsB <= room) return [bitsA, bitsB];
  let best: [number, number] = [1, room - 1];
  let fewest = Infinity;
  for (let la = 1; la < room; la++) {
    const lb = room - la;
    const pairs = Math.ceil(bitsA / la) * Math.ceil(bitsB / lb);
    if (pairs < fewest) [best, fewest] = [[la, lb], pairs];
  }
  return best;
}

/** Integers cut into limbs of `bits` bits, low limb first, each limb carrying the integer's sign. */
function limbs(values: readonly bigint[], bits: number): Float64Array[] {
  const largest = values.reduce((m, v) => (v < 0n ? (-v > m ? -v : m) : v > m ? v : m), 0n);
  const count = Math.max(1, Math.ceil((largest === 0n ? 1 : largest.toString(2).length) / bits));
  if (count === 1) return [Float64Array.from(values, Number)];
  const mask = (1n << BigInt(bits)) - 1n;
  return Array.from({ length: count }, (_, l) => {
    const shift = BigInt(l * bits);
    return Float64Array.from(values, (v) => (v < 0n ? -Number((-v >> shift) & mask) : Number((v >> shift) & mask)));
  });
}

