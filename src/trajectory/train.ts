// Forward, backward and update, once per optimizer step, as a PyTorch training loop does. The first
// step's passes are kept whole (the derivation, the result document and the engines read every
// tensor of them); of the others, what the optimizer and the trajectory need, so that memory does
// not grow with the steps times the maps.
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';
import type { Problem } from '../problem/problem.js';
import { backward, type Gradients } from '../model/backward.js';
import { forward, type Forward } from '../model/forward.js';
import { initialParameters, type LayerParameters } from '../model/layer.js';
import { exactStepCost, EXACT_BUDGET } from '../model/workload.js';
import { optimizerStep } from '../optim/optimizers.js';
import type { OptimizerState, StepRecord } from '../optim/optimizer.js';

/** ∂L/∂K and ∂L/∂b: the gradients the optimizer takes. */
export interface ParameterGradients {
  readonly kernel: Gradients['kernel'];
  readonly bias?: Gradients['bias'];
}

export interface TrainingStep {
  /** 1, 2, … */
  readonly step: number;
  readonly before: LayerParameters;
  /** L at the parameters before the step. */
  readonly loss: Scalar;
  readonly gradients: ParameterGradients;
  /** The optimizer's quantities of this step, entry by entry over the flat parameter list. */
  readonly record: StepRecord;
  /** The optimizer's state after this step. */
  readonly state: OptimizerState;
  readonly after: LayerParameters;
}

/** The first step's passes whole: what a derivation shows entry by entry, and the result document gives. */
export interface FirstStep {
  readonly before: LayerParameters;
  readonly forward: Forward;
  readonly gradients: Gradients;
}

/** Everything convgrad computes for a problem. */
export interface Solution {
  readonly problem: Problem;
  readonly first: FirstStep;
  readonly steps: readonly TrainingStep[];
  /**
   * The first step computed in float64 because exact arithmetic would have passed its budget
   * (model/workload.ts), as values past 2^1024 go on in float64; none for most problems.
   */
  readonly roundedFrom?: number;
}

/** The parameters as one list: the kernel's entries row-major, then the bias's. */
export function flatParameters(p: LayerParameters): Scalar[] {
  return [...p.kernel.data, ...(p.bias ?? [])];
}

export function flatGradients(g: ParameterGradients): Scalar[] {
  return [...g.kernel.data, ...(g.bias ?? [])];
}

function unflatten(like: LayerParameters, values: readonly Scalar[]): LayerParameters {
  const kernel = { shape: like.kernel.shape, data: values.slice(0, like.kernel.data.length) };
  return like.bias === undefined ? { kernel } : { kernel, bias: values.slice(like.kernel.data.length) };
}

/** The parameters in float64: from here on every value is computed as PyTorch does, and marked ≈. */
function rounded(p: LayerParameters): LayerParameters {
  const kernel = { shape: p.kernel.shape, data: p.kernel.data.map(asDouble) };
  return p.bias === undefined ? { kernel } : { kernel, bias: p.bias.map(asDouble) };
}

export function solve(problem: Problem): Solution {
  const steps: TrainingStep[] = [];
  let parameters = initialParameters(problem);
  let state: OptimizerState = {};
  let first: FirstStep | undefined;
  // Each step stays exact while the exact work so far, with this step's estimated from its numbers
  // before any of it is done, fits the budget; from the first that does not, float64.
  let spent = 0;
  let roundedFrom: number | undefined;
  for (let step = 1; step <= problem.steps; step++) {
    if (roundedFrom === undefined && flatParameters(parameters).every(isExact)) {
      spent += exactStepCost(problem, parameters);
      if (spent > EXACT_BUDGET) {
        roundedFrom = step;
        parameters = rounded(parameters);
      }
    }
    const fwd = forward(problem, parameters);
    const gradients = backward(parameters, fwd);
    first ??= { before: parameters, forward: fwd, gradients };
    const update = optimizerStep(problem.optimizer, step, flatParameters(parameters), flatGradients(gradients), state);
    const after = unflatten(parameters, update.parameters);
    steps.push({ step, before: parameters, loss: fwd.loss, gradients: { kernel: gradients.kernel, ...(gradients.bias ? { bias: gradients.bias } : {}) }, record: update.record, state: update.state, after });
    parameters = after;
    state = update.state;
  }
  return { problem, first: first!, steps, ...(roundedFrom === undefined ? {} : { roundedFrom }) };
}
