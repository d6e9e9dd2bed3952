// Plain stochastic gradient descent, as torch.optim.SGD with no momentum and no weight decay.
import { mul, sub, type Scalar } from '../numbers/scalar.js';
import type { Rational } from '../numbers/rational.js';
import type { Gradients } from '../gradients/backward.js';
import type { Parameters } from '../model/forward.js';

// θ' = θ − η · ∂L/∂θ
export function sgdUpdate(value: Scalar, gradient: Scalar, lr: Rational): Scalar {
  return sub(value, mul(lr, gradient));
}

export function sgdStep(parameters: Parameters, gradients: Gradients, lr: Rational): Parameters {
  const kernel = { shape: parameters.kernel.shape, data: parameters.kernel.data.map((k, i) => sgdUpdate(k, gradients.kernel.data[i], lr)) };
  if (parameters.bias === undefined || gradients.bias === undefined) return { kernel };
  return { kernel, bias: parameters.bias.map((b, o) => sgdUpdate(b, gradients.bias![o], lr)) };
}
