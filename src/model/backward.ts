// The backward pass of the layer, run by the model's loop (passes.ts) from the loss down and read
// back stage by stage: ∂L/∂y → ∂L/∂p (head) → ∂L/∂a (pooling) → δ = ∂L/∂σ (activation) → ∂L/∂K,
// ∂L/∂b, ∂L/∂X̃ → ∂L/∂X (padding).
import type { Scalar } from '../numbers/scalar.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Forward } from './forward.js';
import { stageParameters, type LayerParameters } from './layer.js';
import { runBackward } from './passes.js';

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

export function backward(parameters: LayerParameters, fwd: Forward): Gradients {
  const { model } = fwd;
  const pass = runBackward(model, stageParameters(model, parameters), fwd.pass);
  const stage = (i: number) => pass.stages[i];
  const conv = stage(model.conv);
  // The gradient that reaches a stage's output is the next stage's input gradient.
  const after = (i: number) => (i + 1 < pass.stages.length ? stage(i + 1).input : pass.prediction);
  return {
    prediction: pass.prediction,
    pooled: after(model.head - 1),
    activated: after(model.activation),
    activationSlope: stage(model.activation).records.slope,
    delta: after(model.conv),
    kernel: conv.parameters.kernel,
    ...(conv.parameters.bias === undefined ? {} : { bias: conv.parameters.bias.data }),
    paddedInput: conv.records.paddedInput,
    input: pass.input,
  };
}
