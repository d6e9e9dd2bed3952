// Reads a network problem (the contract's "Networks: layers"): the layers in order, each checked
// against the shape the layers before it give, so that every mistake is named with its layer's
// path (layers[2].weight) before any number is computed. Never throws for bad input.
import { rational, type Rational } from '../numbers/rational.js';
import { size, type Tensor } from '../tensor/tensor.js';
import { outputExtent } from '../ops/conv2d/geometry.js';
import { pooledExtent } from '../ops/pool/pool.js';
import { outputPaddingFits, transposedOutputExtent } from '../ops/conv-transpose2d/geometry.js';
import { valuesPerChannel } from '../ops/batch-norm2d/batch-norm.js';
import { NAMED_ACTIVATIONS } from '../ops/activation/activations.js';
import { expressionActivation } from '../ops/activation/expression.js';
import type { JsonValue } from './json-source.js';
import { parameterNames, type Layer, type NetworkLoss, type NetworkProblem } from './network.js';
import type { Diagnostic, Head, InputForm } from './problem.js';
import {
  checkPaddingMode, describe, fieldName, isObject, readExpression, readHead, readInteger, readLoss, readNonNegative, readNumber, readOptimizer,
  readPadding, readPaddingMode, readPair, readReduction, readTensor, readTitle, samePadding, unknownField, type JsonObject, type Report,
} from './parse-problem.js';

const FIELDS = ['title', 'input', 'layers', 'head', 'loss', 'beta', 'delta', 'reduction', 'target', 'optimizer', 'steps'] as const;
/** The single layer's fields, which a network gives inside its layers. */
const LAYER_FIELDS_OF_THE_FLAT_FORM = ['kernel', 'bias', 'stride', 'padding', 'padding_mode', 'dilation', 'groups', 'activation', 'negative_slope', 'pool'];
/** Each layer type with its fields, as the contract's table lists them. */
const LAYER_TYPES: Readonly<Record<string, readonly string[]>> = {
  conv2d: ['kernel', 'bias', 'stride', 'padding', 'padding_mode', 'dilation', 'groups'],
  conv_transpose2d: ['kernel', 'bias', 'stride', 'padding', 'output_padding', 'dilation', 'groups'],
  relu: [],
  leaky_relu: ['negative_slope'],
  sigmoid: [],
  tanh: [],
  gelu: [],
  activation: ['expression'],
  max_pool: ['size', 'stride'],
  avg_pool: ['size', 'stride'],
  batch_norm2d: ['weight', 'bias', 'eps'],
  flatten: [],
  linear: ['weight', 'bias'],
};
/** Layers a network may have: more is not a derivation anyone reads, and each costs a pass. */
export const MAX_LAYERS = 64;
const MAX_STEPS = 1000;
const MAP = '[N][C][H][W]';

export type NetworkParseResult = { readonly ok: true; readonly network: NetworkProblem } | { readonly ok: false; readonly errors: readonly Diagnostic[] };

export function parseNetwork(json: JsonObject): NetworkParseResult {
  const errors: Diagnostic[] = [];
  const report: Report = Object.assign((path: string, message: string) => {
    errors.push({ path, message });
    return undefined;
  }, { errors });
  const errorCount = () => errors.length;
  for (const key of Object.keys(json)) {
    if (LAYER_FIELDS_OF_THE_FLAT_FORM.includes(key)) report(key, 'a problem gives either `layers` or the single layer\'s fields; in a network each layer holds its own');
    else if (!(FIELDS as readonly string[]).includes(key)) report(fieldName(key), unknownField(key, FIELDS));
  }
  const field = (name: (typeof FIELDS)[number]) => json[name];
  const title = readTitle(field('title'), report);
  const input = readTensor(field('input'), 'input', [2, 3, 4], report, errorCount);
  const head = readHead(field('head'), report);
  const beta = readNonNegative(field('beta'), 'beta', report, false);
  const delta = readNonNegative(field('delta'), 'delta', report, true);
  const loss: NetworkLoss | undefined = field('loss') === 'cross_entropy' ? { type: 'cross_entropy' } : beta && delta ? readLoss(field('loss'), beta, delta, report, ', "cross_entropy"') : undefined;
  const reduction = readReduction(field('reduction'), report);
  const optimizer = readOptimizer(field('optimizer'), report);
  const steps = field('steps') === undefined ? 1 : readInteger(field('steps'), 'steps', 1, report, MAX_STEPS);

  const read = input ? readLayers(field('layers'), input.tensor.shape, report, errorCount) : undefined;
  let target: Tensor<Rational> | undefined;
  if (read && head && loss) target = readNetworkTarget(field('target'), head, loss, read.shapes[read.shapes.length - 1], report, errorCount);
  else if (field('target') === undefined) report('target', 'required');

  // torch.optim refuses an empty parameter list: "optimizer got an empty parameter list".
  if (read && read.layers.every((layer) => parameterNames(layer).length === 0)) report('layers', 'no layer has parameters, and an optimizer needs some (torch.optim refuses an empty parameter list); add a conv2d, conv_transpose2d, batch_norm2d or linear layer');
  if (errors.length > 0 || !input || !read || !head || !loss || !reduction || !target || !optimizer || steps === undefined) return { ok: false, errors };
  const network: NetworkProblem = {
    kind: 'network',
    ...(title === undefined ? {} : { title }),
    input: input.tensor,
    inputForm: input.form as InputForm,
    layers: read.layers,
    shapes: read.shapes,
    head,
    loss,
    reduction,
    target,
    optimizer,
    steps,
  };
  return { ok: true, network };
}

/** Every layer, each read against the shape the ones before it give; the shapes after each. */
function readLayers(value: JsonValue | undefined, inputShape: readonly number[], report: Report, errorCount: () => number): { layers: Layer[]; shapes: number[][] } | undefined {
  if (value === undefined) return report('layers', 'required: a list of layers');
  if (!Array.isArray(value) || value.length === 0) return report('layers', `expected a non-empty list of layers like {"type": "conv2d", …}, got ${describe(value)}`);
  if (value.length > MAX_LAYERS) return report('layers', `expected at most ${MAX_LAYERS} layers, got ${value.length}`);
  const layers: Layer[] = [];
  const shapes: number[][] = [];
  let shape = [...inputShape];
  for (let i = 0; i < value.length; i++) {
    const before = errorCount();
    const read = readLayer(value[i], `layers[${i}]`, shape, report, errorCount);
    // A layer that cannot be read leaves the shape after it unknown: the layers after it are not judged.
    if (!read || errorCount() !== before) return undefined;
    layers.push(read.layer);
    shapes.push((shape = read.shape));
  }
  return { layers, shapes };
}

function readLayer(value: JsonValue, path: string, shape: readonly number[], report: Report, errorCount: () => number): { layer: Layer; shape: number[] } | undefined {
  if (!isObject(value)) return report(path, `expected a layer like {"type": "conv2d", …}, got ${describe(value)}`);
  const type = value.type;
  const types = Object.keys(LAYER_TYPES);
  if (type === undefined) return report(`${path}.type`, `required: one of ${types.join(', ')}`);
  if (typeof type !== 'string' || !types.includes(type)) return report(`${path}.type`, `expected one of ${types.join(', ')}, got ${describe(type)}`);
  const known = ['type', ...LAYER_TYPES[type]];
  for (const key of Object.keys(value)) if (!known.includes(key)) report(`${path}.${fieldName(key)}`, unknownField(key, known));
  const at = (name: string) => `${path}.${name}`;
  const needsMap = () => (shape.length === 4 ? true : report(path, `a ${type} layer takes a map ${MAP}, but the layer before gives [${shape.join('][')}]`));
  switch (type) {
    case 'conv2d':
      return needsMap() && readConv2d(value, at, shape, report, errorCount);
    case 'conv_transpose2d':
      return needsMap() && readConvTranspose2d(value, at, shape, report, errorCount);
    case 'max_pool':
    case 'avg_pool': {
      if (!needsMap()) return undefined;
      if (value.size === undefined) return report(at('size'), 'required: an integer or [h, w]');
      const windowSize = readPair(value.size, at('size'), 1, 1, report);
      const stride = value.stride === undefined ? windowSize : readPair(value.stride, at('stride'), 1, 1, report);
      if (!windowSize || !stride) return undefined;
      if (windowSize[0] > shape[2] || windowSize[1] > shape[3]) return report(at('size'), `the ${windowSize[0]}×${windowSize[1]} window is larger than the ${shape[2]}×${shape[3]} map it pools`);
      const pool = { type: type === 'max_pool' ? ('max' as const) : ('avg' as const), size: windowSize, stride };
      return { layer: { type: 'pool', pool }, shape: [shape[0], shape[1], ...pooledExtent(pool, shape[2], shape[3])] };
    }
    case 'batch_norm2d':
      return needsMap() && readBatchNorm(value, at, shape, report);
    case 'flatten':
      if (shape.length < 2) return report(path, 'a flatten layer takes [N][…]');
      return { layer: { type: 'flatten' }, shape: [shape[0], size(shape.slice(1))] };
    case 'linear':
      return readLinear(value, at, path, shape, report, errorCount);
    case 'activation': {
      if (value.expression === undefined) return report(at('expression'), 'required: a formula in x, as a string');
      const expression = readExpression({ expression: value.expression }, path, 'x', ['x'], report);
      return expression && { layer: { type: 'activation', written: type, activation: expressionActivation(expression) }, shape: [...shape] };
    }
    default: {
      // relu, leaky_relu, sigmoid, tanh, gelu: the flat form's named activations.
      const slope = value.negative_slope === undefined ? rational(1, 100) : readNumber(value.negative_slope, at('negative_slope'), report);
      const rules = NAMED_ACTIVATIONS.find((a) => a.type === type)!;
      return slope && { layer: { type: 'activation', written: type, activation: rules.read({ negative_slope: slope }) }, shape: [...shape] };
    }
  }
}

/** The weights of a layer: an array of exactly these dimensions, as a tensor of that shape. */
function readWeights(value: JsonValue | undefined, path: string, names: string, dims: number, report: Report, errorCount: () => number): Tensor<Rational> | undefined {
  const read = readTensor(value, path, [dims], report, errorCount, { [dims]: names });
  return read && { shape: read.tensor.shape.slice(4 - dims), data: read.tensor.data };
}

/** A vector of n entries, a bias or a batch norm's γ or β ([n]; a number where n is 1, as the flat form's bias allows). */
function readVector(value: JsonValue | undefined, path: string, n: number, what: string, report: Report): Tensor<Rational> | undefined {
  if (value === undefined) return undefined;
  const entries = Array.isArray(value) ? value : n === 1 ? [value] : report(path, `expected [${what}] = ${n} entries, got ${describe(value)}`);
  if (!entries) return undefined;
  if (entries.length !== n) return report(path, `expected one entry per ${what} (${n}), got ${entries.length}`);
  const data = entries.map((v, i) => readNumber(v, Array.isArray(value) ? `${path}[${i}]` : path, report));
  return data.every((v) => v !== undefined) ? { shape: [n], data: data as Rational[] } : undefined;
}

type Field = (name: string) => string;

function readConv2d(value: JsonObject, at: Field, [batch, channels, rows, cols]: readonly number[], report: Report, errorCount: () => number): { layer: Layer; shape: number[] } | undefined {
  const kernel = readWeights(value.kernel, at('kernel'), '[C_out][C_in/groups][kh][kw]', 4, report, errorCount);
  const groups = value.groups === undefined ? 1 : readInteger(value.groups, at('groups'), 1, report);
  const stride = readPair(value.stride, at('stride'), 1, 1, report);
  const dilation = readPair(value.dilation, at('dilation'), 1, 1, report);
  const padding = readPadding(value.padding, report, at('padding'));
  const paddingMode = readPaddingMode(value.padding_mode, report, at('padding_mode'));
  if (!kernel || groups === undefined || !stride || !dilation || !padding || !paddingMode) return undefined;
  const [outChannels, perGroup, kRows, kCols] = kernel.shape;
  if (channels % groups !== 0) return report(at('groups'), `${groups} does not divide the input's ${channels} channel${channels === 1 ? '' : 's'}`);
  if (outChannels % groups !== 0) return report(at('groups'), `${groups} does not divide the kernel's ${outChannels} output channel${outChannels === 1 ? '' : 's'}`);
  if (perGroup * groups !== channels) return report(at('kernel'), `its second dimension is C_in/groups = ${channels}/${groups} = ${channels / groups}, got ${perGroup}`);
  const bias = readVector(value.bias, at('bias'), outChannels, 'C_out', report);
  if (value.bias !== undefined && !bias) return undefined;
  if (padding.spec === 'same' && (stride[0] !== 1 || stride[1] !== 1)) return report(at('padding'), '"same" needs stride 1 (as in PyTorch)');
  const sides = padding.spec === 'same' ? samePadding({ shape: [1, 1, kRows, kCols], data: [] }, dilation) : padding.padding;
  const before = errorCount();
  checkPaddingMode({ shape: [batch, channels, rows, cols] }, sides, paddingMode, report, at('padding'));
  if (errorCount() !== before) return undefined;
  const padded = [rows + sides.top + sides.bottom, cols + sides.left + sides.right];
  const spans = [dilation[0] * (kRows - 1) + 1, dilation[1] * (kCols - 1) + 1];
  if (spans[0] > padded[0] || spans[1] > padded[1]) return report(at('kernel'), `the kernel spans ${spans[0]}×${spans[1]} cells (dilation included), more than the padded input's ${padded[0]}×${padded[1]}`);
  const layer: Layer = { type: 'conv2d', kernel, ...(bias ? { bias } : {}), stride, padding: sides, paddingSpec: padding.spec, paddingMode, dilation, groups };
  return { layer, shape: [batch, outChannels, outputExtent(padded[0], kRows, stride[0], dilation[0]), outputExtent(padded[1], kCols, stride[1], dilation[1])] };
}

function readConvTranspose2d(value: JsonObject, at: Field, [batch, channels, rows, cols]: readonly number[], report: Report, errorCount: () => number): { layer: Layer; shape: number[] } | undefined {
  const kernel = readWeights(value.kernel, at('kernel'), '[C_in][C_out/groups][kh][kw]', 4, report, errorCount);
  const groups = value.groups === undefined ? 1 : readInteger(value.groups, at('groups'), 1, report);
  const stride = readPair(value.stride, at('stride'), 1, 1, report);
  const dilation = readPair(value.dilation, at('dilation'), 1, 1, report);
  const padding = readPair(value.padding, at('padding'), 0, 0, report);
  const outputPadding = readPair(value.output_padding, at('output_padding'), 0, 0, report);
  if (!kernel || groups === undefined || !stride || !dilation || !padding || !outputPadding) return undefined;
  const [inChannels, perGroup, kRows, kCols] = kernel.shape;
  if (inChannels !== channels) return report(at('kernel'), `its first dimension is the input's channels C_in = ${channels}, got ${inChannels}`);
  if (channels % groups !== 0) return report(at('groups'), `${groups} does not divide the input's ${channels} channel${channels === 1 ? '' : 's'}`);
  const outChannels = perGroup * groups;
  // PyTorch: "output padding must be smaller than either stride or dilation"
  for (const axis of [0, 1] as const) {
    if (!outputPaddingFits({ outputPadding, stride, dilation }, axis)) {
      return report(at('output_padding'), `must be smaller than the stride or the dilation (as in PyTorch), got ${outputPadding[axis]} with stride ${stride[axis]} and dilation ${dilation[axis]}`);
    }
  }
  const bias = readVector(value.bias, at('bias'), outChannels, 'C_out', report);
  if (value.bias !== undefined && !bias) return undefined;
  const out = [transposedOutputExtent(rows, kRows, stride[0], padding[0], outputPadding[0], dilation[0]), transposedOutputExtent(cols, kCols, stride[1], padding[1], outputPadding[1], dilation[1])];
  if (out[0] < 1 || out[1] < 1) return report(at('padding'), `leaves an output of ${out[0]}×${out[1]}; (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1 must be at least 1`);
  const layer: Layer = { type: 'conv_transpose2d', kernel, ...(bias ? { bias } : {}), stride, padding, outputPadding, dilation, groups };
  return { layer, shape: [batch, outChannels, out[0], out[1]] };
}

function readBatchNorm(value: JsonObject, at: Field, shape: readonly number[], report: Report): { layer: Layer; shape: number[] } | undefined {
  const channels = shape[1];
  const weight = value.weight === undefined ? { shape: [channels], data: new Array<Rational>(channels).fill(rational(1)) } : readVector(value.weight, at('weight'), channels, 'channel C', report);
  const bias = value.bias === undefined ? { shape: [channels], data: new Array<Rational>(channels).fill(rational(0)) } : readVector(value.bias, at('bias'), channels, 'channel C', report);
  const eps = value.eps === undefined ? rational(1, 100000) : readNonNegative(value.eps, at('eps'), report, true);
  if (!weight || !bias || !eps) return undefined;
  // PyTorch in training mode: "Expected more than 1 value per channel when training"
  const perChannel = valuesPerChannel(shape);
  if (perChannel < 2) return report(at('type'), `training-mode batch norm needs more than one value per channel (N·H·W = ${perChannel}), as in PyTorch`);
  return { layer: { type: 'batch_norm2d', weight, bias, eps }, shape: [...shape] };
}

function readLinear(value: JsonObject, at: Field, path: string, shape: readonly number[], report: Report, errorCount: () => number): { layer: Layer; shape: number[] } | undefined {
  if (shape.length !== 2) return report(path, `a linear layer takes [N][in], but the layer before gives [${shape.join('][')}]; put a flatten before it`);
  const weight = readWeights(value.weight, at('weight'), '[out][in]', 2, report, errorCount);
  if (!weight) return undefined;
  if (weight.shape[1] !== shape[1]) return report(at('weight'), `its second dimension is the ${shape[1]} inputs the layer before gives, got ${weight.shape[1]}`);
  const bias = readVector(value.bias, at('bias'), weight.shape[0], 'output', report);
  if (value.bias !== undefined && !bias) return undefined;
  return { layer: { type: 'linear', weight, ...(bias ? { bias } : {}) }, shape: [shape[0], weight.shape[0]] };
}

/** A number for head sum/mean; the last layer's output for head none; class indices [N] for cross_entropy. */
function readNetworkTarget(value: JsonValue | undefined, head: Head, loss: NetworkLoss, last: readonly number[], report: Report, errorCount: () => number): Tensor<Rational> | undefined {
  const written = `[${last.join('][')}]`;
  if (loss.type === 'cross_entropy') {
    if (head !== 'none') return report('head', 'cross_entropy compares the scores of each class: it takes head "none"');
    if (last.length !== 2) return report('loss', `cross_entropy takes the scores [N][classes], but the last layer gives ${written}; end with a flatten or a linear layer`);
    const [batch, classes] = last;
    if (value === undefined) return report('target', `required: ${batch} class ${batch === 1 ? 'index' : 'indices'} [N] from 0 to ${classes - 1}`);
    if (!Array.isArray(value) || value.length !== batch) return report('target', `expected ${batch} class ${batch === 1 ? 'index' : 'indices'} [N] from 0 to ${classes - 1}, got ${Array.isArray(value) ? `${value.length} entries` : describe(value)}`);
    const data = value.map((v, n) => readInteger(v, `target[${n}]`, 0, report, classes - 1));
    return data.every((v) => v !== undefined) ? { shape: [batch], data: (data as number[]).map((c) => rational(c)) } : undefined;
  }
  if (value === undefined) return report('target', head === 'none' ? `required: an array shaped like the prediction, ${written}` : 'required: the value the prediction S is compared with');
  if (head !== 'none') {
    const t = readNumber(value, 'target', report);
    return t && { shape: [], data: [t] };
  }
  if (!Array.isArray(value)) return report('target', `with head "none" the target is an array shaped like the prediction, ${written}, got ${describe(value)}`);
  return readTensorOfShape(value, 'target', last, report, errorCount);
}

/** An array of exactly this shape, row-major. */
function readTensorOfShape(value: JsonValue, path: string, shape: readonly number[], report: Report, errorCount: () => number): Tensor<Rational> | undefined {
  const written = `[${shape.join('][')}]`;
  const before = errorCount();
  const data: Rational[] = [];
  const walk = (v: JsonValue, depth: number, where: string): void => {
    if (depth === shape.length) {
      const r = readNumber(v, where, report);
      if (r) data.push(r);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) return void report(where, `expected ${shape[depth]} entries (the prediction is ${written}), got ${Array.isArray(v) ? v.length : describe(v)}`);
    for (let i = 0; i < v.length && errorCount() - before < 20; i++) walk(v[i], depth + 1, `${where}[${i}]`);
  };
  walk(value, 0, path);
  return errorCount() === before ? { shape, data } : undefined;
}
