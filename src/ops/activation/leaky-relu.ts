// leaky_relu(x) = x for x > 0, slope·x otherwise;  leaky_relu'(x) = 1 for x > 0, else slope (PyTorch's side at 0)
import { compare, mul, ONE, ZERO } from '../../numbers/scalar.js';
import { toDouble, type Rational } from '../../numbers/rational.js';
import { fractionTex, rationalTex } from '../../expr/to-tex.js';
import type { ElementwiseActivation } from './elementwise.js';

type LeakyRelu = { readonly type: 'leaky_relu'; readonly slope: Rational };

export const leakyRelu: ElementwiseActivation<LeakyRelu> = {
  type: 'leaky_relu',
  read: ({ negative_slope }) => ({ type: 'leaky_relu', slope: negative_slope }),
  value: (f, x) => (compare(x, ZERO) > 0 ? x : mul(f.slope, x)),
  slope: (f, x) => (compare(x, ZERO) > 0 ? ONE : f.slope),
  // With slope 1 it is the identity: no kink.
  kink: { at: (f, x) => !f.slope.equals(1) && compare(x, ZERO) === 0, leftTex: (f) => rationalTex(f.slope) },
  tex: (f, x) => `\\max(0, ${x}) + ${fractionTex(f.slope)} \\min(0, ${x})`,
  slopeTex: (f, x) => `\\begin{cases} 1 & ${x} > 0 \\\\ ${fractionTex(f.slope)} & ${x} \\le 0 \\end{cases}`,
  torch: (f) => ({ code: 'F.leaky_relu(sigma, negative_slope=P["negative_slope"])', settings: { negative_slope: toDouble(f.slope) } }),
  tfjs: (f) => (tf, sigma) => tf.leakyRelu(sigma, toDouble(f.slope)),
  problemFields: (f, write) => ({ activation: 'leaky_relu', negative_slope: write(f.slope) }),
};
