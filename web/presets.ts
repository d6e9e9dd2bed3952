// The seed and the interview classics: the problems a student meets first, each one click away.
import type { UiKey } from './ui-strings.js';
// The networks of layers that ship as examples/ (the command line derives the same files).
import twoConv from '../examples/two-conv-relu.json' with { type: 'json' };
import lenet from '../examples/conv-pool-linear-cross-entropy.json' with { type: 'json' };
import batchNorm from '../examples/conv-batch-norm.json' with { type: 'json' };
import transposed from '../examples/transposed-conv.json' with { type: 'json' };

/** A 16×16 plane of small integers, the same every time. */
function plane(seed: number): number[][] {
  return Array.from({ length: 16 }, (_, i) => Array.from({ length: 16 }, (_, j) => ((i * 7 + j * 3 + seed * 5) % 9) - 4));
}

export const LARGE_PROBLEM = {
  title: 'A 3-channel 16×16 image',
  input: [plane(0), plane(1), plane(2)],
  kernel: [[[[1, 0, -1], [2, 0, -2], [1, 0, -1]], [[0, 1, 0], [1, -4, 1], [0, 1, 0]], [[1, 1, 1], [0, 0, 0], [-1, -1, -1]]]],
  bias: [1],
  padding: 1,
  activation: 'relu',
  head: 'mean',
  target: 1,
  optimizer: { type: 'sgd', lr: 0.01 },
};

export const PRESETS: readonly { readonly key: UiKey; readonly problem: object }[] = [
  {
    key: 'preset.seed',
    problem: { input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, 5]], head: 'sum', loss: 'mse', target: 230, optimizer: { type: 'sgd', lr: 0.01 } },
  },
  {
    key: 'preset.stride',
    problem: { input: [[1, 0, 2, 1], [3, 1, 0, 2], [0, 2, 1, 1], [2, 1, 3, 0]], kernel: [[1, -1, 0], [0, 2, 1], [-1, 0, 1]], bias: 1, stride: 2, padding: 1, head: 'sum', loss: 'mse', target: 10, optimizer: { type: 'sgd', lr: 0.002 } },
  },
  {
    key: 'preset.relu-pool',
    problem: { input: [[1, -2, 3, 0, 1], [2, 0, -1, 1, -2], [-1, 3, 2, 0, 1], [0, 1, 1, -3, 2], [1, 0, -2, 1, 0]], kernel: [[1, -1], [2, 0]], activation: 'relu', pool: { type: 'max', size: 2 }, head: 'sum', loss: 'mse', target: 5, optimizer: { type: 'sgd', lr: 0.01 } },
  },
  {
    key: 'preset.channels',
    problem: {
      input: [[[1, -2, 3], [2, 0, -1], [-1, 3, 2]], [[0, 1, -1], [1, 1, 0], [2, -1, 1]]],
      kernel: [[[[1, 0], [-1, 2]], [[0, 1], [1, -1]]], [[[2, -1], [0, 1]], [[1, 1], [-2, 0]]]],
      bias: [1, '-1/2'],
      head: 'mean',
      target: 2,
      optimizer: { type: 'adam', lr: 0.05 },
      steps: 3,
    },
  },
  {
    key: 'preset.dilation',
    problem: { input: [[1, 2, 0, 1, 2], [0, 1, 3, 1, 0], [2, 1, 0, 2, 1], [1, 0, 2, 1, 3], [0, 2, 1, 0, 1]], kernel: [[1, 2], [-1, 1]], dilation: 2, head: 'sum', loss: 'mse', target: 4, optimizer: { type: 'sgd', lr: 0.0005 } },
  },
  {
    key: 'preset.map',
    problem: { input: [[1, 2, 0], [0, 1, 3], [2, 1, 1]], kernel: [[1, 0], [-1, 2]], head: 'none', loss: 'mse', reduction: 'mean', target: [[1, 2], [0, 3]], optimizer: { type: 'sgd', lr: 0.1 } },
  },
  {
    key: 'preset.bce',
    problem: { input: [[1, 0, -1], [0, 1, 0], [-1, 0, 1]], kernel: [['1/2', 0], [0, '-1/2']], activation: 'sigmoid', head: 'mean', loss: 'bce', target: 1, optimizer: { type: 'sgd', lr: 0.5 } },
  },
  {
    key: 'preset.momentum',
    problem: { input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, 5]], head: 'sum', loss: 'mse', target: 230, optimizer: { type: 'sgd', lr: 0.001, momentum: 0.9 }, steps: 5 },
  },
  { key: 'preset.large', problem: LARGE_PROBLEM },
  { key: 'preset.two-conv', problem: twoConv },
  { key: 'preset.lenet', problem: lenet },
  { key: 'preset.batch-norm', problem: batchNorm },
  { key: 'preset.transposed', problem: transposed },
];
