// batch_norm2d as a stage (nn.BatchNorm2d in train()): x → x̂ = (x − μ)/√(σ² + ε) → y = γ x̂ + β with the
// batch's own statistics per channel, and back to ∂L/∂γ, ∂L/∂β and ∂L/∂x (the three-term formula).
import type { Rational } from '../../numbers/rational.js';
import { div, exact } from '../../numbers/scalar.js';
import type { Stage } from '../stage.js';
import { batchNormInputGradient, batchNormOutput, batchNormStatistics, scaleGradient, shiftGradient, valuesPerChannel, type BatchNormStatistics } from './batch-norm.js';

/**
 * Why PyTorch refuses training-mode BatchNorm2d on an input of this shape, in its words, or undefined:
 * it takes 4-D input only, and needs more than one value per channel for a variance.
 */
export function batchNormRefusal(inputShape: readonly number[]): string | undefined {
  if (inputShape.length !== 4) return `expected 4D input (got ${inputShape.length}D input)`;
  if (valuesPerChannel(inputShape) === 1) return `Expected more than 1 value per channel when training, got input size torch.Size([${inputShape.join(', ')}])`;
  return undefined;
}

export function batchNorm2dStage(eps: Rational): Stage<BatchNormStatistics> {
  return {
    op: 'batch_norm2d',
    parameterNames: ['weight', 'bias'],
    outputShape: (input) => input,
    forward(input, { weight, bias }) {
      const stats = batchNormStatistics(input, eps);
      return { output: batchNormOutput(stats.xhat, weight, bias), saved: stats };
    },
    // δ = ∂L/∂y: ∂L/∂β = Σ δ, ∂L/∂γ = Σ δ x̂, ∂L/∂x = γ/√(σ² + ε) · (δ − mean(δ) − x̂ · mean(δ x̂))
    backward(delta, { saved }, { weight }) {
      const bias = shiftGradient(delta);
      const scale = scaleGradient(delta, saved.xhat);
      const M = exact(valuesPerChannel(delta.shape));
      const meanDelta = { shape: bias.shape, data: bias.data.map((s) => div(s, M)) };
      const meanDeltaXhat = { shape: scale.shape, data: scale.data.map((s) => div(s, M)) };
      const input = batchNormInputGradient(delta, saved, weight, meanDelta.data, meanDeltaXhat.data);
      return {
        input,
        parameters: { weight: scale, bias },
        records: { mean: saved.mean, variance: saved.variance, invStd: saved.invStd, xhat: saved.xhat, meanDelta, meanDeltaXhat },
      };
    },
  };
}
