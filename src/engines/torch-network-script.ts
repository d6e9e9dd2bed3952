// `convgrad torch` for a network: a self-contained PyTorch script that rebuilds the network as
// torch.nn.Sequential of the same modules (float64, train()), takes the optimizer's steps and checks
// every number against convgrad's. As for the single layer (torch-script.ts), the problem and the
// results travel as JSON data the script parses; the one piece of code chosen here is the
// torch.optim class, from the optimizer's own file.
import { toDouble, type Rational } from '../numbers/rational.js';
import type { Layer, NetworkProblem } from '../problem/network.js';
import { torchTree } from '../expr/user-expression.js';
import { activationRules } from '../ops/activation/activations.js';
import { optimizerRules } from '../optim/optimizers.js';
import { isRationalPair, settingValues } from '../optim/optimizer.js';
import { fillTemplate } from '../render/templates.js';
import { networkResultDocument } from '../result/network-document.js';
import type { NetworkSolution } from '../trajectory/train-network.js';
import { toNested, type Tensor } from '../tensor/tensor.js';
import { DTYPE_TOLERANCES } from './tolerance.js';
import { torchCommon } from './torch-script.js';
import { networkValues, roundingFloors } from './network-floors.js';

export function torchNetworkScript(solution: NetworkSolution, version: string): string {
  const { network } = solution;
  const doc = networkResultDocument(solution);
  const data = {
    problem: torchNetwork(network),
    expected: { forward: doc.forward, grad: doc.grad, updated: doc.updated, trajectory: doc.trajectory },
    tolerance: DTYPE_TOLERANCES.float64,
    floors: floorsByPath(solution),
  };
  return fillTemplate('torch-network.py', { version, common: torchCommon(data), optimizer: optimizerRules(network.optimizer).torchClass });
}

/**
 * Each quantity's float64 rounding floor (network-floors.ts), the largest of its entries': the script
 * raises a quantity's atol to it, as `check` does, so that PyTorch's unavoidable rounding (1.7e-12 on a
 * gradient convgrad knows is exactly 0) is not called a difference.
 */
function floorsByPath(solution: NetworkSolution): Record<string, number> {
  const floor = roundingFloors(solution);
  const floors: Record<string, number> = {};
  for (const [path, values] of networkValues(solution)) {
    const entry = floor(path);
    if (entry) floors[path] = values.data.reduce((most, _, flat) => Math.max(most, entry(flat)), 0);
  }
  return floors;
}

const doubles = (t: Tensor<Rational>) => toNested({ shape: t.shape, data: t.data.map(toDouble) });

/** The network as the script reads it: each layer's module type, its keyword arguments, its parameters (torch's names), in doubles. */
function torchNetwork(network: NetworkProblem): Record<string, unknown> {
  const settings = settingValues(optimizerRules(network.optimizer), network.optimizer);
  const optimizer = Object.fromEntries(settings.map(([key, value]) => [key, typeof value === 'boolean' ? value : isRationalPair(value) ? value.map(toDouble) : toDouble(value)]));
  const inputs = [network.input.shape, ...network.shapes];
  const l = network.loss;
  return {
    title: network.title ?? null,
    input: doubles(network.input),
    input_shape: network.input.shape,
    layers: network.layers.map((layer, i) => torchLayer(layer, inputs[i])),
    head: network.head,
    loss: l.type,
    ...(l.type === 'expression' ? { loss_formula: torchTree(l.expression.node) } : {}),
    ...(l.type === 'smooth_l1' ? { beta: toDouble(l.beta) } : {}),
    ...(l.type === 'huber' ? { delta: toDouble(l.delta) } : {}),
    target: l.type === 'cross_entropy' ? network.target.data.map((c) => Number(c.valueOf())) : doubles(network.target),
    target_shape: network.target.shape,
    reduction: network.reduction,
    optimizer,
    steps: network.steps,
  };
}

/** {"type", "arguments": the module's keyword arguments, "parameters": {torch's name: doubles}} */
function torchLayer(layer: Layer, input: readonly number[]): Record<string, unknown> {
  const bias = (b: Tensor<Rational> | undefined) => (b ? { bias: doubles(b) } : {});
  switch (layer.type) {
    case 'conv2d': {
      const [outChannels, , kh, kw] = layer.kernel.shape;
      const padding = layer.paddingSpec === 'explicit' ? [layer.padding.top, layer.padding.left] : layer.paddingSpec;
      const args = { in_channels: input[1], out_channels: outChannels, kernel_size: [kh, kw], stride: layer.stride, padding, dilation: layer.dilation, groups: layer.groups, bias: layer.bias !== undefined, padding_mode: layer.paddingMode };
      return { type: 'conv2d', arguments: args, parameters: { weight: doubles(layer.kernel), ...bias(layer.bias) } };
    }
    case 'conv_transpose2d': {
      const [inChannels, perGroup, kh, kw] = layer.kernel.shape;
      const args = { in_channels: inChannels, out_channels: perGroup * layer.groups, kernel_size: [kh, kw], stride: layer.stride, padding: layer.padding, output_padding: layer.outputPadding, groups: layer.groups, bias: layer.bias !== undefined, dilation: layer.dilation };
      return { type: 'conv_transpose2d', arguments: args, parameters: { weight: doubles(layer.kernel), ...bias(layer.bias) } };
    }
    case 'activation': {
      const f = layer.activation;
      if (f.type === 'expression') return { type: 'activation', formula: (activationRules(f).torch(f).settings as { activation: unknown }).activation, parameters: {} };
      return { type: layer.written, arguments: activationRules(f).torch(f).settings, parameters: {} };
    }
    case 'pool':
      return { type: `${layer.pool.type}_pool`, arguments: { kernel_size: layer.pool.size, stride: layer.pool.stride }, parameters: {} };
    case 'batch_norm2d':
      return { type: 'batch_norm2d', arguments: { num_features: input[1], eps: toDouble(layer.eps) }, parameters: { weight: doubles(layer.weight), bias: doubles(layer.bias) } };
    case 'flatten':
      return { type: 'flatten', arguments: {}, parameters: {} };
    case 'linear': {
      const [out, inFeatures] = layer.weight.shape;
      return { type: 'linear', arguments: { in_features: inFeatures, out_features: out, bias: layer.bias !== undefined }, parameters: { weight: doubles(layer.weight), ...bias(layer.bias) } };
    }
  }
}
