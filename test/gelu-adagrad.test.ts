// The activation gelu (PyTorch's exact form, with an erf of our own) and the optimizer Adagrad, each
// added as one file: their numbers against PyTorch in float64, as the other activations' and
// optimizers' are (Adagrad also runs with every other optimizer through helpers/cases.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { erf } from '../src/ops/activation/erf.js';
import { gelu } from '../src/ops/activation/gelu.js';
import { checkSolution } from '../src/engines/check.js';
import { torchScript } from '../src/engines/torch-script.js';
import { tfjsResult } from '../src/engines/tfjs.js';
import { CHECKED } from '../src/engines/check.js';
import { compareTensors, tensorOf, valueAt } from '../src/engines/compare.js';
import { DTYPE_TOLERANCES } from '../src/engines/tolerance.js';
import { resultDocument } from '../src/result/result-document.js';
import { derive } from '../src/derivation/derive.js';
import { renderMarkdown } from '../src/render/markdown.js';
import { renderHtml } from '../src/render/html.js';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { randomProblem } from './helpers/random-problems.js';
import { resultOf, solutionOf } from './helpers/solve.js';
import { OPTIMIZERS } from './helpers/cases.js';
import { PYTHON, torch } from './helpers/tools.js';

const TORCH = torch();
const REFERENCE = fileURLToPath(new URL('./reference/torch_reference.py', import.meta.url));
const seed = JSON.parse(SEED_PROBLEM_SOURCE);

type Nested = number | Nested[];
const flatten = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flatten) : [v]);

// Every range of the rational approximations, their edges, and far past them.
const POINTS = [
  0, 1e-300, 2 ** -29, 2 ** -27, 1e-5, 0.1, 0.5, 0.84375 - 1e-12, 0.84375, 1, 1.25 - 1e-12, 1.25, 2, 1 / 0.35 - 1e-12, 1 / 0.35, 4, 5.9, 6, 7, 30, 1e300,
  ...Array.from({ length: 400 }, (_, i) => -8 + (16 * i) / 399 + 1e-3 * Math.sin(i)),
].flatMap((x) => [x, -x]);

function torchRun(code: string, input: unknown): unknown {
  const run = spawnSync(PYTHON, ['-c', code], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

describe.skipIf(!TORCH.available)(`erf and gelu against ${TORCH.label} in float64`, () => {
  const [erfs, values, slopes] = torchRun(
    `
import json, sys, torch, torch.nn.functional as F
x = torch.tensor(json.load(sys.stdin), dtype=torch.float64, requires_grad=True)
y = F.gelu(x)
y.sum().backward()
print(json.dumps([torch.special.erf(x).tolist(), y.tolist(), x.grad.tolist()]))
`,
    POINTS,
  ) as number[][];

  it('erf is within one unit in the last place of torch.special.erf, and odd', () => {
    POINTS.forEach((x, i) => {
      const ulp = Math.max(Number.MIN_VALUE, Math.abs(erfs[i]) * 2 ** -52);
      expect(Math.abs(erf(x) - erfs[i]), `erf(${x}): ours ${erf(x)}, PyTorch ${erfs[i]}`).toBeLessThanOrEqual(ulp);
      expect(erf(-x)).toBe(-erf(x));
    });
    expect(erf(Number.NaN)).toBeNaN();
    expect([erf(Infinity), erf(-Infinity)]).toEqual([1, -1]);
  });

  it('gelu and its derivative agree with F.gelu and its autograd to 1e-14', () => {
    const f = { type: 'gelu' };
    POINTS.filter((x) => Math.abs(x) < 1e10).forEach((x) => {
      const i = POINTS.indexOf(x);
      const [value, slope] = [gelu.value(f, x) as number, gelu.slope(f, x, gelu.value(f, x)) as number];
      expect(Math.abs(value - values[i]), `gelu(${x})`).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(values[i])));
      expect(Math.abs(slope - slopes[i]), `gelu'(${x})`).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(slopes[i])));
    });
  });
});

const GELU = [
  { ...seed, activation: 'gelu', target: 0, kernel: [['0.3', '-0.2'], ['0.1', '0.05']] },
  { input: [[1, -2, 0], [3, '0.5', -1], [2, 1, -3]], kernel: [['1/2', -1], [0, 1]], bias: '-0.25', activation: 'gelu', pool: { type: 'max', size: 2, stride: 1 }, head: 'none', target: [[0]], steps: 3, optimizer: { type: 'adagrad', lr: 0.5, lr_decay: 0.1 } },
  ...Array.from({ length: 20 }, (_, i): Record<string, unknown> => ({ ...(randomProblem(500 + i) as Record<string, unknown>), activation: 'gelu' })).filter((p) => p.loss !== 'bce'),
];
const ADAGRAD = [OPTIMIZERS['adagrad'], OPTIMIZERS['adagrad lr_decay, initial accumulator, eps, weight decay'], ...Array.from({ length: 10 }, (_, i) => ({ ...(randomProblem(600 + i) as Record<string, unknown>), steps: 3, optimizer: { type: 'adagrad', lr: '0.05', weight_decay: i % 2 ? '0.1' : 0, initial_accumulator_value: i % 3 ? 0 : '0.5' } }))];

describe.skipIf(!TORCH.available)(`problems with gelu and Adagrad agree with ${TORCH.label} in float64`, () => {
  const problems = [...GELU, ...ADAGRAD];
  const references = torchRun(`exec(open(${JSON.stringify(REFERENCE)}).read())`, problems) as ReturnType<typeof resultOf>[];
  it.each(problems.map((p, i) => [i, p] as const))('problem %i', (index, problem) => {
    const ours = resultOf(problem);
    const theirs = references[index];
    const close = (a: Nested, b: Nested, path: string) => {
      const [x, y] = [flatten(a), flatten(b)];
      expect(y.length, path).toBe(x.length);
      const scale = Math.max(1, ...x.map(Math.abs));
      x.forEach((v, k) => expect(Math.abs(v - y[k]), `${path}[${k}]: convgrad ${v}, PyTorch ${y[k]}`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(v), Math.abs(y[k])) + 1e-12 * scale));
    };
    close(ours.forward.conv!, theirs.forward.conv!, 'forward.conv');
    close(ours.forward.output!, theirs.forward.output!, 'forward.output');
    close(ours.forward.loss!, theirs.forward.loss!, 'forward.loss');
    close(ours.grad.kernel!, theirs.grad.kernel!, 'grad.kernel');
    close(ours.grad.input!, theirs.grad.input!, 'grad.input');
    if (ours.grad.bias !== undefined) close(ours.grad.bias as Nested, theirs.grad.bias as Nested, 'grad.bias');
    ours.trajectory.forEach((step, i) => {
      close(step.loss!, theirs.trajectory[i].loss!, `trajectory[${i}].loss`);
      close(step.kernel!, theirs.trajectory[i].kernel!, `trajectory[${i}].kernel`);
      if (step.bias !== undefined) close(step.bias as Nested, theirs.trajectory[i].bias as Nested, `trajectory[${i}].bias`);
    });
  });

  it('the generated PyTorch script agrees on each', () => {
    for (const problem of problems.slice(0, 6).concat(ADAGRAD.slice(0, 4))) {
      const run = spawnSync(PYTHON, ['-'], { input: torchScript(solutionOf(problem), '0.0.0'), encoding: 'utf8' });
      expect(run.stderr, JSON.stringify(problem)).toBe('');
      expect(run.stdout.trim().split('\n').pop()).toBe('PyTorch agrees with convgrad on every quantity.');
    }
  }, 120_000);
});

describe('gelu and Adagrad in the other engines and the derivation', () => {
  it('TF.js agrees on gelu to float32\'s tolerance', async () => {
    for (const problem of GELU.slice(0, 6)) {
      const solution = solutionOf(problem);
      const outcome = await tfjsResult(solution.problem);
      if ('unsupported' in outcome) continue;
      const ours = resultDocument(solution);
      for (const quantity of CHECKED.filter((q) => !q.startsWith('updated'))) {
        const [mine, theirs] = [valueAt(ours, quantity), valueAt(outcome.result, quantity)];
        if (mine === undefined || theirs === undefined) continue;
        expect(compareTensors(quantity, tensorOf(mine), tensorOf(theirs), DTYPE_TOLERANCES.float32).differences, quantity).toEqual([]);
      }
    }
  }, 120_000);

  it('finite differences agree on a gelu problem trained with Adagrad', async () => {
    const report = await checkSolution(solutionOf(GELU[1]), '0.0.0');
    expect(report.rows.filter((r) => r.engine === 'finite differences').every((r) => r.verdict !== 'differs')).toBe(true);
    expect(report.agree).toBe(true);
  }, 120_000);

  it('the derivation writes gelu with erf and marks its values ≈, and writes Adagrad\'s rule', () => {
    const md = renderMarkdown(derive(solutionOf(GELU[1])), { language: 'en', version: '0.0.0' });
    expect(md).toContain('\\operatorname{erf}');
    expect(md).toContain('\\approx');
    expect(md).toContain('Adagrad, as torch.optim.Adagrad computes it');
    expect(md).toContain('s_{t-1} + g_t^2');
    // Every formula renders in KaTeX (the HTML renderer throws on one that does not).
    expect(() => renderHtml(derive(solutionOf(GELU[1])), { language: 'zh', version: '0.0.0' })).not.toThrow();
  });
});
