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

function solved(problem: unknown): NetworkResultDocument {
  const parsed = parseAnyProblemText(JSON.stringify(problem));
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  if (!parsed.network) throw new Error('not a network');
  return networkResultDocument(solveNetwork(parsed.network));
}

const flatten = (value: Nested): number[] => (Array.isArray(value) ? value.flatMap(flatten) : [value as number]);
const shape = (value: Nested): number[] => (Array.isArray(value) ? [value.length, ...shape(value[0])] : []);

/** |ours − torch| ≤ 1e-9 · max(|ours|, |torch|) + 1e-12 · the tensor's largest entry (sums that cancel leave rounding noise). */
function expectClose(ours: Nested | undefined, theirs: Nested | undefined, path: string): void {
  expect(ours, `${path}: convgrad has it`).toBeDefined();
  expect(JSON.stringify(shape(theirs!)), `${path}: shape`).toBe(JSON.stringify(shape(ours!)));
  const [a, b] = [flatten(ours!), flatten(theirs!)];
  const scale = Math.max(1, ...a.map(Math.abs));
  a.forEach((x, i) => {
    const tolerance = RELATIVE * Math.max(Math.abs(x), Math.abs(b[i])) + 1e-12 * scale;
    expect(Math.abs(x - b[i]), `${path}[${i}]: convgrad ${x}, PyTorch ${b[i]}`).toBeLessThanOrEqual(tolerance);
  });
}

function expectNamedClose(ours: Record<string, Nested>[], theirs: Record<string, Nested>[], path: string): void {
  expect(ours.length, `${path}: layers`).toBe(theirs.length);
  theirs.forEach((named, i) => {
    expect(Object.keys(ours[i]).sort(), `${path}[${i}]: names`).toEqual(Object.keys(named).sort());
    for (const name of Object.keys(named)) expectClose(ours[i][name], named[name], `${path}[${i}].${name}`);
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

  it.each(problems.map((p, i) => [names[i], i, p] as const))('%s', (_, index, problem) => {
    const ours = solved(problem);
    const theirs = references[index];
    theirs.forward.layers.forEach((layer, i) => expectClose(ours.forward.layers[i], layer, `forward.layers[${i}]`));
    expectClose(ours.forward.prediction, theirs.forward.prediction, 'forward.prediction');
    expectClose(ours.forward.loss, theirs.forward.loss, 'forward.loss');
    expectNamedClose(ours.grad.layers, theirs.grad.layers, 'grad.layers');
    theirs.grad.outputs.forEach((g, i) => expectClose(ours.grad.outputs[i], g, `grad.outputs[${i}]`));
    expectClose(ours.grad.input, theirs.grad.input, 'grad.input');
    expectNamedClose(ours.updated.layers, theirs.updated.layers, 'updated.layers');
    expect(ours.trajectory.length).toBe(theirs.trajectory.length);
    theirs.trajectory.forEach((step, s) => {
      expectClose(ours.trajectory[s].loss, step.loss, `trajectory[${s}].loss`);
      expectNamedClose(ours.trajectory[s].layers, step.layers, `trajectory[${s}].layers`);
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
