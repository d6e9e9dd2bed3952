// Forward, backward and update, once per optimizer step, as a PyTorch training loop does.
import type { Scalar } from '../numbers/scalar.js';
import type { Problem } from '../problem/problem.js';
import { backward, type Gradients } from '../gradients/backward.js';
import { forward, initialParameters, type Forward, type Parameters } from '../model/forward.js';
import { optimizerStep, type OptimizerState, type StepRecord } from './optimizers.js';

export interface TrainingStep {
  /** 1, 2, … */
  readonly step: number;
  readonly before: Parameters;
  readonly forward: Forward;
  readonly gradients: Gradients;
  /** The optimizer's quantities of this step, entry by entry over the flat parameter list. */
  readonly record: StepRecord;
  /** The optimizer's state after this step. */
  readonly state: OptimizerState;
  readonly after: Parameters;
}

/** Everything convgrad computes for a problem. */
export interface Solution {
  readonly problem: Problem;
  readonly steps: readonly TrainingStep[];
}

/** The parameters as one list: the kernel's entries row-major, then the bias's. */
export function flatParameters(p: Parameters): Scalar[] {
  return [...p.kernel.data, ...(p.bias ?? [])];
}

export function flatGradients(g: Gradients): Scalar[] {
  return [...g.kernel.data, ...(g.bias ?? [])];
}

function unflatten(like: Parameters, values: readonly Scalar[]): Parameters {
  const kernel = { shape: like.kernel.shape, data: values.slice(0, like.kernel.data.length) };
  return like.bias === undefined ? { kernel } : { kernel, bias: values.slice(like.kernel.data.length) };
}

export function solve(problem: Problem): Solution {
  const steps: TrainingStep[] = [];
  let parameters = initialParameters(problem);
  let state: OptimizerState = {};
  for (let step = 1; step <= problem.steps; step++) {
    const fwd = forward(problem, parameters);
    const gradients = backward(problem, parameters, fwd);
    const update = optimizerStep(problem.optimizer, step, flatParameters(parameters), flatGradients(gradients), state);
    const after = unflatten(parameters, update.parameters);
    steps.push({ step, before: parameters, forward: fwd, gradients, record: update.record, state: update.state, after });
    parameters = after;
    state = update.state;
  }
  return { problem, steps };
}
