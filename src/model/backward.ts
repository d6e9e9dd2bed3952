// The backward pass, stage by stage from the loss down:
// ∂L/∂y → ∂L/∂p (head) → ∂L/∂a (pooling) → δ = ∂L/∂σ (activation) → ∂L/∂K, ∂L/∂b, ∂L/∂X̃ → ∂L/∂X (padding).
import { mul, type Scalar } from '../numbers/scalar.js';
import type { Problem } from '../problem/problem.js';
import { activationSlope } from '../ops/activation/activation.js';
import { biasGradient, foldPadding, kernelGradient, paddedInputGradient } from '../ops/conv2d/conv.js';
import { reductionWeight, type Forward, type Parameters } from './forward.js';
import { headSlope } from '../ops/head/head.js';
import { elementLossSlope } from '../ops/loss/loss.js';
import { poolBackward } from '../ops/pool/pool.js';
import type { Tensor } from '../tensor/tensor.js';

export interface Gradients {
  /** ∂L/∂y for every prediction entry: (1/n or 1) · ∂l/∂y */
  readonly prediction: Tensor<Scalar>;
  /** ∂L/∂p: the map's gradient after the head */
  readonly pooled: Tensor<Scalar>;
  /** ∂L/∂a: after the pooling routed it */
  readonly activated: Tensor<Scalar>;
  /** f'(σ) at every entry */
  readonly activationSlope: Tensor<Scalar>;
  /** δ = ∂L/∂σ = ∂L/∂a ⊙ f'(σ) */
  readonly delta: Tensor<Scalar>;
  readonly kernel: Tensor<Scalar>;
  readonly bias?: readonly Scalar[];
  readonly paddedInput: Tensor<Scalar>;
  readonly input: Tensor<Scalar>;
}

export function backward(problem: Problem, parameters: Parameters, fwd: Forward): Gradients {
  // ∂L/∂y = w · ∂l/∂y with w = 1/n (mean) or 1 (sum)
  const weight = reductionWeight(problem, fwd.prediction.data.length);
  const prediction = { shape: fwd.prediction.shape, data: fwd.prediction.data.map((y, k) => mul(weight, elementLossSlope(problem.loss, y, problem.target.data[k]))) };
  // ∂L/∂p = ∂L/∂S · ∂S/∂p (sum, mean), or ∂L/∂y itself (none)
  const slope = headSlope(problem.head, fwd.pooled.data.length);
  const pooled = problem.head === 'none' ? prediction : { shape: fwd.pooled.shape, data: fwd.pooled.data.map(() => mul(prediction.data[0], slope)) };
  const activated = fwd.pooling ? poolBackward(problem.pool!, fwd.pooling, pooled, fwd.activated.shape) : pooled;
  const activationSlopes = { shape: fwd.sigma.shape, data: fwd.sigma.data.map((x, k) => activationSlope(problem.activation, x, fwd.activated.data[k])) };
  // δ = ∂L/∂a ⊙ f'(σ)
  const delta = { shape: fwd.sigma.shape, data: activated.data.map((g, k) => mul(g, activationSlopes.data[k])) };
  const paddedInput = paddedInputGradient(fwd.geometry, parameters.kernel, delta);
  return {
    prediction,
    pooled,
    activated,
    activationSlope: activationSlopes,
    delta,
    kernel: kernelGradient(fwd.geometry, fwd.padded, delta),
    ...(parameters.bias === undefined ? {} : { bias: biasGradient(fwd.geometry, delta) }),
    paddedInput,
    input: foldPadding(fwd.geometry, paddedInput),
  };
}
