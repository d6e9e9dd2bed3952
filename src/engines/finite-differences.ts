// An engine that knows no derivative rule: central differences of the loss, exact in rational
// arithmetic where the problem is exact, float64 where it is not.
import { add, asDouble, isExact, sub, type Scalar } from '../numbers/scalar.js';
import { rational, type Rational } from '../numbers/rational.js';
import { forward, initialParameters } from '../model/forward.js';
import type { Tensor } from '../model/tensor.js';
import type { Problem } from '../problem/problem.js';
import type { Solution } from '../trajectory/train.js';
import { toNested } from '../model/tensor.js';
import type { Nested } from './compare.js';

/** At most this many entries of one tensor are differenced; beyond it, an even sample. */
export const ENTRY_SAMPLE = 64;

export interface DifferenceResult {
  readonly grad: { readonly kernel: Nested; readonly bias?: Nested; readonly input: Nested };
  /** Which flat entries were differenced (the others are left as convgrad's value, marked not checked). */
  readonly sampled: { readonly kernel: readonly number[]; readonly input: readonly number[] };
  /** The step: h = 2⁻²⁰ exactly, or 10⁻⁶·max(1, |θ|) in float64. */
  readonly step: string;
  readonly exact: boolean;
  /** Entries where the two one-sided differences disagree: a kink, where convgrad takes PyTorch's side, between the two. */
  readonly kinks: readonly string[];
}

type Where = { tensor: 'kernel' | 'input' | 'bias'; flat: number };

function lossWith(problem: Problem, where: Where, by: Scalar): Scalar {
  const shift = (t: Tensor<Rational>, name: Where['tensor']): Tensor<Scalar> => (name === where.tensor ? { shape: t.shape, data: t.data.map((v, k) => (k === where.flat ? add(v, by) : v)) } : t);
  const parameters = initialParameters(problem);
  const bias = parameters.bias?.map((v, o) => (where.tensor === 'bias' && o === where.flat ? add(v, by) : v));
  return forward({ ...problem, input: shift(problem.input, 'input') as Tensor<Rational> }, { kernel: shift(problem.kernel, 'kernel'), ...(bias ? { bias } : {}) }).loss;
}

function sample(count: number): number[] {
  if (count <= ENTRY_SAMPLE) return Array.from({ length: count }, (_, k) => k);
  return Array.from({ length: ENTRY_SAMPLE }, (_, k) => Math.round((k * (count - 1)) / (ENTRY_SAMPLE - 1)));
}

// ∂L/∂θ ≈ (L(θ + h) − L(θ − h)) / 2h
export function finiteDifferences(solution: Solution): DifferenceResult {
  const { problem } = solution;
  const { first } = solution;
  const exact = isExact(first.forward.loss);
  const kinks: string[] = [];
  const derivative = (where: Where, theta: Scalar, ours: Scalar): number => {
    const h: Scalar = exact ? rational(1, 2 ** 20) : 1e-6 * Math.max(1, Math.abs(asDouble(theta)));
    const negH = isExact(h) ? h.neg() : -h;
    const [up, down, here] = [lossWith(problem, where, h), lossWith(problem, where, negH), first.forward.loss];
    const central = asDouble(sub(up, down)) / (2 * asDouble(h));
    // A kink between θ − h and θ + h: the one-sided slopes differ, and convgrad's value lies between
    // them (in the interval of generalized derivatives there: one side for one kink, a mix of sides
    // where several meet, as ties in several max-pool windows do).
    const right = asDouble(sub(up, here)) / asDouble(h);
    const left = asDouble(sub(here, down)) / asDouble(h);
    const near = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a), Math.abs(b));
    const between = (x: number) => near(x, left) || near(x, right) || (Math.min(left, right) <= x && x <= Math.max(left, right));
    if (!near(right, left) && !near(central, asDouble(ours)) && between(asDouble(ours))) {
      kinks.push(`${where.tensor}[${where.flat}]`);
      return asDouble(ours);
    }
    return central;
  };
  const gradientsOf = (tensor: 'kernel' | 'input', source: Tensor<Rational>, ours: Tensor<Scalar>, picked: number[]) =>
    ours.data.map((g, flat) => (picked.includes(flat) ? derivative({ tensor, flat }, source.data[flat], g) : asDouble(g)));
  const kernelPicked = sample(problem.kernel.data.length);
  const inputPicked = sample(problem.input.data.length);
  const kernel = gradientsOf('kernel', problem.kernel, first.gradients.kernel, kernelPicked);
  const input = gradientsOf('input', problem.input, first.gradients.input, inputPicked);
  const bias = problem.bias && first.gradients.bias ? problem.bias.values.map((b, o) => derivative({ tensor: 'bias', flat: o }, b, first.gradients.bias![o])) : undefined;
  const shaped = (data: number[], t: Tensor<unknown>, dimensions: number) => toNested({ shape: t.shape.slice(t.shape.length - dimensions), data });
  return {
    grad: {
      kernel: shaped(kernel, problem.kernel, problem.kernelForm),
      ...(bias ? { bias: problem.bias!.form === 'array' ? bias : bias[0] } : {}),
      input: shaped(input, problem.input, problem.inputForm),
    },
    sampled: { kernel: kernelPicked, input: inputPicked },
    step: exact ? 'h = 2^-20, in exact rational arithmetic' : 'h = 1e-6·max(1, |θ|), in float64',
    exact,
    kinks,
  };
}
