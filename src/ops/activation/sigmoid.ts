// σ(x) = 1 / (1 + e^(−x));  σ'(x) = σ(x)(1 − σ(x))
import { asDouble, mul, ONE, sub } from '../../numbers/scalar.js';
import type { ElementwiseActivation } from './elementwise.js';

export const sigmoid: ElementwiseActivation = {
  type: 'sigmoid',
  read: () => ({ type: 'sigmoid' }),
  value: (_, x) => 1 / (1 + Math.exp(-asDouble(x))),
  slope: (_, _x, a) => mul(a, sub(ONE, a)),
  tex: (_, x) => `\\frac{1}{1 + e^{-${x}}}`,
  slopeTex: (_, _x, a) => `${a}(1 - ${a})`,
  torch: () => ({ code: 'torch.sigmoid(sigma)', settings: {} }),
  tfjs: () => (tf, sigma) => tf.sigmoid(sigma),
  problemFields: () => ({ activation: 'sigmoid' }),
};
