// gelu(x) = x·Φ(x) = (x/2)(1 + erf(x/√2)), PyTorch's exact form (approximate="none")
// gelu'(x) = Φ(x) + x·φ(x) = ½(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π), as PyTorch's GeluBackward computes it
import { asDouble } from '../../numbers/scalar.js';
import { powerTex } from '../../expr/to-tex.js';
import type { ElementwiseActivation } from './elementwise.js';
import { erf } from './erf.js';

const cdf = (x: number) => 0.5 * (1 + erf(x * Math.SQRT1_2));
const pdf = (x: number) => Math.exp(-0.5 * x * x) * (2 / Math.sqrt(Math.PI)) * Math.SQRT1_2 * 0.5;

export const gelu: ElementwiseActivation = {
  type: 'gelu',
  read: () => ({ type: 'gelu' }),
  value: (_, x) => asDouble(x) * cdf(asDouble(x)),
  slope: (_, x) => cdf(asDouble(x)) + asDouble(x) * pdf(asDouble(x)),
  tex: (_, x) => `\\frac{${x}}{2} \\left(1 + \\operatorname{erf} \\frac{${x}}{\\sqrt{2}}\\right)`,
  slopeTex: (_, x) => `\\frac{1}{2} \\left(1 + \\operatorname{erf} \\frac{${x}}{\\sqrt{2}}\\right) + \\frac{${x}}{\\sqrt{2\\pi}} \\, e^{-${powerTex(x, '2')}/2}`,
  torch: () => ({ code: 'F.gelu(sigma)', settings: {} }),
  tfjs: () => (tf, sigma) => tf.mul(tf.mul(sigma, 0.5), tf.add(1, tf.erf(tf.mul(sigma, Math.SQRT1_2)))),
  problemFields: () => ({ activation: 'gelu' }),
};
