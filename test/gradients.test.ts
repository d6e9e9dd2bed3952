// Every gradient three ways: the compact rules convgrad computes with, the chain rule on the written-out
// expressions (every entry, not only the ones a derivation shows), and exact central differences.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { differentiate } from '../src/expr/differentiate.js';
import { evaluate } from '../src/expr/evaluate.js';
import { sym } from '../src/expr/expr.js';
import { derivationContext } from '../src/derivation/context.js';
import { at, makeGrid, mapGrid, toRows } from '../src/model/grid.js';
import { forward } from '../src/model/forward.js';
import { rational, toExactString, type Rational } from '../src/numbers/rational.js';
import type { Problem } from '../src/problem/problem.js';
import { randomProblem } from './helpers/random-problems.js';
import { problemOf, solutionOf } from './helpers/solve.js';

const exact = (grid: { rows: number; cols: number; data: readonly Rational[] }) => toRows(grid).map((row) => row.map(toExactString));

describe('the compact rules equal the chain rule on the written-out S, entry by entry', () => {
  it.each(Array.from({ length: 40 }, (_, i) => [2000 + i]))('random problem %i', (seed) => {
    const solution = solutionOf(randomProblem(seed));
    const ctx = derivationContext(solution);
    const { gradients } = solution.steps[0];
    const dLdS = gradients.prediction;
    const bySymbols = (name: 'k' | 'x', rows: number, cols: number) =>
      makeGrid(rows, cols, (i, j) => dLdS.mul(evaluate(differentiate(ctx.expandedPrediction, sym(name, i + 1, j + 1)), ctx.value)));
    expect(exact(bySymbols('k', gradients.kernel.rows, gradients.kernel.cols))).toEqual(exact(gradients.kernel));
    expect(exact(bySymbols('x', gradients.input.gradient.rows, gradients.input.gradient.cols))).toEqual(exact(gradients.input.gradient));
    if (gradients.bias !== undefined) {
      expect(toExactString(dLdS.mul(evaluate(differentiate(ctx.expandedPrediction, sym('b')), ctx.value)))).toBe(toExactString(gradients.bias));
    }
  });
});

// L is a quadratic in any one parameter (S is linear in it), so the central difference
// (L(θ + h) − L(θ − h)) / 2h equals ∂L/∂θ exactly for every h: an exact, independent check.
describe('exact central differences', () => {
  const lossWith = (problem: Problem, change: { kernel?: [number, number, Rational]; input?: [number, number, Rational]; bias?: Rational }) => {
    const p: Problem = change.input
      ? { ...problem, input: mapGrid(problem.input, (v, i, j) => (i === change.input![0] && j === change.input![1] ? v.add(change.input![2]) : v)) }
      : problem;
    const kernel = mapGrid(problem.kernel, (v, i, j) => (change.kernel && i === change.kernel[0] && j === change.kernel[1] ? v.add(change.kernel[2]) : v));
    const bias = problem.bias ? problem.bias.value.add(change.bias ?? rational(0)) : undefined;
    return forward(p, bias === undefined ? { kernel } : { kernel, bias }).loss;
  };
  const central = (problem: Problem, h: Rational, at: (delta: Rational) => Parameters<typeof lossWith>[1]) =>
    lossWith(problem, at(h)).sub(lossWith(problem, at(h.neg()))).div(h.mul(2));

  it('match every gradient of random problems', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 7 }), (seed, hn, hd) => {
        const problem = problemOf(randomProblem(seed));
        const { gradients } = solutionOf(randomProblem(seed)).steps[0];
        const h = rational(hn, hd);
        for (let m = 0; m < problem.kernel.rows; m++)
          for (let n = 0; n < problem.kernel.cols; n++) {
            expect(toExactString(central(problem, h, (d) => ({ kernel: [m, n, d] })))).toBe(toExactString(at(gradients.kernel, m, n)));
          }
        for (let i = 0; i < problem.input.rows; i++)
          for (let j = 0; j < problem.input.cols; j++) {
            expect(toExactString(central(problem, h, (d) => ({ input: [i, j, d] })))).toBe(toExactString(at(gradients.input.gradient, i, j)));
          }
        if (gradients.bias !== undefined) expect(toExactString(central(problem, h, (d) => ({ bias: d })))).toBe(toExactString(gradients.bias));
      }),
      { numRuns: 60 },
    );
  });
});
