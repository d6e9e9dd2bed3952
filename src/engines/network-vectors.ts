// `convgrad vectors` for a network of layers: test vectors for someone's own engine, layer by layer.
// Layer i's tensors are named layer{i}_… (i from 0, as layers[i] of the problem and of the result
// document): its parameters, what it computes on the way up (its output; a convolution's padded
// input; batch norm's statistics and x̂), and on the way down δ at its output (layer{i}_grad_output),
// what it computes from it (an activation's slope; batch norm's means of δ and δx̂; a convolution's
// ∂L/∂X̃) and its parameters' gradients; then each step's loss, gradients, torch.optim state and
// parameters (step{t}_layer{i}_…), as JSON with exact strings beside the doubles and as .npy files.
import { toExactString } from '../numbers/rational.js';
import { exact, type Scalar } from '../numbers/scalar.js';
import type { NamedTensors } from '../ops/stage.js';
import type { Layer, NetworkProblem } from '../problem/network.js';
import { parameterNames } from '../problem/network.js';
import { activationRules } from '../ops/activation/activations.js';
import { toNested, type Tensor } from '../tensor/tensor.js';
import type { NetworkSolution } from '../trajectory/train-network.js';
import { describedFiles, type Described, type VectorFile } from './vectors.js';

/** A layer as the documents name it: "layer 1 (relu)". */
function layerName(layer: Layer, i: number): string {
  const type = layer.type === 'activation' ? layer.written : layer.type === 'pool' ? `${layer.pool.type}_pool` : layer.type;
  return `layer ${i} (${type})`;
}

/** What a stage computes on the way up, under the names its vectors take, with what each means. */
const FORWARD_RECORDS: Readonly<Record<string, readonly [record: string, name: string, meaning: string][]>> = {
  batch_norm2d: [
    ['mean', 'mean', 'μ, the batch mean of each channel'],
    ['variance', 'variance', 'σ², the biased batch variance of each channel'],
    ['invStd', 'inv_std', '1/√(σ² + ε) of each channel'],
    ['xhat', 'xhat', 'x̂ = (x − μ)/√(σ² + ε)'],
  ],
};

/** What a stage computes from δ on the way down. */
const BACKWARD_RECORDS: Readonly<Record<string, readonly [record: string, name: string, meaning: string][]>> = {
  activation: [['slope', 'slope', "f'(x) at its input"]],
  batch_norm2d: [
    ['meanDelta', 'mean_delta', 'mean(δ) of each channel'],
    ['meanDeltaXhat', 'mean_delta_xhat', 'mean(δ·x̂) of each channel'],
  ],
  conv2d: [['paddedInput', 'grad_padded_input', '∂L/∂X̃, the gradient of the padded input']],
};

export function networkVectorTensors(solution: NetworkSolution): Described[] {
  const { network, first, steps } = solution;
  const layers = network.layers;
  const scalar = (x: Scalar): Tensor<Scalar> => ({ shape: [], data: [x] });
  const vector = (values: readonly Scalar[]): Tensor<Scalar> => ({ shape: [values.length], data: values });
  const { forward: f, backward: b } = first;
  const tensors: Described[] = [
    ['input', network.input, 'X, [N][C][H][W]'],
    ['target', network.target, network.loss.type === 'cross_entropy' ? 'the class index of each batch item, [N]' : 'T (or the target map)'],
  ];
  layers.forEach((layer, i) => {
    const name = layerName(layer, i);
    for (const p of parameterNames(layer)) tensors.push([`layer${i}_${p}`, first.parameters[i][p], `${name}: its ${p}`]);
  });
  layers.forEach((layer, i) => {
    const name = layerName(layer, i);
    const stage = f.stages[i];
    if (layer.type === 'conv2d') tensors.push([`layer${i}_padded_input`, (stage.saved as { padded: Tensor<Scalar> }).padded, `${name}: X̃, its input inside its padding`]);
    for (const [record, file, meaning] of FORWARD_RECORDS[layer.type] ?? []) tensors.push([`layer${i}_${file}`, (stage.saved as NamedTensors)[record], `${name}: ${meaning}`]);
    tensors.push([`layer${i}_output`, stage.output, `${name}: its output a⁽${i}⁾`]);
  });
  tensors.push(
    ['prediction', f.prediction, network.head === 'none' ? 'y, the last layer output (head none)' : 'S, the head sum/mean of the last layer output'],
    ['element_loss', f.elementLosses, network.loss.type === 'cross_entropy' ? '−log softmax(y)[target] of each batch item' : 'l(y, t) for every prediction entry'],
    ['loss', scalar(f.loss), 'L'],
    ['grad_prediction', b.prediction, '∂L/∂y'],
  );
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const name = layerName(layer, i);
    const stage = b.stages[i];
    tensors.push([`layer${i}_grad_output`, b.stages[i + 1].input, `${name}: δ⁽${i}⁾ = ∂L/∂a⁽${i}⁾, the gradient at its output`]);
    for (const [record, file, meaning] of BACKWARD_RECORDS[layer.type] ?? []) tensors.push([`layer${i}_${file}`, stage.records[record], `${name}: ${meaning}`]);
    for (const p of parameterNames(layer)) tensors.push([`layer${i}_grad_${p}`, stage.parameters[p], `${name}: ∂L/∂(its ${p})`]);
  }
  tensors.push(['grad_input', b.input, '∂L/∂X']);
  // The optimizer's state is kept over the flat parameter list: layer by layer, each layer's parameters in order.
  const shares: [file: string, what: string, shape: readonly number[], from: number, to: number][] = [];
  let at = 0;
  layers.forEach((layer, i) => {
    for (const p of parameterNames(layer)) {
      const t = first.parameters[i][p];
      shares.push([`layer${i}_${p}`, `${layerName(layer, i)}'s ${p}`, t.shape, at, (at += t.data.length)]);
    }
  });
  // torch.optim counts steps in the state of every optimizer but SGD (a float tensor).
  const counted = network.optimizer.type !== 'sgd';
  for (const step of steps) {
    const t = step.step;
    tensors.push([`step${t}_loss`, scalar(step.loss), `L at step ${t}, before its update`]);
    layers.forEach((layer, i) => {
      for (const p of parameterNames(layer)) tensors.push([`step${t}_layer${i}_grad_${p}`, step.gradients[i][p], `∂L/∂(${layerName(layer, i)}'s ${p}) at step ${t}`]);
    });
    for (const [file, what, shape, from, to] of shares) {
      for (const [key, values] of Object.entries(step.state)) tensors.push([`step${t}_${file}_${key}`, { shape, data: values.slice(from, to) }, `torch.optim's state["${key}"] of ${what} after step ${t}`]);
      if (counted) tensors.push([`step${t}_${file}_step`, scalar(exact(t)), `torch.optim's state["step"] of ${what} after step ${t}`]);
    }
    layers.forEach((layer, i) => {
      for (const p of parameterNames(layer)) tensors.push([`step${t}_layer${i}_${p}`, step.after[i][p], `${layerName(layer, i)}'s ${p} after step ${t}`]);
    });
  }
  const last = steps[steps.length - 1];
  layers.forEach((layer, i) => {
    for (const p of parameterNames(layer)) tensors.push([`updated_layer${i}_${p}`, last.after[i][p], `${layerName(layer, i)}'s ${p} after every step`]);
  });
  tensors.push(['trajectory_loss', vector(steps.map((s) => s.loss)), 'L before each step']);
  return tensors;
}

export function networkVectorFiles(solution: NetworkSolution, version: string): VectorFile[] {
  return describedFiles(normalizedNetwork(solution.network), networkVectorTensors(solution), version, NETWORK_LAYOUT);
}

const NETWORK_LAYOUT =
  'layer i (from 0, as layers[i]) is layer{i}_*; maps [N][C][H][W]; conv2d kernels [C_out][C_in/groups][kh][kw]; conv_transpose2d kernels [C_in][C_out/groups][kh][kw]; linear weights [out][in]; row-major (C order); .npy files float64';

/** The network with every default written out and every number as an exact string: a valid problem file itself. */
export function normalizedNetwork(network: NetworkProblem): Record<string, unknown> {
  const exactly = (t: Tensor<Parameters<typeof toExactString>[0]>) => toNested({ shape: t.shape, data: t.data.map(toExactString) });
  const settings = Object.fromEntries(Object.entries(network.optimizer).map(([k, v]) => [k, Array.isArray(v) ? v.map(toExactString) : typeof v === 'object' ? toExactString(v) : v]));
  const l = network.loss;
  const layer = (layer: Layer): Record<string, unknown> => {
    const bias = layer.type === 'conv2d' || layer.type === 'conv_transpose2d' || layer.type === 'linear' ? (layer.bias ? { bias: exactly(layer.bias) } : {}) : {};
    switch (layer.type) {
      case 'conv2d':
        return { type: 'conv2d', kernel: exactly(layer.kernel), ...bias, stride: layer.stride, padding: layer.paddingSpec === 'explicit' ? [layer.padding.top, layer.padding.left] : layer.paddingSpec, padding_mode: layer.paddingMode, dilation: layer.dilation, groups: layer.groups };
      case 'conv_transpose2d':
        return { type: 'conv_transpose2d', kernel: exactly(layer.kernel), ...bias, stride: layer.stride, padding: layer.padding, output_padding: layer.outputPadding, dilation: layer.dilation, groups: layer.groups };
      case 'activation': {
        const fields = activationRules(layer.activation).problemFields(layer.activation, toExactString) as Record<string, unknown>;
        const { activation, ...beside } = fields;
        return { type: layer.written, ...(typeof activation === 'object' && activation !== null ? activation : {}), ...beside };
      }
      case 'pool':
        return { type: `${layer.pool.type}_pool`, size: layer.pool.size, stride: layer.pool.stride };
      case 'batch_norm2d':
        return { type: 'batch_norm2d', weight: exactly(layer.weight), bias: exactly(layer.bias), eps: toExactString(layer.eps) };
      case 'flatten':
        return { type: 'flatten' };
      case 'linear':
        return { type: 'linear', weight: exactly(layer.weight), ...bias };
    }
  };
  return {
    ...(network.title === undefined ? {} : { title: network.title }),
    input: exactly(network.input),
    layers: network.layers.map(layer),
    head: network.head,
    loss: l.type === 'expression' ? { expression: l.expression.source } : l.type,
    ...(l.type === 'smooth_l1' ? { beta: toExactString(l.beta) } : {}),
    ...(l.type === 'huber' ? { delta: toExactString(l.delta) } : {}),
    reduction: network.reduction,
    target: l.type === 'cross_entropy' ? network.target.data.map((c) => Number(c.valueOf())) : network.target.shape.length === 0 ? toExactString(network.target.data[0]) : exactly(network.target),
    optimizer: settings,
    steps: network.steps,
  };
}
