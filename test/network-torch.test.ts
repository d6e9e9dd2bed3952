// Networks of layers against PyTorch in float64 (test/reference/network_reference.py: nn.Sequential
// of the same modules in train(), the optimizer over model.parameters()): 320 random networks over
// every layer type and option, and the contract's example; every forward value, every gradient,
// every updated parameter and the trajectory at 1e-9 relative.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAnyProblemText } from '../src/problem/parse-problem.js';
import { networkResultDocument, type NetworkResultDocument } from '../src/result/network-document.js';
import { solveNetwork } from '../src/trajectory/train-network.js';
import { randomNetwork } from '../src/engines/random-network.js';
import { PYTHON, torch } from './helpers/tools.js';
import { readdirSync, readFileSync } from 'node:fs';
import { torchNetworkScript } from '../src/engines/torch-network-script.js';

const TORCH = torch();
const SCRIPT = fileURLToPath(new URL('./reference/network_reference.py', import.meta.url));
const RELATIVE = 1e-9;
const COUNT = 320;

/** The contract's example: conv → ReLU → max-pool → flatten → linear → cross-entropy. */
export const CONTRACT_EXAMPLE = {
  input: [[[1, 0, 2, 1], [0, 1, 3, 0], [2, 1, 0, 1], [1, 2, 1, 0]]],
  layers: [
    { type: 'conv2d', kernel: [[[[1, -1], [0, 2]]]], bias: [0] },
    { type: 'relu' },
    { type: 'max_pool', size: 3 },
    { type: 'flatten' },
    { type: 'linear', weight: [[1], [-1], [2]], bias: [0, 1, 0] },
  ],
  head: 'none',
  loss: 'cross_entropy',
  target: [2],
  optimizer: { type: 'sgd', lr: 0.1 },
};

type Nested = number | null | Nested[];
type Problem = { input: Nested; optimizer?: { type?: string; lr?: unknown }; steps?: number };

function solved(problem: unknown): NetworkResultDocument {
  const parsed = parseAnyProblemText(JSON.stringify(problem));
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  if (!parsed.network) throw new Error('not a network');
  return networkResultDocument(solveNetwork(parsed.network));
}

const flatten = (value: Nested): number[] => (Array.isArray(value) ? value.flatMap(flatten) : [value as number]);
const shape = (value: Nested): number[] => (Array.isArray(value) ? [value.length, ...shape(value[0])] : []);

/**
 * |ours − torch| ≤ 1e-9 · max(|ours|, |torch|) + floor. Float64 sums that cancel to 0 leave rounding
 * noise that no engine avoids: the floor is 1e-12 times the tensor's largest entry by default, and a
 * parameter gradient's is its products' noise (gradientNoise), as a bias before a batch norm has
 * gradient 0 exactly, and PyTorch some 1e-12. `floors` gives an entry its own floor.
 */
function expectClose(ours: Nested | undefined, theirs: Nested | undefined, path: string, floor?: number, floors?: readonly number[]): void {
  expect(ours, `${path}: convgrad has it`).toBeDefined();
  expect(JSON.stringify(shape(theirs!)), `${path}: shape`).toBe(JSON.stringify(shape(ours!)));
  const [a, b] = [flatten(ours!), flatten(theirs!)];
  const scale = Math.max(1, ...a.map(Math.abs));
  a.forEach((x, i) => {
    const tolerance = RELATIVE * Math.max(Math.abs(x), Math.abs(b[i])) + Math.max(1e-12 * scale, floor ?? 0, floors?.[i] ?? 0);
    expect(Math.abs(x - b[i]), `${path}[${i}]: convgrad ${x}, PyTorch ${b[i]}`).toBeLessThanOrEqual(tolerance);
  });
}

/** A number of a problem file: a JSON number, or a string holding a fraction or a decimal. */
const numberOf = (v: unknown) => (typeof v === 'string' ? v.split('/').map(Number).reduce((n, d) => n / d) : Number(v));
const largest = (value: Nested | undefined) => (value === undefined ? 0 : Math.max(0, ...flatten(value).map((v) => Math.abs(numberOf(v)))));

/**
 * The rounding noise of layer i's parameter gradients, each a sum of at most n products of δ^{(i)}
 * and a^{(i-1)} (n the entries of δ^{(i)}): 1e-13 · n · max |δ^{(i)}| · max |a^{(i-1)}|, some n units in
 * the last place of the largest product.
 */
function gradientNoise(doc: NetworkResultDocument, problem: { input: Nested }, i: number): number {
  const input = i === 0 ? problem.input : doc.forward.layers[i - 1];
  const delta = doc.grad.outputs[i] as Nested;
  return 1e-13 * flatten(delta).length * Math.max(1, largest(delta)) * Math.max(1, largest(input as Nested));
}

/** torch.optim's learning rate and eps by default. */
const DEFAULTS: Record<string, { lr: number; eps: number; adaptive: boolean }> = {
  sgd: { lr: 0.01, eps: 0, adaptive: false },
  adam: { lr: 0.001, eps: 1e-8, adaptive: true },
  adamw: { lr: 0.001, eps: 1e-8, adaptive: true },
  rmsprop: { lr: 0.01, eps: 1e-8, adaptive: true },
  adagrad: { lr: 0.01, eps: 1e-10, adaptive: true },
};

/**
 * How far a gradient's rounding noise g̃ can move a parameter over the steps: lr · g̃ a step for SGD;
 * for the optimizers that divide a gradient by its own size (Adam, AdamW, RMSprop, Adagrad: g/(|g| + ε)
 * at the first step) lr · g̃ / (|g| + ε), at most 2 lr — where a gradient is 0 but for noise, its sign
 * is the noise's, in PyTorch as in any float64 engine.
 */
function updateFloors(problem: { optimizer?: { type?: string; lr?: unknown; eps?: unknown }; steps?: number }, gradient: Nested, noise: number): number[] {
  const type = problem.optimizer?.type ?? 'sgd';
  const lr = numberOf(problem.optimizer?.lr ?? DEFAULTS[type].lr);
  const eps = DEFAULTS[type].eps;
  const steps = problem.steps ?? 1;
  return flatten(gradient).map((g) => steps * lr * (DEFAULTS[type].adaptive ? Math.min(2, noise / (Math.abs(g) + eps)) : noise) + 1e-12);
}

/** Each layer's named tensors; `floors(i, name)` gives the floor of a whole tensor, or of each of its entries. */
function expectNamedClose(ours: Record<string, Nested>[], theirs: Record<string, Nested>[], path: string, floors: (i: number, name: string) => { floor?: number; each?: number[] }): void {
  expect(ours.length, `${path}: layers`).toBe(theirs.length);
  theirs.forEach((named, i) => {
    expect(Object.keys(ours[i]).sort(), `${path}[${i}]: names`).toEqual(Object.keys(named).sort());
    for (const name of Object.keys(named)) expectClose(ours[i][name], named[name], `${path}[${i}].${name}`, floors(i, name).floor, floors(i, name).each);
  });
}

describe('random networks', () => {
  it('are valid problems of the contract, and cover every layer type, loss and optimizer', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= COUNT; seed++) {
      const problem = randomNetwork(seed) as { layers: { type: string }[]; loss?: unknown; optimizer: { type: string } };
      const parsed = parseAnyProblemText(JSON.stringify(problem));
      expect(parsed.ok ? '' : parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '), `seed ${seed}`).toBe('');
      for (const layer of problem.layers) seen.add(layer.type);
      seen.add(`loss ${typeof problem.loss === 'string' ? problem.loss : problem.loss ? 'expression' : 'mse'}`);
      seen.add(`optimizer ${problem.optimizer.type}`);
    }
    const every = ['conv2d', 'conv_transpose2d', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'gelu', 'activation', 'max_pool', 'avg_pool', 'batch_norm2d', 'flatten', 'linear'];
    const losses = ['mse', 'l1', 'smooth_l1', 'huber', 'bce', 'cross_entropy', 'expression'].map((l) => `loss ${l}`);
    const optimizers = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'].map((o) => `optimizer ${o}`);
    expect([...every, ...losses, ...optimizers].filter((k) => !seen.has(k))).toEqual([]);
  });

  it('are the same for the same seed', () => {
    expect(JSON.stringify(randomNetwork(7))).toBe(JSON.stringify(randomNetwork(7)));
  });
});

describe.skipIf(!TORCH.available)(`networks against ${TORCH.label} in float64`, () => {
  const problems = [CONTRACT_EXAMPLE, ...Array.from({ length: COUNT }, (_, i) => randomNetwork(i + 1))];
  const names = ['the contract example', ...Array.from({ length: COUNT }, (_, i) => `random network ${i + 1}`)];
  const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(problems), encoding: 'utf8', maxBuffer: 1 << 28 });
  const references = run.status === 0 ? (JSON.parse(run.stdout) as NetworkResultDocument[]) : [];

  it('the reference script ran', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(references).toHaveLength(problems.length);
  });

  it.each(problems.map((p, i) => [names[i], i, p as Problem] as const))('%s', (_, index, problem) => {
    const ours = solved(problem);
    const theirs = references[index];
    theirs.forward.layers.forEach((layer, i) => expectClose(ours.forward.layers[i], layer, `forward.layers[${i}]`));
    expectClose(ours.forward.prediction, theirs.forward.prediction, 'forward.prediction');
    expectClose(ours.forward.loss, theirs.forward.loss, 'forward.loss');
    const noise = (i: number) => gradientNoise(ours, problem, i);
    expectNamedClose(ours.grad.layers, theirs.grad.layers, 'grad.layers', (i) => ({ floor: noise(i) }));
    theirs.grad.outputs.forEach((g, i) => expectClose(ours.grad.outputs[i], g, `grad.outputs[${i}]`));
    expectClose(ours.grad.input, theirs.grad.input, 'grad.input');
    const moved = (i: number, name: string) => ({ each: updateFloors(problem, ours.grad.layers[i][name] as Nested, noise(i)) });
    expectNamedClose(ours.updated.layers, theirs.updated.layers, 'updated.layers', moved);
    expect(ours.trajectory.length).toBe(theirs.trajectory.length);
    theirs.trajectory.forEach((step, s) => {
      expectClose(ours.trajectory[s].loss, step.loss, `trajectory[${s}].loss`);
      expectNamedClose(ours.trajectory[s].layers, step.layers, `trajectory[${s}].layers`, moved);
    });
  });
});

describe('the contract example, exactly', () => {
  it('is read as a network of five layers with the shapes the contract implies', () => {
    const parsed = parseAnyProblemText(JSON.stringify(CONTRACT_EXAMPLE));
    expect(parsed.ok && parsed.network?.shapes).toEqual([[1, 1, 3, 3], [1, 1, 3, 3], [1, 1, 1, 1], [1, 1], [1, 3]]);
  });

  it('gives exact values wherever the maths is rational, and none where a softmax enters', () => {
    const doc = solved(CONTRACT_EXAMPLE);
    // σ = K ⋆ X + b on the 4×4 input; the max over the 3×3 map; the linear scores.
    expect(doc.exact.forward.layers[0]).toEqual([[[['3', '4', '1'], ['1', '-2', '5'], ['5', '3', '-1']]]]);
    expect(doc.exact.forward.layers[1]).toEqual([[[['3', '4', '1'], ['1', '0', '5'], ['5', '3', '0']]]]);
    expect(doc.exact.forward.layers[2]).toEqual([[[['5']]]]);
    expect(doc.exact.forward.layers[4]).toEqual([['5', '-4', '10']]);
    // The loss and every gradient pass through the softmax: float64 only.
    expect(doc.exact.forward.loss).toBeUndefined();
    expect(doc.exact.grad.outputs[4]).toBeNull();
  });
});

describe.skipIf(!TORCH.available)(`convgrad torch on networks, run by ${TORCH.label}`, () => {
  const examples = fileURLToPath(new URL('../examples/', import.meta.url));
  const files = readdirSync(examples).filter((f) => f.endsWith('.json'));
  // The shipped examples (whole numbers: the script must make its tensors float64 itself), the
  // contract's example, and random networks trained by SGD (whose steps move no rounding noise).
  const sgd = Array.from({ length: 60 }, (_, i) => randomNetwork(i + 1000)).filter((p) => (p.optimizer as { type: string }).type === 'sgd').slice(0, 10);
  const problems: [string, unknown][] = [...files.map((f): [string, unknown] => [f, JSON.parse(readFileSync(`${examples}${f}`, 'utf8'))]), ['the contract example', CONTRACT_EXAMPLE], ...sgd.map((p, i): [string, unknown] => [`random SGD network ${i + 1}`, p])];

  it.each(problems)('%s: the script says PyTorch agrees', (_, problem) => {
    const parsed = parseAnyProblemText(JSON.stringify(problem));
    if (!parsed.ok || !parsed.network) throw new Error('not a network');
    const run = spawnSync(PYTHON, ['-'], { input: torchNetworkScript(solveNetwork(parsed.network), 'test'), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('PyTorch agrees with convgrad on every quantity.');
    expect(run.status).toBe(0);
  }, 60_000);

  it('a planted difference is reported, with its entry, and exits 1', () => {
    const parsed = parseAnyProblemText(JSON.stringify(CONTRACT_EXAMPLE));
    if (!parsed.ok || !parsed.network) throw new Error('not a network');
    // convgrad's ∂L/∂K of the first layer with its first entry off by 1, as a bug would leave it.
    const solution = solveNetwork(parsed.network);
    const stages = [...solution.first.backward.stages];
    const kernel = stages[0].parameters.kernel;
    stages[0] = { ...stages[0], parameters: { ...stages[0].parameters, kernel: { shape: kernel.shape, data: kernel.data.map((x, k) => (k === 0 ? Number(x.valueOf()) + 1 : x)) } } };
    const planted = { ...solution, first: { ...solution.first, backward: { ...solution.first.backward, stages } } };
    const run = spawnSync(PYTHON, ['-'], { input: torchNetworkScript(planted, 'test'), encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/grad\.layers\[0\]\.kernel +DIFFERS/);
    expect(run.stdout).toContain('grad.layers[0].kernel[0][0][0][0]: convgrad');
  }, 60_000);
});
