// conv2d as a stage: X → X̃ (padding) → σ = K ⋆ X̃ + b, and back to ∂L/∂K, ∂L/∂b, ∂L/∂X̃ and ∂L/∂X.
import type { Scalar } from '../../numbers/scalar.js';
import type { NamedTensors, Stage } from '../stage.js';
import type { Tensor } from '../../tensor/tensor.js';
import { biasGradient, convForward, foldPadding, kernelGradient, padInput, paddedInputGradient } from './conv.js';
import type { ConvGeometry } from './geometry.js';

export interface Conv2dSaved {
  /** X̃: the input inside its border. */
  readonly padded: Tensor<Scalar>;
}

export function conv2dStage(g: ConvGeometry, hasBias: boolean): Stage<Conv2dSaved> {
  return {
    op: 'conv2d',
    parameterNames: hasBias ? ['kernel', 'bias'] : ['kernel'],
    outputShape: ([batch]) => [batch, g.outChannels, g.output.rows, g.output.cols],
    forward(input, { kernel, bias }) {
      const padded = padInput(g, input);
      return { output: convForward(g, padded, kernel, bias?.data), saved: { padded } };
    },
    // δ = ∂L/∂σ: ∂L/∂K = X̃ ⋆ δ, ∂L/∂b = Σ δ, ∂L/∂X̃ = δ ⋆ rot180(K) (transposed), ∂L/∂X = ∂L/∂X̃ folded
    backward(delta, { saved }, parameters) {
      const paddedInput = paddedInputGradient(g, parameters.kernel, delta);
      const kernel = kernelGradient(g, saved.padded, delta);
      const gradients: NamedTensors = hasBias ? { kernel, bias: { shape: [g.outChannels], data: biasGradient(g, delta) } } : { kernel };
      return { input: foldPadding(g, paddedInput), parameters: gradients, records: { paddedInput } };
    },
  };
}
