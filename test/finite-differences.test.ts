// Finite differences that do not cry wolf: a kink is recognized by the verdict's own tolerance, and
// check says how much it differenced.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSolution } from '../src/engines/check.js';
import { finiteDifferences } from '../src/engines/finite-differences.js';
import { mapTensor } from '../src/tensor/tensor.js';
import { exact } from '../src/numbers/scalar.js';
import type { Solution } from '../src/trajectory/train.js';
import { generator } from './helpers/random-problems.js';
import { runCli, tempDir } from './helpers/run-cli.js';
import { resultOf, solutionOf } from './helpers/solve.js';
import { parseRational, toExactString } from '../src/numbers/rational.js';
import type { Nested } from '../src/tensor/tensor.js';

// A max-pool tie with a small gradient: S = max(1, 1, 0, 0) and ∂L/∂S = 2(1 − 0.999925) = 1.5e-4, all of
// it to the first of the tied entries (PyTorch's side); the one-sided slopes are 1.5e-4 and 0.
const TIE = { input: [[1, 1], [0, 0]], kernel: [[1]], pool: { type: 'max', size: 2 }, head: 'sum', loss: 'mse', target: '0.999925' };

/**
 * relu and a 2×2 max pool over random small integers: relu zeros and ties in plenty. The target is the
 * prediction off by ±0.01, a network nearly trained: gradients of order 1e-5, as in the tie.
 */
function reluMaxPool(seed: number, inputShape: number[], outChannels: number) {
  const random = generator(seed);
  const nested = (shape: number[], value: () => number): unknown => (shape.length === 0 ? value() : Array.from({ length: shape[0] }, () => nested(shape.slice(1), value)));
  const integer = (lo: number, hi: number) => () => lo + Math.floor(random() * (hi - lo + 1));
  const channels = inputShape[inputShape.length - 3];
  const problem = { input: nested(inputShape, integer(-2, 3)), kernel: nested([outChannels, channels, 3, 3], integer(-1, 1)), bias: nested([outChannels], integer(-1, 1)), padding: 1, activation: 'relu', pool: { type: 'max', size: 2 }, head: 'sum', target: 0 };
  const pooled = resultOf(problem).exact.forward.output as Nested<string>;
  const near = (y: Nested<string>): unknown => (Array.isArray(y) ? y.map(near) : toExactString(parseRational(y)!.add(random() < 0.5 ? 0.01 : -0.01)));
  return { ...problem, head: 'none', target: near(pooled) };
}

describe('finite differences at a kink', () => {
  it('accept the max-pool tie the issue found (0.00015 against 0.0000755), and name the kinks by nested index', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'tie.json'), JSON.stringify(TIE));
    const run = await runCli(['check', 'tie.json'], { cwd });
    expect(run.stdout).toMatch(/^grad\.input +finite differences +0 +0 +agrees$/m);
    expect(run.stdout).toContain("at a kink (convgrad's value, PyTorch's side, is one of the one-sided derivatives): input[0][0], input[0][1]");
    expect(run.status).toBe(0);
  }, 120_000);

  it('still catch a wrong value at a kink: outside the one-sided slopes, the central difference stands', () => {
    const solution = solutionOf(TIE);
    const { first } = solution;
    const input = mapTensor(first.gradients.input, (g, [, , i, j]) => (i === 0 && j === 0 ? exact(3, 10000) : g));
    const wrong: Solution = { ...solution, first: { ...first, gradients: { ...first.gradients, input } } };
    const fd = finiteDifferences(wrong);
    expect(fd.kinks).toEqual(['input[0][1]']);
    expect((fd.grad.input as number[][])[0][0]).toBeCloseTo(7.55e-5, 6);
  });

  it('name entries of a 4-D input by their four indices', () => {
    const fd = finiteDifferences(solutionOf({ ...TIE, input: [[[[1, 1], [0, 0]]]] }));
    expect(fd.kinks).toEqual(['input[0][0][0][0]', 'input[0][0][0][1]']);
  });

  // Random relu + max-pool problems at the sizes where the old kink test (1e-4·max(1, …), far looser than
  // the verdict's 1e-6) cried wolf. Every engine must agree; TF.js and PyTorch run where they can.
  const large = [
    ['2×3×32×32', reluMaxPool(1, [2, 3, 32, 32], 4)],
    ['3×64×64', reluMaxPool(2, [3, 64, 64], 4)],
  ] as const;
  it.each(large)('agree with convgrad on a random relu + max-pool problem at %s', async (_, problem) => {
    const report = await checkSolution(solutionOf(problem), '0.0.0');
    expect(report.rows.filter((r) => r.verdict === 'differs')).toEqual([]);
    const fd = report.engines.find((e) => e.name === 'finite differences')!;
    expect(fd.note).toMatch(/differenced 64 of the 108 of ∂L\/∂K, all 4 of ∂L\/∂b, 64 of the (6144|12288) of ∂L\/∂X \(an even sample of the larger ones; --all-entries differences every entry\)/);
  }, 300_000);
});

describe('check says how much it differenced', () => {
  const problem = { input: Array.from({ length: 9 }, (_, i) => Array.from({ length: 9 }, (_, j) => ((i * 7 + j * 3) % 5) - 2)), kernel: [[1, -2], [3, 1]], bias: 0.5, activation: 'relu', target: 3 };
  it('at most 64 entries of a tensor by default, every entry with --all-entries', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'p.json'), JSON.stringify(problem));
    const sampled = await runCli(['check', 'p.json'], { cwd });
    expect(sampled.stdout).toContain('differenced all 4 of ∂L/∂K, all 1 of ∂L/∂b, 64 of the 81 of ∂L/∂X (an even sample of the larger ones; --all-entries differences every entry)');
    const all = await runCli(['check', 'p.json', '--all-entries'], { cwd });
    expect(all.stdout).toContain('differenced all 4 of ∂L/∂K, all 1 of ∂L/∂b, all 81 of ∂L/∂X');
    expect(all.status).toBe(0);
    expect(finiteDifferences(solutionOf(problem), { allEntries: true }).differenced.input.entries).toHaveLength(81);
  }, 120_000);
});
