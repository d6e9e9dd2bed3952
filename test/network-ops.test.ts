// The ops of networks of layers, one at a time, against PyTorch in float64 (test/reference/ops_reference.py):
// random small tensors of integers and small fractions (so that the exact paths run), every forward value
// and every gradient for an upstream gradient G (loss = (y * G).sum()); and the properties that hold
// exactly: rational results where the maths is rational, rows of softmax gradients that sum to 0.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRational, toExactString, type Rational } from '../src/numbers/rational.js';
import { asDouble, exact, isExact, mul, type Scalar } from '../src/numbers/scalar.js';
import { batchNorm2dStage, batchNormRefusal } from '../src/ops/batch-norm2d/stage.js';
import { batchNormStatistics } from '../src/ops/batch-norm2d/batch-norm.js';
import { conv2dStage } from '../src/ops/conv2d/stage.js';
import { convGeometry } from '../src/ops/conv2d/geometry.js';
import { convTranspose2dStage } from '../src/ops/conv-transpose2d/stage.js';
import { convTranspose2dGeometry, convTranspose2dRefusal, type ConvTranspose2dSpec } from '../src/ops/conv-transpose2d/geometry.js';
import { crossEntropyObjective } from '../src/ops/loss/cross-entropy.js';
import { flattenStage } from '../src/ops/flatten/stage.js';
import { linearStage } from '../src/ops/linear/stage.js';
import type { NamedTensors, Stage } from '../src/ops/stage.js';
import { integerSquareRoot, squareRoot } from '../src/numbers/square-root.js';
import { size, type Tensor } from '../src/tensor/tensor.js';
import { generator } from './helpers/random-problems.js';
import { PYTHON, torch } from './helpers/tools.js';
import { parseAnyProblemText } from '../src/problem/parse-problem.js';
import { solveNetwork, type NetworkSolution } from '../src/trajectory/train-network.js';
import { networkResultDocument } from '../src/result/network-document.js';
import { deriveNetwork } from '../src/derivation/network/derive-network.js';
import { renderMarkdown } from '../src/render/markdown.js';

const TORCH = torch();
const SCRIPT = fileURLToPath(new URL('./reference/ops_reference.py', import.meta.url));
const CASES_PER_OP = 48;

const random = generator(15);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
const chance = (p: number) => random() < p;

/** Mostly small integers, then halves and quarters, then any small fraction; a float64 where asked. */
function entry(float = false): Scalar {
  if (float) return Math.round((random() * 8 - 4) * 1e6) / 1e6 + 1e-9;
  const kind = random();
  if (kind < 0.55) return exact(int(-4, 4));
  if (kind < 0.8) return exact(int(-9, 9), pick([2, 4]));
  return exact(int(-7, 7), int(1, 6));
}

function randomTensor(shape: readonly number[], float = false): Tensor<Scalar> {
  return { shape, data: Array.from({ length: size(shape) }, () => entry(float)) };
}

/** A tensor as the reference reads it: its shape and its entries as exact strings. */
function wire(t: Tensor<Scalar>): { shape: readonly number[]; data: string[] } {
  return { shape: t.shape, data: t.data.map((v) => (isExact(v) ? toExactString(v) : String(v))) };
}

interface Ours {
  readonly shape?: readonly number[];
  readonly output?: readonly Scalar[];
  readonly loss?: Scalar;
  readonly elements?: readonly Scalar[];
  readonly grad: Readonly<Record<string, readonly Scalar[]>>;
  readonly records?: NamedTensors;
}

interface Theirs {
  readonly shape?: number[];
  readonly output?: number[];
  readonly loss?: number;
  readonly elements?: number[];
  readonly grad: Record<string, number[]>;
  readonly mean?: number[];
  readonly variance?: number[];
}

interface OpCase {
  readonly name: string;
  readonly wire: Record<string, unknown>;
  readonly ours: () => Ours;
}

/** One stage's forward and backward for an input, its parameters and an upstream gradient G of the output's shape. */
function runStage(stage: Stage, x: Tensor<Scalar>, parameters: NamedTensors, G: readonly Scalar[]): Ours {
  const forward = stage.forward(x, parameters);
  expect(forward.output.shape, 'outputShape agrees with forward').toEqual(stage.outputShape(x.shape));
  const backward = stage.backward({ shape: forward.output.shape, data: G }, { input: x, output: forward.output, saved: forward.saved }, parameters);
  expect(backward.input.shape).toEqual(x.shape);
  for (const name of stage.parameterNames) expect(backward.parameters[name].shape, `∂L/∂${name}`).toEqual(parameters[name].shape);
  const grad = Object.fromEntries(Object.entries(backward.parameters).map(([name, t]) => [name, t.data]));
  return { shape: forward.output.shape, output: forward.output.data, grad: { input: backward.input.data, ...grad }, records: backward.records };
}

/** |ours − torch| ≤ 1e-9 · max(|ours|, |torch|) + 1e-12 · (the largest entry, at least 1). */
function expectClose(ours: readonly Scalar[], theirs: readonly number[], path: string): void {
  expect(theirs.length, `${path}: length`).toBe(ours.length);
  const doubles = ours.map(asDouble);
  const scale = Math.max(1, ...doubles.map(Math.abs), ...theirs.map(Math.abs));
  doubles.forEach((a, i) => {
    const b = theirs[i];
    expect(Math.abs(a - b), `${path}[${i}]: convgrad ${a}, PyTorch ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12 * scale);
  });
}

// ---------------------------------------------------------------------------------------------- cases

function linearCase(i: number): OpCase {
  const [N, inF, outF] = [int(1, 3), int(1, 5), int(1, 4)];
  const hasBias = chance(0.6);
  const float = i % 8 === 7;
  const x = randomTensor([N, inF], float);
  const weight = randomTensor([outF, inF]);
  const bias = hasBias ? randomTensor([outF]) : undefined;
  const G = randomTensor([N, outF]);
  const parameters: NamedTensors = bias ? { weight, bias } : { weight };
  return {
    name: `linear ${i}: [${N}][${inF}] → [${outF}]${hasBias ? ' + b' : ''}${float ? ', float input' : ''}`,
    wire: { op: 'linear', x: wire(x), weight: wire(weight), bias: bias ? wire(bias) : null, G: wire(G) },
    ours: () => runStage(linearStage(hasBias, outF), x, parameters, G.data),
  };
}

function flattenCase(i: number): OpCase {
  const shape = Array.from({ length: int(2, 5) }, () => int(1, 3));
  const x = randomTensor(shape);
  const G = randomTensor([shape[0], size(shape.slice(1))]);
  return {
    name: `flatten ${i}: [${shape.join('][')}]`,
    wire: { op: 'flatten', x: wire(x), G: wire(G) },
    ours: () => runStage(flattenStage(), x, {}, G.data),
  };
}

function crossEntropyCase(i: number): OpCase {
  const [N, classes] = [int(1, 4), int(1, 5)];
  const reduction = i % 2 === 0 ? 'mean' : 'sum';
  // Logits of every size: small exact ones, floats, and a few large enough that exp would overflow without the shift.
  const y = randomTensor([N, classes], i % 4 === 3);
  const scaled = i % 6 === 5 ? { shape: y.shape, data: y.data.map((v) => asDouble(v) * 300) } : y;
  const target = Array.from({ length: N }, () => int(0, classes - 1));
  return {
    name: `cross_entropy ${i}: [${N}][${classes}], ${reduction}${i % 6 === 5 ? ', large logits' : ''}`,
    wire: { op: 'cross_entropy', x: wire(scaled), target, reduction },
    ours: () => {
      const objective = crossEntropyObjective(target, reduction);
      const { elementLosses, loss } = objective.forward(scaled);
      expect(elementLosses.shape).toEqual([N]);
      const gradient = objective.backward(scaled);
      expect(gradient.shape).toEqual([N, classes]);
      return { loss, elements: elementLosses.data, grad: { input: gradient.data } };
    },
  };
}

function batchNormCase(i: number): OpCase {
  let shape: number[];
  do shape = [int(1, 3), i % 3 === 0 ? 1 : int(1, 3), int(1, 3), int(1, 3)];
  while (batchNormRefusal(shape));
  const float = i % 8 === 7;
  const x = randomTensor(shape, float);
  // Every third case has one channel and an ε that makes σ² + ε the square of a rational (k/2)², so that
  // the exact path runs against PyTorch too; the others take PyTorch's default 1e-5 or another ε.
  let eps = parseRational(pick(['1e-5', '1e-5', '1/10', '0.001', '1/4']))!;
  if (i % 3 === 0 && !float) {
    const variance = batchNormStatistics(x, exact(0)).variance.data[0] as Rational;
    let k = 1;
    while (exact(k * k, 4).compare(variance) <= 0) k++;
    eps = exact(k * k, 4).sub(variance);
  }
  const weight = randomTensor([shape[1]]);
  const bias = randomTensor([shape[1]]);
  const G = randomTensor(shape);
  return {
    name: `batch_norm2d ${i}: [${shape.join('][')}], ε = ${toExactString(eps)}${float ? ', float input' : ''}`,
    wire: { op: 'batch_norm2d', x: wire(x), weight: wire(weight), bias: wire(bias), eps: toExactString(eps), G: wire(G) },
    ours: () => {
      const ours = runStage(batchNorm2dStage(eps), x, { weight, bias }, G.data);
      if (i % 3 === 0 && !float) expect(ours.output!.every(isExact) && ours.grad.input.every(isExact), 'exact where σ² + ε is a square').toBe(true);
      return ours;
    },
  };
}

function convTransposeCase(i: number): OpCase {
  let spec: ConvTranspose2dSpec;
  do {
    const groups = pick([1, 1, 2, 3]);
    const [inPerGroup, outPerGroup] = [int(1, 2), int(1, 2)];
    const stride = [int(1, 3), int(1, 3)] as const;
    const dilation = [pick([1, 1, 2]), pick([1, 1, 2])] as const;
    spec = {
      input: [int(1, 2), inPerGroup * groups, int(1, 4), int(1, 4)],
      kernel: [inPerGroup * groups, outPerGroup, int(1, 3), int(1, 3)],
      stride,
      padding: [int(0, 2), int(0, 2)],
      outputPadding: [int(0, Math.max(stride[0], dilation[0]) - 1), int(0, Math.max(stride[1], dilation[1]) - 1)],
      dilation,
      groups,
    };
  } while (convTranspose2dRefusal(spec));
  const g = convTranspose2dGeometry(spec);
  const hasBias = chance(0.6);
  const float = i % 8 === 7;
  const x = randomTensor(spec.input, float);
  const kernel = randomTensor(spec.kernel);
  const bias = hasBias ? randomTensor([g.outChannels]) : undefined;
  const G = randomTensor([g.batch, g.outChannels, g.output.rows, g.output.cols]);
  const parameters: NamedTensors = bias ? { kernel, bias } : { kernel };
  const pair = (p: readonly number[]) => `(${p.join(',')})`;
  return {
    name: `conv_transpose2d ${i}: x [${spec.input.join('][')}], K [${spec.kernel.join('][')}], groups ${spec.groups}, stride ${pair(spec.stride)}, padding ${pair(spec.padding)}, output_padding ${pair(spec.outputPadding)}, dilation ${pair(spec.dilation)}${hasBias ? ', bias' : ''}${float ? ', float input' : ''}`,
    wire: { op: 'conv_transpose2d', x: wire(x), kernel: wire(kernel), bias: bias ? wire(bias) : null, G: wire(G), stride: spec.stride, padding: spec.padding, output_padding: spec.outputPadding, dilation: spec.dilation, groups: spec.groups },
    ours: () => runStage(convTranspose2dStage(g, hasBias), x, parameters, G.data),
  };
}

const CASES: OpCase[] = [
  ...Array.from({ length: CASES_PER_OP }, (_, i) => linearCase(i)),
  ...Array.from({ length: CASES_PER_OP }, (_, i) => flattenCase(i)),
  ...Array.from({ length: CASES_PER_OP }, (_, i) => crossEntropyCase(i)),
  ...Array.from({ length: CASES_PER_OP }, (_, i) => batchNormCase(i)),
  ...Array.from({ length: 2 * CASES_PER_OP }, (_, i) => convTransposeCase(i)),
];

describe.skipIf(!TORCH.available)(`network ops against ${TORCH.label} in float64`, () => {
  const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(CASES.map((c) => c.wire)), encoding: 'utf8', maxBuffer: 1 << 26 });
  const references = run.status === 0 ? (JSON.parse(run.stdout) as Theirs[]) : [];

  it('the reference script ran', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(references).toHaveLength(CASES.length);
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_, index) => {
    const ours = CASES[index].ours();
    const theirs = references[index];
    if (theirs.shape) expect(ours.shape).toEqual(theirs.shape);
    if (theirs.output) expectClose(ours.output!, theirs.output, 'output');
    if (theirs.loss !== undefined) expectClose([ours.loss!], [theirs.loss], 'loss');
    if (theirs.elements) expectClose(ours.elements!, theirs.elements, 'element losses');
    expect(Object.keys(ours.grad).sort()).toEqual(Object.keys(theirs.grad).sort());
    for (const [name, values] of Object.entries(theirs.grad)) expectClose(ours.grad[name], values, `∂L/∂${name}`);
    if (theirs.mean) expectClose(ours.records!.mean.data, theirs.mean, 'mean');
    if (theirs.variance) expectClose(ours.records!.variance.data, theirs.variance, 'variance');
  });
});

// ---------------------------------------------------------------------------------------- exactness

const q = (n: number, d = 1) => exact(n, d);
const strings = (values: readonly Scalar[]) => values.map((v) => (isExact(v) ? toExactString(v as Rational) : `≈${v}`));

describe('linear', () => {
  // x = [[1/2, −1], [2, 1/3]], W = [[1, 2], [−1/2, 3]], b = [1/4, −1]
  const x = { shape: [2, 2], data: [q(1, 2), q(-1), q(2), q(1, 3)] };
  const weight = { shape: [2, 2], data: [q(1), q(2), q(-1, 2), q(3)] };
  const bias = { shape: [2], data: [q(1, 4), q(-1)] };
  const G = [q(1), q(-2), q(1, 2), q(0)];
  const ours = runStage(linearStage(true, 2), x, { weight, bias }, G);

  it('is exact on rationals: y = x Wᵀ + b', () => {
    // y00 = 1/2 − 2 + 1/4 = −5/4; y01 = −1/4 − 3 − 1 = −17/4; y10 = 2 + 2/3 + 1/4 = 35/12; y11 = −1 + 1 − 1 = −1
    expect(strings(ours.output!)).toEqual(['-5/4', '-17/4', '35/12', '-1']);
  });

  it('is exact on rationals: ∂L/∂W = δᵀ x, ∂L/∂b = Σ_n δ, ∂L/∂x = δ W', () => {
    // δ = [[1, −2], [1/2, 0]]
    // ∂W_{0,·} = 1·[1/2, −1] + 1/2·[2, 1/3] = [3/2, −5/6]; ∂W_{1,·} = −2·[1/2, −1] + 0 = [−1, 2]
    expect(strings(ours.grad.weight)).toEqual(['3/2', '-5/6', '-1', '2']);
    expect(strings(ours.grad.bias)).toEqual(['3/2', '-2']);
    // ∂x_{0,·} = 1·[1, 2] − 2·[−1/2, 3] = [2, −4]; ∂x_{1,·} = 1/2·[1, 2] = [1/2, 1]
    expect(strings(ours.grad.input)).toEqual(['2', '-4', '1/2', '1']);
  });

  it('goes float64 with a float64 input, and has no bias gradient without a bias', () => {
    const float = runStage(linearStage(false, 2), { shape: [1, 2], data: [0.1, q(1)] }, { weight }, [q(1), q(1)]);
    expect(float.output!.every((v) => typeof v === 'number')).toBe(true);
    expect(Object.keys(float.grad).sort()).toEqual(['input', 'weight']);
  });
});

describe('flatten', () => {
  it('keeps the batch axis and the entries, and reshapes δ back', () => {
    const x = randomTensor([2, 3, 2, 2]);
    const G = randomTensor([2, 12]);
    const ours = runStage(flattenStage(), x, {}, G.data);
    expect(ours.shape).toEqual([2, 12]);
    expect(ours.output).toEqual(x.data);
    expect(ours.grad.input).toEqual(G.data);
  });
});

describe('cross_entropy', () => {
  it('gives gradient rows that sum to 0, and ∂L/∂y = w(softmax − onehot)', () => {
    for (let trial = 0; trial < 40; trial++) {
      const [N, classes] = [int(1, 4), int(2, 6)];
      const y = randomTensor([N, classes], trial % 2 === 1);
      const target = Array.from({ length: N }, () => int(0, classes - 1));
      for (const reduction of ['mean', 'sum'] as const) {
        const gradient = crossEntropyObjective(target, reduction).backward(y).data.map(asDouble);
        for (let n = 0; n < N; n++) {
          const row = gradient.slice(n * classes, (n + 1) * classes);
          expect(Math.abs(row.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(1e-15);
          // Only the target's entry is negative: softmax − 1 < 0, softmax > 0 elsewhere.
          row.forEach((g, k) => expect(Math.sign(g)).toBe(k === target[n] ? -1 : 1));
        }
      }
    }
  });

  it('is log(classes) for equal logits, and stays finite for logits whose exp overflows', () => {
    const { loss } = crossEntropyObjective([1], 'mean').forward({ shape: [1, 4], data: [q(2), q(2), q(2), q(2)] });
    expect(asDouble(loss)).toBeCloseTo(Math.log(4), 15);
    const large = crossEntropyObjective([0, 1], 'sum').forward({ shape: [2, 2], data: [1000, 0, 1000, 0] });
    expect(large.elementLosses.data.map(asDouble)).toEqual([0, 1000]);
  });
});

describe('batch_norm2d', () => {
  it('is exact when σ² + ε is the square of a rational', () => {
    // One channel, N = 2, 1×2: x = [−1, 1 | 3, 1], μ = 1, σ² = (4 + 0 + 4 + 0)/4 = 2, ε = 1/4: √(9/4) = 3/2
    const x = { shape: [2, 1, 1, 2], data: [q(-1), q(1), q(3), q(1)] };
    const weight = { shape: [1], data: [q(2)] };
    const bias = { shape: [1], data: [q(1, 2)] };
    const G = [q(1), q(0), q(2), q(-1)];
    const ours = runStage(batchNorm2dStage(q(1, 4)), x, { weight, bias }, G);
    expect(strings(ours.records!.mean.data)).toEqual(['1']);
    expect(strings(ours.records!.variance.data)).toEqual(['2']);
    expect(strings(ours.records!.invStd.data)).toEqual(['2/3']);
    // x̂ = (x − 1)·2/3 = [−4/3, 0, 4/3, 0]; y = 2x̂ + 1/2
    expect(strings(ours.records!.xhat.data)).toEqual(['-4/3', '0', '4/3', '0']);
    expect(strings(ours.output!)).toEqual(['-13/6', '1/2', '19/6', '1/2']);
    // ∂β = 1 + 0 + 2 − 1 = 2; ∂γ = −4/3 + 8/3 = 4/3
    expect(strings(ours.grad.bias)).toEqual(['2']);
    expect(strings(ours.grad.weight)).toEqual(['4/3']);
    // mean(δ) = 1/2, mean(δx̂) = 1/3; ∂x = 2·(2/3)·(δ − 1/2 − x̂/3) = 4/3 · [1/2 + 4/9, −1/2, 3/2 − 4/9, −3/2]
    expect(strings(ours.grad.input)).toEqual(['34/27', '-2/3', '38/27', '-2']);
  });

  it('goes float64 when σ² + ε is not a square (ε = 1e-5)', () => {
    const x = { shape: [2, 1, 1, 2], data: [q(-1), q(1), q(3), q(1)] };
    const ours = runStage(batchNorm2dStage(parseRational('1e-5')!), x, { weight: { shape: [1], data: [q(1)] }, bias: { shape: [1], data: [q(0)] } }, [q(1), q(0), q(0), q(0)]);
    expect(isExact(ours.records!.variance.data[0])).toBe(true);
    expect(isExact(ours.records!.invStd.data[0])).toBe(false);
    expect(asDouble(ours.records!.invStd.data[0])).toBeCloseTo(1 / Math.sqrt(2 + 1e-5), 15);
  });

  it("has an input gradient that finite differences of Σ G·y agree with", () => {
    for (let trial = 0; trial < 12; trial++) {
      let shape: number[];
      do shape = [int(1, 3), int(1, 3), int(1, 3), int(1, 3)];
      while (batchNormRefusal(shape));
      const x = randomTensor(shape);
      const weight = randomTensor([shape[1]]);
      const bias = randomTensor([shape[1]]);
      const G = randomTensor(shape).data;
      const eps = parseRational('1/10')!;
      const stage = batchNorm2dStage(eps);
      const loss = (data: readonly Scalar[]) => stage.forward({ shape, data }, { weight, bias }).output.data.reduce<number>((total, y, k) => total + asDouble(mul(y, G[k])), 0);
      const gradient = runStage(stage, x, { weight, bias }, G).grad.input.map(asDouble);
      const h = 1e-6;
      x.data.forEach((_, k) => {
        const at = (shift: number) => loss(x.data.map((v, j) => (j === k ? asDouble(v) + shift : asDouble(v))));
        const numeric = (at(h) - at(-h)) / (2 * h);
        expect(Math.abs(numeric - gradient[k]), `trial ${trial}, x[${k}]: ${numeric} vs ${gradient[k]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(gradient[k])));
      });
    }
  });

  it("refuses what PyTorch refuses, in PyTorch's words", () => {
    expect(batchNormRefusal([1, 3, 1, 1])).toBe('Expected more than 1 value per channel when training, got input size torch.Size([1, 3, 1, 1])');
    expect(batchNormRefusal([1, 3])).toBe('expected 4D input (got 2D input)');
    expect(batchNormRefusal([2, 3, 1, 1])).toBeUndefined();
    expect(batchNormRefusal([1, 1, 1, 2])).toBeUndefined();
  });

  it('normalizes a constant channel with ε = 0 to 0, as PyTorch does (its inverse std is 0 there)', () => {
    const x = { shape: [2, 1, 1, 1], data: [q(3), q(3)] };
    const ours = runStage(batchNorm2dStage(q(0)), x, { weight: { shape: [1], data: [q(1)] }, bias: { shape: [1], data: [q(0)] } }, [q(1), q(2)]);
    expect(strings(ours.output!)).toEqual(['0', '0']);
    expect(strings(ours.grad.input)).toEqual(['0', '0']);
  });
});

describe('conv_transpose2d', () => {
  const spec: ConvTranspose2dSpec = { input: [2, 4, 3, 2], kernel: [4, 1, 3, 2], stride: [2, 3], padding: [1, 0], outputPadding: [1, 2], dilation: [1, 2], groups: 2 };
  const g = convTranspose2dGeometry(spec);

  it("has PyTorch's output size: (H − 1)·s − 2p + d·(k − 1) + output_padding + 1", () => {
    // rows: 2·2 − 2 + 2 + 1 + 1 = 6; cols: 1·3 − 0 + 2 + 2 + 1 = 8; C_out = 1·2
    expect([g.outChannels, g.output.rows, g.output.cols]).toEqual([2, 6, 8]);
  });

  it("has conv2d's forward of δ (same kernel, stride, padding, dilation, groups) as its input gradient, exactly", () => {
    const x = randomTensor(spec.input);
    const kernel = randomTensor(spec.kernel);
    const delta = randomTensor([g.batch, g.outChannels, g.output.rows, g.output.cols]);
    const ours = runStage(convTranspose2dStage(g, false), x, { kernel }, delta.data);
    const p = spec.padding;
    const conv = convGeometry({
      input: delta as Tensor<Rational>,
      kernel: kernel as Tensor<Rational>,
      groups: spec.groups,
      stride: spec.stride,
      dilation: spec.dilation,
      padding: { top: p[0], bottom: p[0], left: p[1], right: p[1] },
      paddingMode: 'zeros',
    });
    const forward = conv2dStage(conv, false).forward(delta, { kernel });
    expect(forward.output.shape).toEqual(x.shape);
    expect(ours.grad.input.every(isExact)).toBe(true);
    expect(strings(ours.grad.input)).toEqual(strings(forward.output.data));
  });

  it('is exact on rationals: a 1×1 input scatters its kernel scaled by itself, the bias added', () => {
    // x = 3/2, K = [[1, −2], [1/3, 0]], stride 1, no padding: y = 3/2·K + 1/4
    const one = convTranspose2dGeometry({ input: [1, 1, 1, 1], kernel: [1, 1, 2, 2], stride: [1, 1], padding: [0, 0], outputPadding: [0, 0], dilation: [1, 1], groups: 1 });
    const ours = runStage(
      convTranspose2dStage(one, true),
      { shape: [1, 1, 1, 1], data: [q(3, 2)] },
      { kernel: { shape: [1, 1, 2, 2], data: [q(1), q(-2), q(1, 3), q(0)] }, bias: { shape: [1], data: [q(1, 4)] } },
      [q(1), q(2), q(-1), q(1, 2)],
    );
    expect(strings(ours.output!)).toEqual(['7/4', '-11/4', '3/4', '1/4']);
    // ∂x = Σ δ·K = 1 − 4 − 1/3 + 0 = −10/3; ∂K = x·δ; ∂b = Σ δ = 5/2
    expect(strings(ours.grad.input)).toEqual(['-10/3']);
    expect(strings(ours.grad.kernel)).toEqual(['3/2', '3', '-3/2', '3/4']);
    expect(strings(ours.grad.bias)).toEqual(['5/2']);
  });

  it("refuses what PyTorch refuses, in PyTorch's words", () => {
    const base: ConvTranspose2dSpec = { input: [1, 1, 3, 3], kernel: [1, 1, 2, 2], stride: [1, 1], padding: [0, 0], outputPadding: [0, 0], dilation: [1, 1], groups: 1 };
    expect(convTranspose2dRefusal(base)).toBeUndefined();
    expect(convTranspose2dRefusal({ ...base, outputPadding: [1, 1] })).toBe(
      'output padding must be smaller than either stride or dilation, but got output_padding_height: 1 output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1',
    );
    expect(convTranspose2dRefusal({ ...base, outputPadding: [1, 1], dilation: [2, 2] })).toBeUndefined();
    expect(convTranspose2dRefusal({ ...base, stride: [2, 2], outputPadding: [1, 2] })).toBe(
      'output padding must be smaller than either stride or dilation, but got output_padding_height: 1 output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1',
    );
    expect(convTranspose2dRefusal({ ...base, input: [1, 1, 2, 2], kernel: [1, 1, 1, 1], padding: [1, 1] })).toBe(
      'Given input size per channel: (2 x 2). Calculated output size per channel: (0 x 0). Output size is too small',
    );
    expect(convTranspose2dRefusal({ ...base, input: [1, 3, 3, 3], kernel: [2, 1, 2, 2] })).toBe(
      'Given transposed=1, weight of size [2, 1, 2, 2], expected input[1, 3, 3, 3] to have 2 channels, but got 3 channels instead',
    );
    expect(convTranspose2dRefusal({ ...base, input: [1, 3, 3, 3], kernel: [3, 1, 2, 2], groups: 2 })).toBe('in_channels must be divisible by groups');
  });
});

describe('square roots', () => {
  it('are exact for squares of rationals, float64 otherwise', () => {
    expect(strings([squareRoot(q(9, 4)), squareRoot(q(0)), squareRoot(q(10 ** 6 + 2 * 10 ** 3 + 1, 64))])).toEqual(['3/2', '0', '1001/8']);
    expect(squareRoot(q(2))).toBe(Math.SQRT2);
    expect(squareRoot(q(1, 2))).toBe(Math.sqrt(0.5));
    expect(squareRoot(0.25)).toBe(0.5);
    expect(integerSquareRoot(10n ** 40n + 1n)).toBe(10n ** 20n);
    expect(integerSquareRoot(10n ** 40n - 1n)).toBe(10n ** 20n - 1n);
  });
});

describe('a bias right before a batch norm', () => {
  // The batch norm subtracts each channel's batch mean: a per-channel shift cancels, ∂L/∂b = 0 exactly.
  const input = [[[[1, 2, 0], [0, 1, 3], [2, 1, 1]]], [[[0, 1, 2], [3, 0, 1], [1, 2, 0]]]];
  const target = [[[[1, 0], [0, 1]], [[0, 1], [2, 0]]], [[[0, 1], [1, 0]], [[1, 2], [0, 1]]]];
  const conv = { type: 'conv2d', kernel: [[[[1, 0], [0, 1]]], [[[0, 1], [-1, 0]]]], bias: ['1/3', 2] };
  const network = (layers: unknown[], optimizer: unknown = { type: 'sgd', lr: 0.1, momentum: '0.9', weight_decay: '0.1' }) => {
    const parsed = parseAnyProblemText(JSON.stringify({ input, layers, head: 'none', loss: 'mse', reduction: 'sum', target, optimizer, steps: 2 }));
    if (!parsed.ok || !parsed.network) throw new Error('not a network');
    return solveNetwork(parsed.network);
  };
  const bias = (solution: NetworkSolution, i: number) => {
    const doc = networkResultDocument(solution);
    return { grad: doc.grad.layers[i].bias, exact: doc.exact.grad.layers[i].bias, updated: doc.exact.updated.layers[i].bias };
  };

  it('has gradient 0 exactly after conv2d, conv_transpose2d and batch_norm2d, in the result document and its exact mirror, where the sum of δ in float64 leaves rounding', () => {
    const solution = network([conv, { type: 'batch_norm2d', weight: [1, 2], bias: [0, 1] }]);
    expect(bias(solution, 0).grad).toEqual([0, 0]);
    expect(bias(solution, 0).exact).toEqual(['0', '0']);
    // δ below the batch norm is float64 (ε = 1e-5 makes its square root irrational), and its plain sum over a channel is not 0.
    const delta = solution.first.backward.stages[1].input;
    const sums = [0, 1].map((c) => delta.data.filter((_, k) => Math.floor(k / 4) % 2 === c).reduce<number>((s, x) => s + asDouble(x), 0));
    expect(delta.data.some((x) => !isExact(x))).toBe(true);
    expect(sums.some((s) => s !== 0)).toBe(true);
    expect(sums.every((s) => Math.abs(s) < 1e-12)).toBe(true);
    // SGD with momentum and weight decay moves it by the decay alone: g = 0.1·θ; θ₁ = 1/3 − 1/300 = 33/100, θ₂ = 33/100 − 0.1·(0.9·1/30 + 0.033)
    expect(bias(solution, 0).updated).toEqual(['3237/10000', '9711/5000']);

    // [2][1][3][3] → [2][2][2][2]: (3 − 1) − 2·1 + (2 − 1) + 1 = 2 a side
    const transposed = network([{ type: 'conv_transpose2d', kernel: [[[[1, -1], [2, 0]], [[0, 1], ['1/2', 1]]]], bias: ['1/2', -1], padding: 1 }, { type: 'batch_norm2d' }], { type: 'adam', lr: 0.01 });
    expect(transposed.network.shapes[0]).toEqual([2, 2, 2, 2]);
    expect(bias(transposed, 0).grad).toEqual([0, 0]);
    expect(bias(transposed, 0).exact).toEqual(['0', '0']);
    expect(bias(transposed, 0).updated).toEqual(['1/2', '-1']);
    const twice = network([conv, { type: 'batch_norm2d', weight: [1, 2], bias: ['1/4', 1] }, { type: 'batch_norm2d' }], { type: 'adam', lr: 0.01 });
    expect(bias(twice, 0).grad).toEqual([0, 0]);
    expect(bias(twice, 1).grad).toEqual([0, 0]);
    expect(bias(twice, 1).exact).toEqual(['0', '0']);
    // Adam with a gradient of 0 does not move it: m = v = 0, the step 0/(0 + ε)
    expect(bias(twice, 1).updated).toEqual(['1/4', '1']);
    expect(twice.first.backward.stages[1].parameters.weight.data.some((x) => asDouble(x) !== 0)).toBe(true);
  });

  it('is left as computed where the batch norm does not follow at once, or there is no bias', () => {
    const apart = network([conv, { type: 'relu' }, { type: 'batch_norm2d' }]);
    expect((bias(apart, 0).grad as number[]).some((g) => g !== 0)).toBe(true);
    const plain = network([conv]);
    expect(bias(plain, 0).exact).not.toEqual(['0', '0']);
  });

  it('says why in the derivation, in English and in Chinese', () => {
    const solution = network([conv, { type: 'batch_norm2d', weight: [1, 2], bias: [0, 1] }]);
    const en = renderMarkdown(deriveNetwork(solution), { language: 'en', version: 'test' });
    expect(en).toContain("The next layer is a batch norm, which subtracts each channel's batch mean");
    expect(en).toMatch(/\\frac\{\\partial L\}\{\\partial b\^\{\(1\)\}_\{1\}\} & = \\sum_\{\\nu,i,j\} \\delta\^\{\(1\)\}_\{\\nu,1,i,j\} = 0/);
    expect(en).not.toContain('A bias is added to every entry of its output channel');
    const zh = renderMarkdown(deriveNetwork(solution), { language: 'zh', version: 'test' });
    expect(zh).toContain('下一层是批归一化');
    const apart = renderMarkdown(deriveNetwork(network([conv, { type: 'relu' }, { type: 'batch_norm2d' }])), { language: 'en', version: 'test' });
    expect(apart).not.toContain('The next layer is a batch norm');
    expect(apart).toContain('A bias is added to every entry of its output channel');
  });
});
