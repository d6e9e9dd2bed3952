// Every optimizer, and the one place that finds an optimizer's rules by its name. A new optimizer
// is a file in this folder and a line here.
import type { Scalar } from '../numbers/scalar.js';
import type { Optimizer } from '../problem/problem.js';
import { adagrad } from './adagrad.js';
import { adam, adamw } from './adam.js';
import type { OptimizerRules, OptimizerState, OptimizerStep } from './optimizer.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';

/** In the order the problem's reader lists them. */
export const OPTIMIZERS: readonly OptimizerRules[] = [sgd, adam, adamw, rmsprop, adagrad];

const BY_TYPE = new Map(OPTIMIZERS.map((o) => [o.type, o]));

export function optimizerRules(o: Pick<Optimizer, 'type'>): OptimizerRules {
  const rules = BY_TYPE.get(o.type);
  if (!rules) throw new Error(`internal error: no optimizer "${o.type}"`);
  return rules;
}

/** One update at step t = 1, 2, …, from the parameters θ, their gradients ∇ and the state after step t − 1. */
export function optimizerStep(o: Optimizer, t: number, theta: readonly Scalar[], gradient: readonly Scalar[], state: OptimizerState): OptimizerStep {
  return optimizerRules(o).step(o, t, theta, gradient, state);
}
