// Plain stochastic gradient descent, as torch.optim.SGD with no momentum and no weight decay.
import type { Rational } from '../numbers/rational.js';
import type { Gradients } from '../gradients/backward.js';
import type { Parameters } from '../model/forward.js';
import { at, mapGrid } from '../model/grid.js';

// θ' = θ − η · ∂L/∂θ
export function sgdUpdate(value: Rational, gradient: Rational, lr: Rational): Rational {
  return value.sub(lr.mul(gradient));
}

export function sgdStep(parameters: Parameters, gradients: Gradients, lr: Rational): Parameters {
  const kernel = mapGrid(parameters.kernel, (k, m, n) => sgdUpdate(k, at(gradients.kernel, m, n), lr));
  if (parameters.bias === undefined || gradients.bias === undefined) return { kernel };
  return { kernel, bias: sgdUpdate(parameters.bias, gradients.bias, lr) };
}
