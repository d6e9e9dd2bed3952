// A network's training loop, as PyTorch's: forward through every layer, backward from the loss down,
// the optimizer over every parameter of every layer (model.parameters()'s order), once per step. The
// first step's passes are kept whole; of the others, what the optimizer and the trajectory need.
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';
import type { NetworkProblem } from '../problem/network.js';
import type { Model, NamedTensors } from '../ops/stage.js';
import { flatNetworkParameters, initialNetworkParameters, networkModel, unflattenNetworkParameters } from '../model/network.js';
import { networkExactStepCost } from '../model/network-workload.js';
import { EXACT_BUDGET } from '../model/workload.js';
import { runBackward, runForward, type BackwardPass, type ForwardPass } from '../model/passes.js';
import { optimizerStep } from '../optim/optimizers.js';
import type { OptimizerState, StepRecord } from '../optim/optimizer.js';

export interface NetworkStep {
  /** 1, 2, … */
  readonly step: number;
  /** Every stage's parameters by name before the step ({} for a stage without). */
  readonly before: readonly NamedTensors[];
  /** L at the parameters before the step. */
  readonly loss: Scalar;
  /** ∂L/∂(each parameter), stage by stage under the parameters' names. */
  readonly gradients: readonly NamedTensors[];
  /** The optimizer's quantities of this step, entry by entry over the flat parameter list. */
  readonly record: StepRecord;
  readonly state: OptimizerState;
  readonly after: readonly NamedTensors[];
}

export interface NetworkSolution {
  readonly network: NetworkProblem;
  readonly model: Model;
  /** The first step's passes whole: every layer's input, output and gradients. */
  readonly first: { readonly parameters: readonly NamedTensors[]; readonly forward: ForwardPass; readonly backward: BackwardPass };
  readonly steps: readonly NetworkStep[];
  /** The first step computed in float64 because exact arithmetic would have passed its budget; none for most problems. */
  readonly roundedFrom?: number;
}

/** The gradients as one list, in the order of the parameters they belong to. */
function flatGradients(parameters: readonly NamedTensors[], gradients: readonly NamedTensors[]): Scalar[] {
  return parameters.flatMap((named, i) => Object.keys(named).flatMap((name) => gradients[i][name].data));
}

/** The parameters in float64: from here on every value is computed as PyTorch does, and marked ≈. */
function rounded(parameters: readonly NamedTensors[]): NamedTensors[] {
  return parameters.map((named) => Object.fromEntries(Object.entries(named).map(([name, t]) => [name, { shape: t.shape, data: t.data.map(asDouble) }])));
}

export function solveNetwork(network: NetworkProblem): NetworkSolution {
  const model = networkModel(network);
  const steps: NetworkStep[] = [];
  let parameters: readonly NamedTensors[] = initialNetworkParameters(network);
  let state: OptimizerState = {};
  let first: NetworkSolution['first'] | undefined;
  // Each step stays exact while the exact work so far, with this step's estimated from its numbers
  // before any of it is done, fits the budget; from the first that does not, float64.
  let spent = 0;
  let roundedFrom: number | undefined;
  for (let step = 1; step <= network.steps; step++) {
    const flat = flatNetworkParameters(parameters);
    if (roundedFrom === undefined && flat.every(isExact)) {
      spent += networkExactStepCost(network, parameters);
      if (spent > EXACT_BUDGET) {
        roundedFrom = step;
        parameters = rounded(parameters);
      }
    }
    const input = roundedFrom === undefined ? network.input : { shape: network.input.shape, data: network.input.data.map(asDouble) };
    const forward = runForward(model, input, parameters);
    const backward = runBackward(model, parameters, forward);
    first ??= { parameters, forward, backward };
    const gradients = backward.stages.map((s) => s.parameters);
    const update = optimizerStep(network.optimizer, step, flatNetworkParameters(parameters), flatGradients(parameters, gradients), state);
    const after = unflattenNetworkParameters(parameters, update.parameters);
    steps.push({ step, before: parameters, loss: forward.loss, gradients, record: update.record, state: update.state, after });
    parameters = after;
    state = update.state;
  }
  return { network, model, first: first!, steps, ...(roundedFrom === undefined ? {} : { roundedFrom }) };
}
