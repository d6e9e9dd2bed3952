// An engine that knows no derivative rule: central differences of the loss, exact in rational
// arithmetic where the problem is exact, float64 where it is not.
import { add, asDouble, isExact, sub, type Scalar } from '../numbers/scalar.js';
import { rational, type Rational } from '../numbers/rational.js';
import { forward } from '../model/forward.js';
import { initialParameters } from '../model/layer.js';
import { nestedIndex, toNested, type Nested, type Tensor } from '../tensor/tensor.js';
import type { Problem } from '../problem/problem.js';
import type { Solution } from '../trajectory/train.js';
import { documentReach, kinkSites, reaches } from './kinks.js';
import { withinTolerance, type Tolerance } from './tolerance.js';

/** At most this many entries of one tensor are differenced, unless every entry is asked for; beyond it, an even sample. */
export const ENTRY_SAMPLE = 64;

type Differenced = 'kernel' | 'bias' | 'input';

export interface DifferenceResult {
  readonly grad: { readonly kernel: Nested<number>; readonly bias?: Nested<number>; readonly input: Nested<number> };
  /** For each tensor, the flat entries differenced and how many it has (the others are left at convgrad's value). */
  readonly differenced: Readonly<Record<Differenced, { readonly entries: readonly number[]; readonly of: number }>>;
  /** The step: h = 2⁻²⁰ exactly, or 10⁻⁶·max(1, |θ|) in float64. */
  readonly step: string;
  readonly exact: boolean;
  /** The verdict's tolerance, which also decides what counts as a kink; `rule` says how its atol came about. */
  readonly tolerance: Tolerance & { readonly rule: string };
  /** Entries on one kink where convgrad's value is one of the one-sided derivatives, named as input[0][1]. */
  readonly kinks: readonly string[];
  /** Entries on several kinks at once, which one-sided differences cannot decide (left at convgrad's value). */
  readonly undecided: readonly string[];
}

type Where = { tensor: Differenced; flat: number };

function lossWith(problem: Problem, where: Where, by: Scalar): Scalar {
  const shift = (t: Tensor<Rational>, name: Differenced): Tensor<Scalar> => (name === where.tensor ? { shape: t.shape, data: t.data.map((v, k) => (k === where.flat ? add(v, by) : v)) } : t);
  const parameters = initialParameters(problem);
  const bias = parameters.bias?.map((v, o) => (where.tensor === 'bias' && o === where.flat ? add(v, by) : v));
  return forward({ ...problem, input: shift(problem.input, 'input') as Tensor<Rational> }, { kernel: shift(problem.kernel, 'kernel'), ...(bias ? { bias } : {}) }).loss;
}

/** How many entries finite differences difference: a sample of the kernel and of the input (or all), every bias entry. */
export function differencedCount(problem: Problem, all: boolean): number {
  const size = (count: number) => (all ? count : Math.min(count, ENTRY_SAMPLE));
  return size(problem.kernel.data.length) + size(problem.input.data.length) + (problem.bias?.values.length ?? 0);
}

function sample(count: number, all: boolean): number[] {
  if (all || count <= ENTRY_SAMPLE) return Array.from({ length: count }, (_, k) => k);
  return Array.from({ length: ENTRY_SAMPLE }, (_, k) => Math.round((k * (count - 1)) / (ENTRY_SAMPLE - 1)));
}

// ∂L/∂θ ≈ (L(θ + h) − L(θ − h)) / 2h
export function finiteDifferences(solution: Solution, options: { readonly allEntries?: boolean } = {}): DifferenceResult {
  const { problem } = solution;
  const { first } = solution;
  const exact = isExact(first.forward.loss);
  // Exact: the central difference is exact for a loss quadratic in θ, and off by h²·L‴/6 otherwise.
  // float64: L's rounding, about 1e-16·|L| in each evaluation, is divided by h ≥ 1e-6.
  const tolerance = exact
    ? { rtol: 1e-6, atol: 1e-9, rule: 'off by h²·L‴/6 at most, 0 where L is quadratic in θ' }
    : { rtol: 1e-5, atol: 1e-8 * Math.max(1, Math.abs(asDouble(first.forward.loss))), rule: "atol 1e-8·max(1, |L|): L's float64 rounding over h" };
  const kinks: string[] = [];
  const undecided: string[] = [];
  const sites = kinkSites(solution);
  const derivative = (where: Where, theta: Scalar, ours: number, name: string): number => {
    const h: Scalar = exact ? rational(1, 2 ** 20) : 1e-6 * Math.max(1, Math.abs(asDouble(theta)));
    const at = (k: number) => lossWith(problem, where, isExact(h) ? h.mul(k) : k * h);
    const here = first.forward.loss;
    const [up, down] = [at(1), at(-1)];
    const central = asDouble(sub(up, down)) / (2 * asDouble(h));
    if (withinTolerance(ours, central, tolerance)) return central;
    // On a kink of convgrad's exact values (model/kinks.ts) whose cone reaches this entry, the loss has
    // a slope from each side and convgrad takes PyTorch's. One kink: convgrad's value must be one of
    // the one-sided derivatives, d± = 2·s(±h) − s(±2h) with s(t) the slope over t (which takes out
    // curvature's share). Several kinks at once: PyTorch's choice mixes sides that no difference along
    // one entry reaches, so the entry is left undecided, and said so.
    const touching = sites.filter((site) => reaches(documentReach(site.cone, `grad.${where.tensor}`), where.flat)).reduce((n, site) => n + (site.kinks ?? 1), 0);
    if (touching === 0) return central;
    if (touching > 1) {
      undecided.push(name);
      return ours;
    }
    const slope = (k: number) => asDouble(sub(at(k), here)) / (k * asDouble(h));
    const [right, left] = [2 * slope(1) - slope(2), 2 * slope(-1) - slope(-2)];
    if (withinTolerance(ours, right, tolerance) || withinTolerance(ours, left, tolerance)) {
      kinks.push(name);
      return ours;
    }
    return central;
  };
  const differencesOf = (tensor: Differenced, values: readonly Scalar[], ours: readonly Scalar[], shape: readonly number[], picked: readonly number[]) => {
    const chosen = new Set(picked);
    return ours.map((g, flat) => (chosen.has(flat) ? derivative({ tensor, flat }, values[flat], asDouble(g), `${tensor}${nestedIndex(shape, flat)}`) : asDouble(g)));
  };
  const formOf = (t: Tensor<unknown>, dimensions: number) => t.shape.slice(t.shape.length - dimensions);
  const all = options.allEntries ?? false;
  const picked = {
    kernel: sample(problem.kernel.data.length, all),
    bias: sample(problem.bias?.values.length ?? 0, true),
    input: sample(problem.input.data.length, all),
  };
  const kernel = differencesOf('kernel', problem.kernel.data, first.gradients.kernel.data, formOf(problem.kernel, problem.kernelForm), picked.kernel);
  const bias = problem.bias && first.gradients.bias ? differencesOf('bias', problem.bias.values, first.gradients.bias, problem.bias.form === 'array' ? [problem.bias.values.length] : [], picked.bias) : undefined;
  const input = differencesOf('input', problem.input.data, first.gradients.input.data, formOf(problem.input, problem.inputForm), picked.input);
  const shaped = (data: number[], t: Tensor<unknown>, dimensions: number) => toNested({ shape: formOf(t, dimensions), data });
  return {
    grad: {
      kernel: shaped(kernel, problem.kernel, problem.kernelForm),
      ...(bias ? { bias: problem.bias!.form === 'array' ? bias : bias[0] } : {}),
      input: shaped(input, problem.input, problem.inputForm),
    },
    differenced: {
      kernel: { entries: picked.kernel, of: problem.kernel.data.length },
      bias: { entries: picked.bias, of: picked.bias.length },
      input: { entries: picked.input, of: problem.input.data.length },
    },
    step: exact ? 'h = 2^-20, in exact rational arithmetic' : 'h = 1e-6·max(1, |θ|), in float64',
    exact,
    tolerance,
    kinks,
    undecided,
  };
}
