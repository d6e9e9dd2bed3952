// none: a = σ, f' = 1.
import { ONE } from '../../numbers/scalar.js';
import type { ElementwiseActivation } from './elementwise.js';

export const none: ElementwiseActivation = {
  type: 'none',
  read: () => ({ type: 'none' }),
  value: (_, x) => x,
  slope: () => ONE,
  tex: (_, x) => x,
  slopeTex: () => '1',
  torch: () => ({ code: 'sigma', settings: {} }),
  tfjs: () => (_, sigma) => sigma,
  problemFields: () => ({ activation: 'none' }),
};
