// linear as a stage (nn.Linear): x [N][in] → y = x Wᵀ + b [N][out], and back to ∂L/∂W, ∂L/∂b and ∂L/∂x.
import type { NamedTensors, Stage } from '../stage.js';
import { linearBiasGradient, linearForward, linearInputGradient, weightGradient } from './linear.js';

/** outFeatures: the weight's rows, which the input's shape alone does not tell. */
export function linearStage(hasBias: boolean, outFeatures: number): Stage<undefined> {
  return {
    op: 'linear',
    parameterNames: hasBias ? ['weight', 'bias'] : ['weight'],
    outputShape: ([batch]) => [batch, outFeatures],
    forward(input, { weight, bias }) {
      return { output: linearForward(input, weight, bias?.data), saved: undefined };
    },
    // δ = ∂L/∂y: ∂L/∂W = δᵀ x, ∂L/∂b = Σ_n δ, ∂L/∂x = δ W
    backward(delta, { input }, { weight }) {
      const gradients: NamedTensors = hasBias ? { weight: weightGradient(input, delta), bias: linearBiasGradient(delta) } : { weight: weightGradient(input, delta) };
      return { input: linearInputGradient(weight, delta), parameters: gradients, records: {} };
    },
  };
}
