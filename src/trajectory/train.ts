// Forward, backward and update, once per optimizer step.
import type { Problem } from '../problem/problem.js';
import { backward, type Gradients } from '../gradients/backward.js';
import { forward, initialParameters, type Forward, type Parameters } from '../model/forward.js';
import { sgdStep } from './sgd.js';

export interface TrainingStep {
  /** 1, 2, … */
  readonly step: number;
  readonly before: Parameters;
  readonly forward: Forward;
  readonly gradients: Gradients;
  readonly after: Parameters;
}

/** Everything convgrad computes for a problem. */
export interface Solution {
  readonly problem: Problem;
  readonly steps: readonly TrainingStep[];
}

export function solve(problem: Problem): Solution {
  const steps: TrainingStep[] = [];
  let parameters = initialParameters(problem);
  for (let step = 1; step <= problem.steps; step++) {
    const fwd = forward(problem, parameters);
    const gradients = backward(problem, parameters, fwd);
    const after = sgdStep(parameters, gradients, problem.optimizer.lr);
    steps.push({ step, before: parameters, forward: fwd, gradients, after });
    parameters = after;
  }
  return { problem, steps };
}
