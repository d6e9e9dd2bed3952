// The backward pass, stage by stage from the loss down: ∂L/∂S → δ = ∂L/∂σ → ∂L/∂K, ∂L/∂b, ∂L/∂X.
import type { Rational } from '../numbers/rational.js';
import type { Problem } from '../problem/problem.js';
import { biasGradient, inputGradient, kernelGradient, type InputGradientParts } from '../model/conv.js';
import type { Forward, Parameters } from '../model/forward.js';
import { mapGrid, type Grid } from '../model/grid.js';
import { headSlope } from '../model/head.js';
import { lossSlope } from '../model/loss.js';

export interface Gradients {
  /** ∂L/∂S */
  readonly prediction: Rational;
  /** ∂S/∂σ_ij, the same for every entry */
  readonly headSlope: Rational;
  /** δ_ij = ∂L/∂σ_ij */
  readonly delta: Grid<Rational>;
  readonly kernel: Grid<Rational>;
  readonly bias?: Rational;
  readonly input: InputGradientParts;
}

export function backward(problem: Problem, parameters: Parameters, fwd: Forward): Gradients {
  const dLdS = lossSlope(problem, fwd.prediction, problem.target);
  const slope = headSlope(problem.head, fwd.sigma.data.length);
  // δ_ij = ∂L/∂S · ∂S/∂σ_ij
  const delta = mapGrid(fwd.sigma, () => dLdS.mul(slope));
  return {
    prediction: dLdS,
    headSlope: slope,
    delta,
    kernel: kernelGradient(fwd.geometry, fwd.padded, delta),
    ...(parameters.bias === undefined ? {} : { bias: biasGradient(delta) }),
    input: inputGradient(fwd.geometry, parameters.kernel, delta),
  };
}
