// tanh(x);  tanh'(x) = 1 − tanh²(x)
import { asDouble, mul, ONE, sub } from '../../numbers/scalar.js';
import { powerTex } from '../../expr/to-tex.js';
import type { ElementwiseActivation } from './elementwise.js';

export const tanh: ElementwiseActivation = {
  type: 'tanh',
  read: () => ({ type: 'tanh' }),
  value: (_, x) => Math.tanh(asDouble(x)),
  slope: (_, _x, a) => sub(ONE, mul(a, a)),
  tex: (_, x) => `\\tanh ${x}`,
  slopeTex: (_, _x, a) => `1 - ${powerTex(a, '2')}`,
  torch: () => ({ code: 'torch.tanh(sigma)', settings: {} }),
  tfjs: () => (tf, sigma) => tf.tanh(sigma),
  problemFields: () => ({ activation: 'tanh' }),
};
