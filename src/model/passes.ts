// The two loops: forward through every stage, then backward from the loss through every stage in
// reverse, each stage's records kept by its index.
import type { Scalar } from '../numbers/scalar.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Model, NamedTensors, StageBackward, StagePass } from '../ops/stage.js';

export interface ForwardPass {
  /** stages[i]: stage i's input, output and saved values. */
  readonly stages: readonly StagePass[];
  readonly prediction: Tensor<Scalar>;
  /** l(y, t) for every prediction entry. */
  readonly elementLosses: Tensor<Scalar>;
  readonly loss: Scalar;
}

export interface BackwardPass {
  /** ∂L/∂y for every prediction entry. */
  readonly prediction: Tensor<Scalar>;
  /** stages[i]: ∂L/∂(stage i's input), ∂L/∂(its parameters) and its records. */
  readonly stages: readonly StageBackward[];
  /** ∂L/∂X: the first stage's input gradient. */
  readonly input: Tensor<Scalar>;
}

/** parameters[i]: stage i's parameters by name ({} for a stage without). */
export function runForward(model: Model, input: Tensor<Scalar>, parameters: readonly NamedTensors[]): ForwardPass {
  const stages: StagePass[] = [];
  let x = input;
  model.stages.forEach((stage, i) => {
    const { output, saved } = stage.forward(x, parameters[i]);
    stages.push({ input: x, output, saved });
    x = output;
  });
  return { stages, prediction: x, ...model.objective.forward(x) };
}

// ∂L/∂(input of i) = stage i's backward of ∂L/∂(output of i), and ∂L/∂(output of i) = ∂L/∂(input of i + 1)
export function runBackward(model: Model, parameters: readonly NamedTensors[], pass: ForwardPass): BackwardPass {
  const prediction = model.objective.backward(pass.prediction);
  const stages = new Array<StageBackward>(model.stages.length);
  let upstream = prediction;
  for (let i = model.stages.length - 1; i >= 0; i--) {
    stages[i] = model.stages[i].backward(upstream, pass.stages[i], parameters[i]);
    upstream = stages[i].input;
  }
  return { prediction, stages, input: upstream };
}
