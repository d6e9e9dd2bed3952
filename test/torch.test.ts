// convgrad against PyTorch in float64: the seed and random problems over every option in scope.
// Needs Debian's python3-torch at /usr/bin/python3 (skipped with the install command where it is missing, required in CI).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { randomProblem } from './helpers/random-problems.js';
import { resultOf } from './helpers/solve.js';
import { KINKS, OPTIMIZERS } from './helpers/cases.js';
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
