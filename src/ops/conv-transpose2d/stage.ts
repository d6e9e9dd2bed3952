// conv_transpose2d as a stage (nn.ConvTranspose2d): each input entry scatters its scaled kernel onto the
// output, plus the bias; and back to ∂L/∂K, ∂L/∂b and ∂L/∂X (conv2d's forward of δ with the same kernel).
import type { NamedTensors, Stage } from '../stage.js';
import { convTransposeBiasGradient, convTransposeForward, convTransposeInputGradient, convTransposeKernelGradient } from './conv-transpose.js';
import { convTranspose2dOutputShape, type ConvTranspose2dGeometry } from './geometry.js';

export function convTranspose2dStage(g: ConvTranspose2dGeometry, hasBias: boolean): Stage<undefined> {
  return {
    op: 'conv_transpose2d',
    parameterNames: hasBias ? ['kernel', 'bias'] : ['kernel'],
    outputShape: ([batch]) => [batch, ...convTranspose2dOutputShape(g).slice(1)],
    forward(input, { kernel, bias }) {
      return { output: convTransposeForward(g, input, kernel, bias?.data), saved: undefined };
    },
    // δ = ∂L/∂Y: ∂L/∂K_{c,o,m,q} = Σ x · δ at the landing, ∂L/∂b = Σ δ, ∂L/∂X = δ ⋆ K (a strided correlation)
    backward(delta, { input }, { kernel }) {
      const kernelGradient = convTransposeKernelGradient(g, input, delta);
      const gradients: NamedTensors = hasBias ? { kernel: kernelGradient, bias: convTransposeBiasGradient(g, delta) } : { kernel: kernelGradient };
      return { input: convTransposeInputGradient(g, kernel, delta), parameters: gradients, records: {} };
    },
  };
}
