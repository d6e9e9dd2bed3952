// convgrad against PyTorch in float64: the seed and random problems over every option in scope.
// Needs Debian's python3-torch at /usr/bin/python3 (skipped with the install command where it is missing, required in CI).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { randomProblem } from './helpers/random-problems.js';
import { resultOf } from './helpers/solve.js';
import { PYTHON, torch } from './helpers/tools.js';

const TORCH = torch();
const SCRIPT = fileURLToPath(new URL('./reference/torch_reference.py', import.meta.url));
const RELATIVE = 1e-9;

type Nested = number | Nested[];

/**
 * |ours − torch| ≤ 1e-9 · max(|ours|, |torch|), with an absolute floor of 1e-12 times the tensor's
 * largest entry: float64 sums of terms that cancel to 0 leave rounding noise PyTorch cannot avoid.
 */
function expectClose(ours: Nested, theirs: Nested, path: string): void {
  const flatOurs = flatten(ours);
  const flatTheirs = flatten(theirs);
  expect(flatTheirs.length, `${path}: shape`).toBe(flatOurs.length);
  expect(JSON.stringify(shape(theirs)), `${path}: shape`).toBe(JSON.stringify(shape(ours)));
  const scale = Math.max(1, ...flatOurs.map(Math.abs));
  flatOurs.forEach((a, i) => {
    const b = flatTheirs[i];
    const tolerance = RELATIVE * Math.max(Math.abs(a), Math.abs(b)) + 1e-12 * scale;
    expect(Math.abs(a - b), `${path}[${i}]: convgrad ${a}, PyTorch ${b}`).toBeLessThanOrEqual(tolerance);
  });
}

function flatten(value: Nested): number[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

function shape(value: Nested): number[] {
  return Array.isArray(value) ? [value.length, ...shape(value[0])] : [];
}

/** Kinks, where the derivative is one-sided: convgrad must take PyTorch's side. */
export const KINKS: Record<string, object> = {
  'relu at 0': { input: [[1, -1], [2, 0]], kernel: [[1]], activation: 'relu', head: 'none', target: [[0, 0], [0, 1]], loss: 'mse' },
  'leaky_relu at 0': { input: [[1, -1], [2, 0]], kernel: [[1]], activation: 'leaky_relu', negative_slope: 0.2, head: 'none', target: [[0, 0], [0, 1]] },
  'max pool tie': { input: [[2, 2, 1], [2, 1, 2], [0, 2, 2]], kernel: [[1]], pool: { type: 'max', size: 2, stride: 1 }, head: 'sum', target: 3 },
  'l1 at |y − t| = 0': { input: [[1, 2], [3, 4]], kernel: [[1]], head: 'none', loss: 'l1', target: [[1, 0], [3, 5]] },
  'smooth_l1 at |y − t| = β': { input: [[1, 2], [3, 4]], kernel: [[1]], head: 'none', loss: 'smooth_l1', beta: 1, target: [[0, 3], [3, 4.5]] },
  'smooth_l1 with β = 0': { input: [[1, 2], [3, 4]], kernel: [[1]], head: 'none', loss: 'smooth_l1', beta: 0, target: [[1, 3], [3, 4.5]] },
  'huber at |y − t| = δ': { input: [[1, 2], [3, 4]], kernel: [[1]], head: 'none', loss: 'huber', delta: 2, target: [[3, 0], [3, 4.5]] },
  'bce at 0 and 1': { input: [[100, -100], [0, 1]], kernel: [[1]], activation: 'sigmoid', head: 'none', loss: 'bce', target: [[1, 0], [0.5, 1]] },
};

/** Every optimizer and option of the contract, five steps on the seed with a bias. */
const seedWith = (optimizer: object) => ({ ...JSON.parse(SEED_PROBLEM_SOURCE), bias: '0.5', steps: 5, optimizer });
export const OPTIMIZERS: Record<string, object> = {
  'sgd': seedWith({ type: 'sgd', lr: '0.001' }),
  'sgd momentum, dampening, weight decay': seedWith({ type: 'sgd', lr: '0.001', momentum: 0.9, dampening: 0.1, weight_decay: 0.01 }),
  'sgd nesterov': seedWith({ type: 'sgd', lr: '0.001', momentum: 0.9, nesterov: true }),
  'adam': seedWith({ type: 'adam', lr: 0.1 }),
  'adam weight decay, amsgrad': seedWith({ type: 'adam', lr: 0.1, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.1, amsgrad: true }),
  'adamw': seedWith({ type: 'adamw', lr: 0.1 }),
  'adamw amsgrad': seedWith({ type: 'adamw', lr: 0.1, weight_decay: 0.2, amsgrad: true }),
  'rmsprop': seedWith({ type: 'rmsprop', lr: 0.01 }),
  'rmsprop centered, momentum, weight decay': seedWith({ type: 'rmsprop', lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weight_decay: 0.1 }),
};

describe.skipIf(!TORCH.available)(`agreement with ${TORCH.label} in float64`, () => {
  const problems = [JSON.parse(SEED_PROBLEM_SOURCE), ...Object.values(KINKS), ...Object.values(OPTIMIZERS), ...Array.from({ length: 320 }, (_, i) => randomProblem(i + 1))];
  const names = ['seed', ...Object.keys(KINKS), ...Object.keys(OPTIMIZERS), ...Array.from({ length: 320 }, (_, i) => `random ${i + 1}`)];
  const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(problems), encoding: 'utf8', maxBuffer: 1 << 26 });
  const references = run.status === 0 ? (JSON.parse(run.stdout) as ReturnType<typeof resultOf>[]) : [];

  it('the reference script ran', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(references).toHaveLength(problems.length);
  });

  it.each(problems.map((p, i) => [names[i], i, p] as const))('%s', (_, index, problem) => {
    const ours = resultOf(problem);
    const theirs = references[index];
    expectClose(ours.forward.conv!, theirs.forward.conv!, 'forward.conv');
    expectClose(ours.forward.output!, theirs.forward.output!, 'forward.output');
    expectClose(ours.forward.prediction!, theirs.forward.prediction!, 'forward.prediction');
    expectClose(ours.forward.loss!, theirs.forward.loss!, 'forward.loss');
    expectClose(ours.grad.kernel!, theirs.grad.kernel!, 'grad.kernel');
    expectClose(ours.grad.input!, theirs.grad.input!, 'grad.input');
    expect(theirs.grad.bias === undefined).toBe(ours.grad.bias === undefined);
    if (ours.grad.bias !== undefined) expectClose(ours.grad.bias as Nested, theirs.grad.bias as Nested, 'grad.bias');
    expectClose(ours.updated.kernel!, theirs.updated.kernel!, 'updated.kernel');
    expect(ours.trajectory.map((s) => s.step)).toEqual(theirs.trajectory.map((s) => s.step));
    ours.trajectory.forEach((step, i) => {
      expectClose(step.loss!, theirs.trajectory[i].loss!, `trajectory[${i}].loss`);
      expectClose(step.kernel!, theirs.trajectory[i].kernel!, `trajectory[${i}].kernel`);
      if (step.bias !== undefined) expectClose(step.bias as Nested, theirs.trajectory[i].bias as Nested, `trajectory[${i}].bias`);
    });
    if (ours.updated.bias !== undefined) expectClose(ours.updated.bias as Nested, theirs.updated.bias as Nested, 'updated.bias');
  });

  it('covers every option of the contract but the optimizers', () => {
    const has = (f: (p: Record<string, unknown>) => boolean) => problems.some(f);
    const depth = (v: unknown): number => (Array.isArray(v) ? 1 + depth(v[0]) : 0);
    for (const d of [2, 3, 4]) expect(has((p) => depth(p.input) === d), `${d}-D input`).toBe(true);
    expect(has((p) => depth(p.kernel) === 4 && depth(p.input) === 2)).toBe(true);
    expect(has((p) => (p.groups as number) > 1)).toBe(true);
    for (const mode of ['reflect', 'replicate', 'circular']) expect(has((p) => p.padding_mode === mode), mode).toBe(true);
    for (const f of ['relu', 'leaky_relu', 'sigmoid', 'tanh']) expect(has((p) => p.activation === f), f).toBe(true);
    expect(has((p) => typeof p.activation === 'object')).toBe(true);
    for (const type of ['max', 'avg']) expect(has((p) => (p.pool as { type?: string } | undefined)?.type === type), type).toBe(true);
    expect(has((p) => p.head === 'none')).toBe(true);
    for (const loss of ['l1', 'smooth_l1', 'huber', 'bce']) expect(has((p) => p.loss === loss), loss).toBe(true);
    expect(has((p) => typeof p.loss === 'object')).toBe(true);
    const optimizer = (p: Record<string, unknown>) => (p.optimizer ?? {}) as Record<string, unknown>;
    for (const type of ['sgd', 'adam', 'adamw', 'rmsprop']) expect(has((p) => optimizer(p).type === type), type).toBe(true);
    for (const flag of ['nesterov', 'amsgrad', 'centered']) expect(has((p) => optimizer(p)[flag] === true), flag).toBe(true);
    expect(has((p) => Number(optimizer(p).momentum ?? 0) > 0 && optimizer(p).type === 'sgd')).toBe(true);
    expect(has((p) => Number(optimizer(p).momentum ?? 0) > 0 && optimizer(p).type === 'rmsprop')).toBe(true);
    expect(has((p) => (p.steps as number) > 2)).toBe(true);
    expect(has((p) => p.padding === 'same')).toBe(true);
    expect(has((p) => p.padding === 'valid')).toBe(true);
    expect(has((p) => Array.isArray(p.stride) || (p.stride as number) > 1)).toBe(true);
    expect(has((p) => Array.isArray(p.dilation) || (p.dilation as number) > 1)).toBe(true);
    expect(has((p) => Array.isArray(p.padding) || (typeof p.padding === 'number' && p.padding > 0))).toBe(true);
    expect(has((p) => Array.isArray(p.bias))).toBe(true);
    expect(has((p) => typeof p.bias === 'number' || typeof p.bias === 'string')).toBe(true);
    expect(has((p) => p.head === 'mean')).toBe(true);
    expect(has((p) => p.reduction === 'sum')).toBe(true);
  });
});
