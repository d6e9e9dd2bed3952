// The loss as the model's objective: l(y, t) for every prediction entry, then the mean or the sum.
import { rational, type Rational } from '../../numbers/rational.js';
import { mul, sum } from '../../numbers/scalar.js';
import type { Problem } from '../../problem/problem.js';
import type { Objective } from '../stage.js';
import { elementLoss, elementLossSlope } from './loss.js';

/** 1/n for the mean over n elements, 1 for the sum. */
export function reductionWeight(problem: Pick<Problem, 'reduction'>, elements: number): Rational {
  return problem.reduction === 'mean' ? rational(1, elements) : rational(1);
}

export function lossObjective(problem: Pick<Problem, 'loss' | 'reduction' | 'target'>): Objective {
  const { loss, target } = problem;
  return {
    forward(prediction) {
      // The target has the prediction's shape (both [] for sum and mean), so entries pair up by position.
      const elementLosses = { shape: prediction.shape, data: prediction.data.map((y, k) => elementLoss(loss, y, target.data[k])) };
      // L = (1/n) Σ l (mean) or Σ l (sum)
      return { elementLosses, loss: mul(sum(elementLosses.data), reductionWeight(problem, elementLosses.data.length)) };
    },
    // ∂L/∂y = w · ∂l/∂y with w = 1/n (mean) or 1 (sum)
    backward(prediction) {
      const weight = reductionWeight(problem, prediction.data.length);
      return { shape: prediction.shape, data: prediction.data.map((y, k) => mul(weight, elementLossSlope(loss, y, target.data[k]))) };
    },
  };
}
