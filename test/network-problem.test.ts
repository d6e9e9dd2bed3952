// Reading network problems (the contract's "Networks: layers"): each layer checked against the shape
// the layers before it give, every mistake named with its layer's path, the flat form untouched.
import { describe, expect, it } from 'vitest';
import { parseAnyProblemText } from '../src/problem/parse-problem.js';
import { formatDiagnostic } from '../src/problem/problem.js';
import { MAX_LAYERS } from '../src/problem/parse-network.js';

const example = {
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
const map = (layers: unknown[], more: object = {}) => ({ input: [[1, 2, 0], [0, 1, 3], [2, 1, 1]], layers, head: 'sum', target: 1, ...more });

function errorsOf(problem: object): string[] {
  const parsed = parseAnyProblemText(JSON.stringify(problem));
  if (parsed.ok) throw new Error('expected the problem to be refused');
  return parsed.errors.map(formatDiagnostic);
}

describe('a network problem', () => {
  it('is read with every default filled in and the shape after each layer', () => {
    const parsed = parseAnyProblemText(JSON.stringify(example));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || !parsed.network) return;
    expect(parsed.network.input.shape).toEqual([1, 1, 4, 4]);
    expect(parsed.network.shapes).toEqual([[1, 1, 3, 3], [1, 1, 3, 3], [1, 1, 1, 1], [1, 1], [1, 3]]);
    expect(parsed.network.layers.map((l) => l.type)).toEqual(['conv2d', 'activation', 'pool', 'flatten', 'linear']);
    expect(parsed.network.reduction).toBe('mean');
    expect(parsed.network.optimizer.type).toBe('sgd');
  });

  it('leaves the flat form as it was', () => {
    const parsed = parseAnyProblemText(JSON.stringify({ input: [[1, 2], [3, 4]], kernel: [[1]], target: 1 }));
    expect(parsed.ok && parsed.problem !== undefined).toBe(true);
  });

  it('fills batch norm with weight 1, bias 0 and eps 1e-5', () => {
    const parsed = parseAnyProblemText(JSON.stringify(map([{ type: 'batch_norm2d' }])));
    if (!parsed.ok || !parsed.network) throw new Error('refused');
    const layer = parsed.network.layers[0];
    if (layer.type !== 'batch_norm2d') throw new Error('not batch norm');
    expect(layer.weight.data.map(String)).toEqual(['1']);
    expect(layer.bias.data.map(String)).toEqual(['0']);
    expect(layer.eps.toFraction()).toBe('1/100000');
  });

  it('gives a transposed convolution the output size nn.ConvTranspose2d gives', () => {
    const parsed = parseAnyProblemText(JSON.stringify(map([{ type: 'conv_transpose2d', kernel: [[[[1, 0, 1], [0, 1, 0], [1, 0, 1]]]], stride: 2, padding: 1, output_padding: 1 }])));
    // (3 − 1)·2 − 2·1 + (3 − 1) + 1 + 1 = 6
    expect(parsed.ok && parsed.network?.shapes[0]).toEqual([1, 1, 6, 6]);
  });
});

describe('mistakes in a network problem', () => {
  it.each([
    ['both forms at once', { ...example, kernel: [[1]] }, 'kernel: a problem gives either `layers` or the single layer\'s fields; in a network each layer holds its own'],
    ['no layers', { ...example, layers: [] }, 'layers: expected a non-empty list of layers like {"type": "conv2d", …}, got an array'],
    ['too many layers', { ...example, layers: Array.from({ length: MAX_LAYERS + 1 }, () => ({ type: 'relu' })) }, `layers: expected at most ${MAX_LAYERS} layers, got ${MAX_LAYERS + 1}`],
    ['an unknown layer type', map([{ type: 'dropout' }]), 'layers[0].type: expected one of conv2d, conv_transpose2d, relu, leaky_relu, sigmoid, tanh, gelu, activation, max_pool, avg_pool, batch_norm2d, flatten, linear, got "dropout"'],
    ['a field another layer type has', map([{ type: 'relu', negative_slope: 0.1 }]), 'layers[0].negative_slope: unknown field; the fields are type'],
    ['a linear layer on a map', map([{ type: 'linear', weight: [[1]] }]), 'layers[0]: a linear layer takes [N][in], but the layer before gives [1][1][3][3]; put a flatten before it'],
    ['a weight of the wrong width', map([{ type: 'flatten' }, { type: 'linear', weight: [[1, 2]] }]), 'layers[1].weight: its second dimension is the 9 inputs the layer before gives, got 2'],
    ['a kernel for other channels', map([{ type: 'conv2d', kernel: [[[[1]], [[1]]]] }]), 'layers[0].kernel: its second dimension is C_in/groups = 1/1 = 1, got 2'],
    ['a conv after a flatten', map([{ type: 'flatten' }, { type: 'conv2d', kernel: [[[[1]]]] }]), 'layers[1]: a conv2d layer takes a map [N][C][H][W], but the layer before gives [1][9]'],
    ['a kernel larger than its input', map([{ type: 'conv2d', kernel: [[[[1, 1, 1, 1]]]] }]), "layers[0].kernel: the kernel spans 1×4 cells (dilation included), more than the padded input's 3×3"],
    ['a window larger than its map', map([{ type: 'max_pool', size: 4 }]), 'layers[0].size: the 4×4 window is larger than the 3×3 map it pools'],
    ['output padding as large as the stride', map([{ type: 'conv_transpose2d', kernel: [[[[1]]]], stride: 2, output_padding: 2 }]), 'layers[0].output_padding: must be smaller than the stride or the dilation (as in PyTorch), got 2 with stride 2 and dilation 1'],
    ['batch norm of one value per channel', map([{ type: 'max_pool', size: 3 }, { type: 'batch_norm2d' }]), 'layers[1].type: training-mode batch norm needs more than one value per channel (N·H·W = 1), as in PyTorch'],
    ['a batch norm weight per channel', map([{ type: 'batch_norm2d', weight: [1, 2] }]), 'layers[0].weight: expected one entry per channel C (1), got 2'],
    ['cross-entropy with a sum head', { ...example, head: 'sum' }, 'head: cross_entropy compares the scores of each class: it takes head "none"'],
    ['cross-entropy on a map', { ...map([{ type: 'relu' }]), head: 'none', loss: 'cross_entropy', target: [0] }, 'loss: cross_entropy takes the scores [N][classes], but the last layer gives [1][1][3][3]; end with a flatten or a linear layer'],
    ['a class index out of range', { ...example, target: [3] }, 'target[0]: expected at most 2, got 3'],
    ['a map target of the wrong shape', map([{ type: 'relu' }], { head: 'none', target: [[1, 2, 3]] }), 'target[0]: expected 1 entries (the prediction is [1][1][3][3]), got 3'],
  ])('%s', (_, problem, message) => {
    expect(errorsOf(problem)).toContain(message);
  });
});
