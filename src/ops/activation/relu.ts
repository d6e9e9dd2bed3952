// relu(x) = max(0, x);  relu'(x) = 1 for x > 0, else 0 (PyTorch's relu'(0) = 0)
import { compare, ONE, ZERO } from '../../numbers/scalar.js';
import type { ElementwiseActivation } from './elementwise.js';

export const relu: ElementwiseActivation = {
  type: 'relu',
  read: () => ({ type: 'relu' }),
  value: (_, x) => (compare(x, ZERO) > 0 ? x : ZERO),
  slope: (_, x) => (compare(x, ZERO) > 0 ? ONE : ZERO),
  kink: { at: (_, x) => compare(x, ZERO) === 0, leftTex: () => '0' },
  flatAtZero: true,
  tex: (_, x) => `\\max(0, ${x})`,
  slopeTex: (_, x) => `\\begin{cases} 1 & ${x} > 0 \\\\ 0 & ${x} \\le 0 \\end{cases}`,
  torch: () => ({ code: 'torch.relu(sigma)', settings: {} }),
  tfjs: () => (tf, sigma) => tf.relu(sigma),
  problemFields: () => ({ activation: 'relu' }),
};
