// The flat problem's one Conv2d layer as a model: the stages [conv2d, activation, pool (when the
// problem pools), head] and the loss after them. Which stage sits where is decided here alone.
import type { Scalar } from '../numbers/scalar.js';
import type { Problem } from '../problem/problem.js';
import type { Tensor } from '../tensor/tensor.js';
import { activationStage } from '../ops/activation/stage.js';
import { conv2dStage } from '../ops/conv2d/stage.js';
import { convGeometry, type ConvGeometry } from '../ops/conv2d/geometry.js';
import { headStage } from '../ops/head/stage.js';
import { lossObjective } from '../ops/loss/objective.js';
import { poolStage } from '../ops/pool/stage.js';
import type { Model, NamedTensors, Stage } from '../ops/stage.js';

/** The layer's trainable parameters: what the optimizer changes. */
export interface LayerParameters {
  readonly kernel: Tensor<Scalar>;
  readonly bias?: readonly Scalar[];
}

/** Where each stage of the layer sits in the model's list. */
export interface LayerModel extends Model {
  readonly geometry: ConvGeometry;
  readonly conv: number;
  readonly activation: number;
  /** Absent without pooling. */
  readonly pool?: number;
  readonly head: number;
}

export function layerModel(problem: Problem): LayerModel {
  const geometry = convGeometry(problem);
  const stages: Stage[] = [conv2dStage(geometry, problem.bias !== undefined) as Stage, activationStage(problem.activation) as Stage];
  const pool = problem.pool ? stages.push(poolStage(problem.pool) as Stage) - 1 : undefined;
  const head = stages.push(headStage(problem.head) as Stage) - 1;
  return { stages, objective: lossObjective(problem), geometry, conv: 0, activation: 1, ...(pool === undefined ? {} : { pool }), head };
}

export function initialParameters(problem: Problem): LayerParameters {
  return problem.bias ? { kernel: problem.kernel, bias: problem.bias.values } : { kernel: problem.kernel };
}

/** The parameters of every stage by name: the kernel and bias are the convolution's, the others have none. */
export function stageParameters(model: LayerModel, parameters: LayerParameters): NamedTensors[] {
  const conv: NamedTensors = parameters.bias === undefined ? { kernel: parameters.kernel } : { kernel: parameters.kernel, bias: { shape: [parameters.bias.length], data: parameters.bias } };
  return model.stages.map((_, i) => (i === model.conv ? conv : {}));
}
