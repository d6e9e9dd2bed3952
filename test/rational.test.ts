import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRational, rational, toDouble, toExactString, toTerminatingDecimal } from '../src/numbers/rational.js';
import { asDouble, exact, isExact, mul } from '../src/numbers/scalar.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { derive } from '../src/derivation/derive.js';
import { plainText } from '../src/render/text.js';
import { stringsFor } from '../src/strings/strings.js';
import { solutionOf } from './helpers/solve.js';
import { PYTHON, torch } from './helpers/tools.js';

const TORCH = torch();
const REFERENCE = fileURLToPath(new URL('./reference/torch_reference.py', import.meta.url));

describe('parseRational', () => {
  it.each([
    ['0.01', '1/100'],
    ['-2.5', '-5/2'],
    ['1/3', '1/3'],
    ['6/4', '3/2'],
    ['1e-3', '1/1000'],
    ['2.5E2', '250'],
    ['.5', '1/2'],
    ['+7', '7'],
    ['0.1234567890123456789', '1234567890123456789/10000000000000000000'],
  ])('%s is exactly %s', (text, exact) => {
    expect(toExactString(parseRational(text)!)).toBe(exact);
  });

  it.each(['', 'a', '1/0', '1/2/3', '1.5/2', '--1', '1e', 'NaN', 'Infinity', '0x10', '1 /3'])('refuses %j', (text) => {
    expect(parseRational(text)).toBeNull();
  });
});

describe('toDouble', () => {
  it('is the correctly rounded double of a small fraction', () => {
    expect(toDouble(rational(63, 25))).toBe(2.52);
    expect(toDouble(rational(1, 3))).toBe(1 / 3);
    expect(toDouble(rational(-1, 10))).toBe(-0.1);
  });

  it('rounds huge numerators and denominators correctly (checked against the decimal expansion)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 40n }), fc.bigInt({ min: 1n, max: 10n ** 40n }), (n, d) => {
        const exact = rational(n, d);
        const x = toDouble(exact);
        // x is the nearest double: the exact value lies within half an ulp of x.
        const ulp = Math.abs(x - nextDown(x));
        const distance = Math.abs(exact.sub(exactOfDouble(x)).valueOf());
        return distance <= ulp / 2 + ulp * 1e-9;
      }),
    );
  });
});

describe('toTerminatingDecimal', () => {
  it('writes terminating decimals and refuses the others', () => {
    expect(toTerminatingDecimal(rational(63, 25))).toBe('2.52');
    expect(toTerminatingDecimal(rational(-1, 25))).toBe('-0.04');
    expect(toTerminatingDecimal(rational(48))).toBe('48');
    expect(toTerminatingDecimal(rational(1, 3))).toBeNull();
    expect(toTerminatingDecimal(rational(1, 2 ** 20), 12)).toBeNull();
  });
});

function nextDown(x: number): number {
  const buffer = new DataView(new ArrayBuffer(8));
  buffer.setFloat64(0, x);
  buffer.setBigUint64(0, buffer.getBigUint64(0) - 1n);
  return buffer.getFloat64(0);
}

function exactOfDouble(x: number) {
  // Every finite double is m · 2^e exactly.
  let e = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    e++;
  }
  return rational(BigInt(m), 2n ** BigInt(e));
}

describe('exact arithmetic', () => {
  it('goes on in float64 past 2^1024, where a rational activation compounded over steps would take minutes', () => {
    // x²/(1 + x²) on tenths, four SGD steps with momentum: exact for the first step, thousands of digits by the fourth.
    const tenths = (row: number[]) => row.map((v) => `${v}/10`);
    const problem = {
      input: [tenths([2, 5, 3, 4]), tenths([1, 4, -4, 2]), tenths([-5, 0, -1, 2])], kernel: [['-3/20', '1/5'], ['1/4', '1/10']],
      activation: { expression: 'x^2 / (1 + x^2)' }, padding: 1, padding_mode: 'replicate', target: 2, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5 }, steps: 4,
    };
    const { steps } = solutionOf(problem);
    expect(isExact(steps[0].loss)).toBe(true);
    expect(steps[3].after.kernel.data.some((v) => !isExact(v))).toBe(true);
    expect(steps[3].after.kernel.data.every((v) => Number.isFinite(asDouble(v)))).toBe(true);
    const nearOne = exact(2n ** 600n + 1n, 2n ** 600n);
    expect(isExact(nearOne)).toBe(true);
    expect(isExact(mul(nearOne, nearOne))).toBe(false);
    expect(mul(nearOne, nearOne)).toBe(1);
  });

  // 64×64 decimals, SGD with momentum: the exact digits grow with every step, and so does each step's cost.
  const grid = (r: number, c: number, f: (i: number, j: number) => string) => Array.from({ length: r }, (_, i) => Array.from({ length: c }, (__, j) => f(i, j)));
  const growing = { input: grid(64, 64, (i, j) => `${((i * 7 + j * 3) % 11) - 5}.${(i + j) % 10}`), kernel: grid(3, 3, (i, j) => `0.${i}${j + 1}`), target: 1, steps: 30, optimizer: { type: 'sgd', lr: '0.001', momentum: 0.9 } };

  it('goes on in float64 from the step whose exact work would pass the budget, decided from its numbers before it runs, and says so', () => {
    const solution = solutionOf(growing);
    expect(solution.roundedFrom).toBe(11);
    expect(solution.steps.map((s) => isExact(s.loss))).toEqual([...Array(10).fill(true), ...Array(20).fill(false)]);
    const intro = derive(solution).intro.map((t) => plainText(t, stringsFor('en')));
    expect(intro).toContain('From step 11 on, the numbers are computed in float64 and marked \\approx: their exact digits grow with every step, and exact arithmetic past step 10 would take longer than convgrad allows for a problem this size.');
  });

  it('counts the bits a sum reaches, not the largest entry: 1600 distinct 100-digit denominators go float64 from step 1', () => {
    // S sums every σ over the lcm of the input's denominators: 1600 × 330 bits, though each entry has 330.
    const bomb = { input: grid(40, 40, (i, j) => `1/${10n ** 99n + BigInt(2 * (40 * i + j) + 1)}`), kernel: [[1, 2], [3, 4]], target: 1, steps: 3 };
    const solution = solutionOf(bomb);
    expect(solution.roundedFrom).toBe(1);
    expect(isExact(solution.steps[0].loss)).toBe(false);
    const intro = derive(solution).intro.map((t) => plainText(t, stringsFor('en')));
    expect(intro.slice(0, 1)).toEqual(['Each line reads symbols, then numbers, then the value.']);
    expect(intro).toContain('The numbers are computed in float64 and marked \\approx: exact arithmetic on a problem this size would take longer than convgrad allows.');
    // The same entries with one denominator stay exact: the lcm is that denominator.
    expect(solutionOf({ ...bomb, input: grid(40, 40, (i, j) => `${2 * (40 * i + j) + 1}/${10n ** 99n + 1n}`) }).roundedFrom).toBeUndefined();
  });

  it.skipIf(!TORCH.available)(`and agrees with ${TORCH.label} in float64 on every step`, () => {
    const run = spawnSync(PYTHON, [REFERENCE], { input: JSON.stringify([growing]), encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(run.status, run.stderr).toBe(0);
    const [theirs] = JSON.parse(run.stdout) as { trajectory: { loss: number; kernel: number[][] }[] }[];
    const ours = solutionOf(growing).steps;
    theirs.trajectory.forEach((step, t) => {
      expect(Math.abs(step.loss - asDouble(ours[t].loss)), `step ${t + 1}`).toBeLessThanOrEqual(1e-9 * Math.abs(step.loss));
      step.kernel.flat().forEach((k, i) => expect(Math.abs(k - asDouble(ours[t].after.kernel.data[i]))).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(k))));
    });
  }, 120_000);
});
