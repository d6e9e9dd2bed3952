// A stage of the model: one op behind one interface. The model is a list of stages run by one loop
// forward and one loop backward (model/passes.ts); what a stage needs for its backward pass it saves in
// its forward. Tensors may change rank from stage to stage (a flatten, a linear layer), and any
// stage may hold parameters, each under its own name (conv2d: kernel, bias; linear: weight, bias).
import type { Scalar } from '../numbers/scalar.js';
import type { Tensor } from '../tensor/tensor.js';

/** Tensors by name: a stage's parameters, their gradients, or the extra quantities a pass records. */
export type NamedTensors = Readonly<Record<string, Tensor<Scalar>>>;

export interface StageForward<Saved> {
  readonly output: Tensor<Scalar>;
  /** What the backward pass reads besides the stage's input and output (padded input, pooling winners). */
  readonly saved: Saved;
}

export interface StageBackward {
  /** ∂L/∂(the stage's input). */
  readonly input: Tensor<Scalar>;
  /** ∂L/∂(each parameter), under the parameter's name; {} for a stage without parameters. */
  readonly parameters: NamedTensors;
  /** Intermediate quantities a derivation shows (f'(σ), ∂L/∂X̃); {} where there are none. */
  readonly records: NamedTensors;
}

export interface Stage<Saved = unknown> {
  /** The op's name: conv2d, activation, pool, head. */
  readonly op: string;
  /** Its parameters' names, in the order the optimizer's flat list takes them. */
  readonly parameterNames: readonly string[];
  /** The shape of the output for an input of this shape. */
  outputShape(input: readonly number[]): readonly number[];
  forward(input: Tensor<Scalar>, parameters: NamedTensors): StageForward<Saved>;
  backward(upstream: Tensor<Scalar>, pass: StagePass<Saved>, parameters: NamedTensors): StageBackward;
}

/** One stage's forward record: what went in, what came out, what it saved. */
export interface StagePass<Saved = unknown> {
  readonly input: Tensor<Scalar>;
  readonly output: Tensor<Scalar>;
  readonly saved: Saved;
}

/** The loss after the last stage: the prediction against the target, reduced to one number. */
export interface Objective {
  forward(prediction: Tensor<Scalar>): { readonly elementLosses: Tensor<Scalar>; readonly loss: Scalar };
  /** ∂L/∂y for every entry of the prediction. */
  backward(prediction: Tensor<Scalar>): Tensor<Scalar>;
}

export interface Model {
  readonly stages: readonly Stage[];
  readonly objective: Objective;
}
