// The forward pass of the layer, run by the model's loop (passes.ts) and read back stage by stage:
// padded input → σ (conv + bias) → a (activation) → p (pooling) → prediction (head) → L (loss).
import type { Scalar } from '../numbers/scalar.js';
import type { Problem } from '../problem/problem.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ConvGeometry } from '../ops/conv2d/geometry.js';
import type { Conv2dSaved } from '../ops/conv2d/stage.js';
import type { Pooled } from '../ops/pool/pool.js';
import { layerModel, stageParameters, type LayerModel, type LayerParameters } from './layer.js';
import { runForward, type ForwardPass } from './passes.js';

export interface Forward {
  readonly geometry: ConvGeometry;
  readonly padded: Tensor<Scalar>;
  /** σ: the convolution's output, bias included. */
  readonly sigma: Tensor<Scalar>;
  /** a = f(σ) */
  readonly activated: Tensor<Scalar>;
  /** p: the pooled map (the activated map itself without pooling). */
  readonly pooled: Tensor<Scalar>;
  readonly pooling?: Pooled;
  /** Shape [] for head sum/mean, the map for none. */
  readonly prediction: Tensor<Scalar>;
  /** l(y, t) for every prediction entry. */
  readonly elementLosses: Tensor<Scalar>;
  readonly loss: Scalar;
  /** The model and its loop's records, stage by stage, for the backward pass. */
  readonly model: LayerModel;
  readonly pass: ForwardPass;
}

export function forward(problem: Problem, parameters: LayerParameters): Forward {
  const model = layerModel(problem);
  const pass = runForward(model, problem.input, stageParameters(model, parameters));
  const stage = (i: number) => pass.stages[i];
  const pooling = model.pool === undefined ? undefined : (stage(model.pool).saved as Pooled);
  return {
    geometry: model.geometry,
    padded: (stage(model.conv).saved as Conv2dSaved).padded,
    sigma: stage(model.conv).output,
    activated: stage(model.activation).output,
    pooled: stage(model.head).input,
    ...(pooling ? { pooling } : {}),
    prediction: pass.prediction,
    elementLosses: pass.elementLosses,
    loss: pass.loss,
    model,
    pass,
  };
}
