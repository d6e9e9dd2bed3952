// Every gradient three ways: the compact rules convgrad computes with, the chain rule on the written-out
// expressions (every entry, not only the ones a derivation shows), and central differences (exact where
// the loss is a quadratic in the parameter, float64 where it is smooth but not rational).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { differentiate } from '../src/expr/differentiate.js';
import { evaluate } from '../src/expr/evaluate.js';
import { derivationContext } from '../src/derivation/context.js';
import { convForward, kernelGradient, paddedInputGradient } from '../src/ops/conv2d/conv.js';
import { biasSym, inputSym, kernelSym } from '../src/ops/conv2d/symbols.js';
import { limbBits } from '../src/numbers/sums-of-products.js';
import { channelsPerGroup, inputChannel, tap, type ConvGeometry } from '../src/ops/conv2d/geometry.js';
import { forward } from '../src/model/forward.js';
import { get, makeTensor, offset, unravel, type Tensor } from '../src/tensor/tensor.js';
import { rational, toExactString, type Rational } from '../src/numbers/rational.js';
import { add, asDouble, isExact, mul, sub, ZERO, type Scalar } from '../src/numbers/scalar.js';
import type { Problem } from '../src/problem/problem.js';
import { randomProblem } from './helpers/random-problems.js';
import { problemOf, solutionOf } from './helpers/solve.js';

const show = (x: Scalar) => (isExact(x) ? toExactString(x) : x);
const close = (a: Scalar, b: Scalar, what: string) => {
  if (isExact(a) && isExact(b)) expect(toExactString(a), what).toBe(toExactString(b));
  else expect(Math.abs(asDouble(a) - asDouble(b)), `${what}: ${show(a)} vs ${show(b)}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(asDouble(a))));
};

describe('the compact rules equal the chain rule on the written-out σ, for every entry', () => {
  it.each(Array.from({ length: 60 }, (_, i) => [2000 + i]))('random problem %i', (seed) => {
    const solution = solutionOf(randomProblem(seed));
    const ctx = derivationContext(solution);
    const { gradients } = solution.first;
    // ∂L/∂v = ∂(Σ δ·σ)/∂v with δ held at its values: the chain rule through every stage above σ.
    const bySymbols = (v: Parameters<typeof differentiate>[1]) => evaluate(differentiate(ctx.linearizedWith(v), v), ctx.value);
    gradients.kernel.data.forEach((g, flat) => close(bySymbols(kernelSym(ctx.naming, ...(unravel(gradients.kernel.shape, flat) as [number, number, number, number]))), g, `∂L/∂k ${flat}`));
    gradients.input.data.forEach((g, flat) => close(bySymbols(inputSym(ctx.naming, ...(unravel(gradients.input.shape, flat) as [number, number, number, number]))), g, `∂L/∂x ${flat}`));
    gradients.bias?.forEach((g, o) => close(bySymbols(biasSym(ctx.naming, o)), g, `∂L/∂b ${o}`));
    // With S written out (no activation, no pooling, one prediction), ∂L/∂S · ∂S/∂v as well.
    if (ctx.linear) {
      const dLdS = gradients.prediction.data[0];
      gradients.kernel.data.forEach((g, flat) => {
        const v = kernelSym(ctx.naming, ...(unravel(gradients.kernel.shape, flat) as [number, number, number, number]));
        const dS = evaluate(differentiate(ctx.predictionWith(v), v), ctx.value);
        if (isExact(dLdS) && !dLdS.equals(0)) close(dS, (g as Rational).div(dLdS), `∂S/∂k ${flat}`);
      });
    }
  });
});

type Change = { tensor: 'kernel' | 'input' | 'bias'; flat: number; by: Scalar };

function lossWith(problem: Problem, change: Change): Scalar {
  const shift = (t: Tensor<Rational>, name: Change['tensor']): Tensor<Scalar> => (name === change.tensor ? { shape: t.shape, data: t.data.map((v, k) => (k === change.flat ? add(v, change.by) : v)) } : t);
  const p = { ...problem, input: shift(problem.input, 'input') as Tensor<Rational> };
  const bias = problem.bias ? problem.bias.values.map((v, o) => (change.tensor === 'bias' && o === change.flat ? add(v, change.by) : v)) : undefined;
  return forward(p, { kernel: shift(problem.kernel, 'kernel'), ...(bias ? { bias } : {}) }).loss;
}

// (L(θ + h) − L(θ − h)) / 2h
function centralDifference(problem: Problem, tensor: Change['tensor'], flat: number, h: Scalar): Scalar {
  const up = lossWith(problem, { tensor, flat, by: h });
  const down = lossWith(problem, { tensor, flat, by: isExact(h) ? h.neg() : -h });
  const diff = sub(up, down);
  return isExact(diff) && isExact(h) ? diff.div(h.mul(2)) : asDouble(diff) / (2 * asDouble(h));
}

function everyParameter(problem: Problem): [Change['tensor'], number][] {
  return [
    ...problem.kernel.data.map((_, k) => ['kernel', k] as [Change['tensor'], number]),
    ...problem.input.data.map((_, k) => ['input', k] as [Change['tensor'], number]),
    ...(problem.bias?.values.map((_, k) => ['bias', k] as [Change['tensor'], number]) ?? []),
  ];
}

const gradientOf = (gradients: ReturnType<typeof solutionOf>['first']['gradients'], tensor: Change['tensor'], flat: number) =>
  tensor === 'kernel' ? gradients.kernel.data[flat] : tensor === 'input' ? gradients.input.data[flat] : gradients.bias![flat];

// Where L is a quadratic in each parameter (S linear in it), the central difference is exact for every h.
describe('exact central differences', () => {
  it('match every gradient of random problems with channels, groups, padding modes, average pooling and every head', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 7 }), (seed, hn, hd) => {
        const source = randomProblem(seed, { quadratic: true });
        const problem = problemOf(source);
        const { gradients } = solutionOf(source).first;
        for (const [tensor, flat] of everyParameter(problem)) {
          expect(toExactString(centralDifference(problem, tensor, flat, rational(hn, hd)) as Rational), `${tensor} ${flat}`).toBe(toExactString(gradientOf(gradients, tensor, flat) as Rational));
        }
      }),
      { numRuns: 40 },
    );
  });
});

// Where L is smooth but not rational, a float64 central difference with h = 1e-6 agrees to about 1e-6.
describe('float64 central differences', () => {
  it.each(Array.from({ length: 30 }, (_, i) => [5000 + i]))('random smooth problem %i', (seed) => {
    const source = randomProblem(seed, { smooth: true });
    const problem = problemOf(source);
    const { gradients } = solutionOf(source).first;
    for (const [tensor, flat] of everyParameter(problem)) {
      const numeric = asDouble(centralDifference(problem, tensor, flat, 1e-6));
      const exact = asDouble(gradientOf(gradients, tensor, flat));
      expect(Math.abs(numeric - exact), `${tensor} ${flat}: difference ${numeric}, gradient ${exact}`).toBeLessThanOrEqual(2e-5 * Math.max(1, Math.abs(exact)));
    }
  });
});

// The reference: each sum entry by entry in rational arithmetic, from the index rules alone.
function referenceConv(g: ConvGeometry, padded: Tensor<Scalar>, kernel: Tensor<Scalar>, delta: Tensor<Scalar>) {
  const sigma = makeTensor([g.batch, g.outChannels, g.output.rows, g.output.cols], ([n, o, i, j]) => {
    let sum: Scalar = ZERO;
    for (let c = 0; c < channelsPerGroup(g); c++)
      for (let m = 0; m < g.kernel.rows; m++)
        for (let q = 0; q < g.kernel.cols; q++) sum = add(sum, mul(get(kernel, o, c, m, q), get(padded, n, inputChannel(g, o, c), ...tap(g, i, j, m, q))));
    return sum;
  });
  const kernelGradient = makeTensor(kernel.shape, ([o, c, m, q]) => {
    let sum: Scalar = ZERO;
    for (let n = 0; n < g.batch; n++)
      for (let i = 0; i < g.output.rows; i++)
        for (let j = 0; j < g.output.cols; j++) sum = add(sum, mul(get(delta, n, o, i, j), get(padded, n, inputChannel(g, o, c), ...tap(g, i, j, m, q))));
    return sum;
  });
  const paddedGradient: Scalar[] = new Array(padded.data.length).fill(ZERO);
  for (let n = 0; n < g.batch; n++)
    for (let o = 0; o < g.outChannels; o++)
      for (let c = 0; c < channelsPerGroup(g); c++)
        for (let i = 0; i < g.output.rows; i++)
          for (let j = 0; j < g.output.cols; j++)
            for (let m = 0; m < g.kernel.rows; m++)
              for (let q = 0; q < g.kernel.cols; q++) {
                const at = offset(padded.shape, [n, inputChannel(g, o, c), ...tap(g, i, j, m, q)]);
                paddedGradient[at] = add(paddedGradient[at], mul(get(delta, n, o, i, j), get(kernel, o, c, m, q)));
              }
  return { sigma, kernelGradient, paddedGradient: { shape: padded.shape, data: paddedGradient } };
}

describe('the sums of products in doubles, cut into limbs, equal rational arithmetic', () => {
  const check = (solution: ReturnType<typeof solutionOf>, scale?: Rational) => {
    const { forward: f, gradients: g, before } = solution.first;
    const grow = (t: Tensor<Scalar>): Tensor<Scalar> => (scale ? { shape: t.shape, data: t.data.map((v) => mul(v, scale)) } : t);
    const [padded, kernel, delta] = [grow(f.padded), grow(before.kernel), grow(g.delta)];
    const reference = referenceConv(f.geometry, padded, kernel, delta);
    const same = (a: { data: readonly Scalar[] }, b: { data: readonly Scalar[] }, what: string) => a.data.forEach((x, k) => close(x, b.data[k], `${what} ${k}`));
    same(convForward(f.geometry, padded, kernel, undefined), reference.sigma, 'σ');
    same(kernelGradient(f.geometry, padded, delta), reference.kernelGradient, '∂L/∂K');
    same(paddedInputGradient(f.geometry, kernel, delta), reference.paddedGradient, '∂L/∂X̃');
  };
  it.each(Array.from({ length: 40 }, (_, i) => [9000 + i]))('random problem %i', (seed) => check(solutionOf(randomProblem(seed))));
  // Numerators of some 200 bits and odd denominators: several limbs a number, every pair of limbs summed.
  it.each(Array.from({ length: 10 }, (_, i) => [9100 + i]))('random problem %i with numbers of 60 digits', (seed) => check(solutionOf(randomProblem(seed, { basic: true })), rational(10n ** 60n + 7n, 3n ** 20n)));
  it('splits limbs so that every partial sum stays below 2^53, with the fewest pairs', () => {
    expect(limbBits(10, 20, 1)).toEqual([10, 20]);
    // 30-bit numbers summed 1000 at a time leave 43 bits: 10 + 33, three pairs of limbs (21 + 22 would take four).
    expect(limbBits(30, 30, 1000)).toEqual([10, 33]);
    const [a, b] = limbBits(200, 10, 100);
    expect(a + b + Math.ceil(Math.log2(100))).toBeLessThanOrEqual(53);
    expect(Math.ceil(200 / a) * Math.ceil(10 / b)).toBe(6); // 200 bits in limbs of at most 46 − 10 = 36: six
  });
});
