// A network problem as a model: one stage a layer, in the problem's order, then the head, then the
// loss (cross-entropy, or the flat form's loss over the head's prediction). The flat problem's layer
// is the same kind of list (layer.ts); both run through the same loops (passes.ts).
import { ZERO, type Scalar } from '../numbers/scalar.js';
import type { Conv2dLayer, Layer, NetworkProblem } from '../problem/network.js';
import { layerParameters } from '../problem/network.js';
import { activationStage } from '../ops/activation/stage.js';
import { batchNorm2dStage } from '../ops/batch-norm2d/stage.js';
import { conv2dStage } from '../ops/conv2d/stage.js';
import { convGeometry, type ConvGeometry } from '../ops/conv2d/geometry.js';
import { convTranspose2dGeometry } from '../ops/conv-transpose2d/geometry.js';
import { convTranspose2dStage } from '../ops/conv-transpose2d/stage.js';
import { flattenStage } from '../ops/flatten/stage.js';
import { headStage } from '../ops/head/stage.js';
import { linearStage } from '../ops/linear/stage.js';
import { crossEntropyObjective } from '../ops/loss/cross-entropy.js';
import { lossObjective } from '../ops/loss/objective.js';
import { poolStage } from '../ops/pool/stage.js';
import type { Model, NamedTensors, Stage } from '../ops/stage.js';
import type { Loss } from '../problem/problem.js';
import { ProblemError } from '../problem/problem-error.js';

/** The stages of a network: stages[i] is layer i for i < layers, and the head last. */
export function networkModel(network: NetworkProblem): Model {
  const inputs = [network.input.shape, ...network.shapes];
  const stages = network.layers.map((layer, i) => {
    const stage = namedAfter(layerStage(layer, inputs[i]), `layers[${i}]`);
    return biasCancelledByBatchNorm(network, i) ? withCancelledBias(stage) : stage;
  });
  stages.push(headStage(network.head) as Stage);
  const { loss, reduction, target } = network;
  const objective = loss.type === 'cross_entropy' ? crossEntropyObjective(target.data.map((c) => Number(c.valueOf())), reduction) : lossObjective({ loss: loss as Loss, reduction, target });
  return { stages, objective };
}

/**
 * Layer i's bias is one number a channel (conv2d, conv_transpose2d, batch_norm2d's β) and its output
 * goes straight into a batch norm, which subtracts each channel's batch mean: a shift of a whole
 * channel cancels there, so ∂L/∂b = Σ δ over the channel = 0 exactly, whatever the numbers.
 */
export function biasCancelledByBatchNorm(network: NetworkProblem, i: number): boolean {
  const [layer, next] = [network.layers[i], network.layers[i + 1]];
  if (next?.type !== 'batch_norm2d') return false;
  return layer.type === 'batch_norm2d' || ((layer.type === 'conv2d' || layer.type === 'conv_transpose2d') && layer.bias !== undefined);
}

// ∂L/∂b_c = Σ_k δ_{c,k} = (γ_c/√(σ²_c + ε))·Σ_k (g_k − mean g − x̂_k·mean(g x̂)) = −(γ_c/√(σ²_c + ε))·mean(g x̂)·Σ_k x̂_k = 0,
// as Σ_k x̂_k = 0: exact 0, where the sum of δ computed in float64 (through the batch norm's square root) leaves rounding
function withCancelledBias(stage: Stage): Stage {
  return {
    ...stage,
    backward: (upstream, pass, parameters) => {
      const result = stage.backward(upstream, pass, parameters);
      const bias = result.parameters.bias;
      return { ...result, parameters: { ...result.parameters, bias: { shape: bias.shape, data: bias.data.map(() => ZERO) } } };
    },
  };
}

/** A conv2d layer's index arithmetic for an input of this shape. */
export function conv2dGeometry(layer: Conv2dLayer, input: readonly number[]): ConvGeometry {
  return convGeometry({ ...layer, input: { shape: input, data: [] } });
}

function layerStage(layer: Layer, input: readonly number[]): Stage {
  switch (layer.type) {
    case 'conv2d':
      return conv2dStage(conv2dGeometry(layer, input), layer.bias !== undefined) as Stage;
    case 'conv_transpose2d':
      return convTranspose2dStage(convTranspose2dGeometry({ input, kernel: layer.kernel.shape, stride: layer.stride, padding: layer.padding, outputPadding: layer.outputPadding, dilation: layer.dilation, groups: layer.groups }), layer.bias !== undefined) as Stage;
    case 'activation':
      return activationStage(layer.activation) as Stage;
    case 'pool':
      return poolStage(layer.pool) as Stage;
    case 'batch_norm2d':
      return batchNorm2dStage(layer.eps) as Stage;
    case 'flatten':
      return flattenStage() as Stage;
    case 'linear':
      return linearStage(layer.bias !== undefined, layer.weight.shape[0]) as Stage;
  }
}

/**
 * The stage with the numbers it cannot take (an expression undefined at an entry) named by its layer's
 * path: "activation.expression" of the flat form is "layers[2].expression" in a network.
 */
function namedAfter(stage: Stage, path: string): Stage {
  const renamed = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      throw new ProblemError({ ...error.diagnostic, path: error.diagnostic.path.replace(/^activation\b/, path) });
    }
  };
  return { ...stage, forward: (input, parameters) => renamed(() => stage.forward(input, parameters)), backward: (upstream, pass, parameters) => renamed(() => stage.backward(upstream, pass, parameters)) };
}

/** Every stage's parameters by name, as the problem gives them: the head's are {}. */
export function initialNetworkParameters(network: NetworkProblem): NamedTensors[] {
  return [...network.layers.map((layer) => layerParameters(layer) as NamedTensors), {}];
}

/** The parameters as one list in PyTorch's order (model.parameters()): layer by layer, each layer's weight then its bias. */
export function flatNetworkParameters(parameters: readonly NamedTensors[]): Scalar[] {
  return parameters.flatMap((named) => Object.values(named).flatMap((t) => t.data));
}

/** The flat list back into each stage's named tensors, shaped as `like`. */
export function unflattenNetworkParameters(like: readonly NamedTensors[], values: readonly Scalar[]): NamedTensors[] {
  let at = 0;
  return like.map((named) => Object.fromEntries(Object.entries(named).map(([name, t]) => [name, { shape: t.shape, data: values.slice(at, (at += t.data.length)) }])));
}
