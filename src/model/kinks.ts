// Where the forward pass sits exactly on a kink of a piecewise rule, so that the derivative from the
// left and from the right differ and the backward pass takes PyTorch's side: relu and leaky_relu at
// σ = 0, a tie for the largest entry of a max-pool window, l1 (and smooth_l1 with β = 0) at y = t.
import type { Problem } from '../problem/problem.js';
import type { Forward } from './forward.js';
import { activationRules } from '../ops/activation/activations.js';
import { maxPoolTies } from '../ops/pool/pool.js';
import { lossOnKink } from '../ops/loss/loss.js';

export interface Kinks {
  /** Flat indices of σ exactly at the activation's kink, 0. */
  readonly activation: readonly number[];
  /** For each max-pool window with a tie, the flat indices of its tied entries (of a, and of σ: they tie too). */
  readonly poolTies: readonly (readonly number[])[];
  /** Flat indices of the predictions exactly equal to their targets. */
  readonly loss: readonly number[];
}

export function kinksOf(problem: Problem, forward: Forward): Kinks {
  const f = problem.activation;
  const kink = activationRules(f).kink;
  const activation = kink ? forward.sigma.data.flatMap((s, flat) => (kink.at(f, s) ? [flat] : [])) : [];

  const poolTies = problem.pool?.type === 'max' ? maxPoolTies(problem.pool, forward.activated, forward.sigma, forward.pooled.shape, activationRules(f).flatAtZero === true) : [];
  const loss = forward.prediction.data.flatMap((y, flat) => (lossOnKink(problem.loss, y, problem.target.data[problem.head === 'none' ? flat : 0]) ? [flat] : []));
  return { activation, poolTies, loss };
}
