// Each layer type's steps in a network's derivation, found by its type: the sections walk the
// layers forward, then backward from the loss, and ask each for its steps and its rules.
import type { Layer } from '../../problem/network.js';
import type { Chain, Step } from '../step.js';
import type { LayerView, NetworkContext } from './context.js';
import { activationNetworkSteps } from '../../ops/activation/network-steps.js';
import { batchNorm2dNetworkSteps } from '../../ops/batch-norm2d/network-steps.js';
import { conv2dNetworkSteps } from '../../ops/conv2d/network-steps.js';
import { convTranspose2dNetworkSteps } from '../../ops/conv-transpose2d/network-steps.js';
import { flattenNetworkSteps } from '../../ops/flatten/network-steps.js';
import { linearNetworkSteps } from '../../ops/linear/network-steps.js';
import { poolNetworkSteps } from '../../ops/pool/network-steps.js';

export interface LayerSteps {
  /** a^{(l)} from a^{(l-1)}: the rule, entries written out, the output. */
  forward(ctx: NetworkContext, view: LayerView): Step[];
  /** From δ^{(l)}: the parameters' gradients and δ^{(l-1)}. */
  backward(ctx: NetworkContext, view: LayerView): Step[];
  /** The rules in symbols, forward and backward: the formula sheet's lines for this layer. */
  formulas(view: LayerView): Chain[];
}

const STEPS: { readonly [T in Layer['type']]: LayerSteps } = {
  conv2d: conv2dNetworkSteps,
  conv_transpose2d: convTranspose2dNetworkSteps,
  activation: activationNetworkSteps,
  pool: poolNetworkSteps,
  batch_norm2d: batchNorm2dNetworkSteps,
  flatten: flattenNetworkSteps,
  linear: linearNetworkSteps,
};

export function layerSteps(layer: Layer): LayerSteps {
  return STEPS[layer.type];
}
