// Where the forward pass sits exactly on a kink of a piecewise rule, so that the derivative from the
// left and from the right differ and the backward pass takes PyTorch's side: relu and leaky_relu at
// σ = 0, a tie for the largest entry of a max-pool window, l1 (and smooth_l1 with β = 0) at y = t.
import { compare, isExact, ZERO } from '../numbers/scalar.js';
import type { Problem } from '../problem/problem.js';
import type { Forward } from './forward.js';
import { activationRules } from '../ops/activation/activations.js';
import { windowCells } from '../ops/pool/pool.js';
import { offset } from '../tensor/tensor.js';

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

  const poolTies: number[][] = [];
  const pool = problem.pool;
  if (pool?.type === 'max') {
    const { activated: a, sigma } = forward;
    const [batch, channels, rows, cols] = forward.pooled.shape;
    for (let n = 0; n < batch; n++)
      for (let c = 0; c < channels; c++)
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) {
            const cells = windowCells(pool, i, j).map(([r, s]) => offset(a.shape, [n, c, r, s]));
            const best = cells.reduce((b, cell) => (compare(a.data[cell], a.data[b]) > 0 ? cell : b));
            // Tied a whose σ tie too (always so for a monotonic f); relu's zeros tie with no effect, the
            // gradient through each being 0 on either side (σ = 0 is a kink of its own).
            const tied = cells.filter((cell) => compare(a.data[cell], a.data[best]) === 0 && compare(sigma.data[cell], sigma.data[best]) === 0);
            if (tied.length >= 2 && !(f.type === 'relu' && compare(a.data[best], ZERO) === 0)) poolTies.push(tied);
          }
  }

  const l = problem.loss;
  const absolute = l.type === 'l1' || (l.type === 'smooth_l1' && l.beta.equals(0));
  const loss = absolute ? forward.prediction.data.flatMap((y, flat) => (isExact(y) && compare(y, problem.target.data[problem.head === 'none' ? flat : 0]) === 0 ? [flat] : [])) : [];
  return { activation, poolTies, loss };
}
