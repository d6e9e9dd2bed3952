// The shapes through a network of layers as the problem file writes it (problem-format.md, "Networks"),
// and the editor's rule that keeps a network consistent after an edit of shape: every layer's
// parameters take the input dimension the layer before gives, and the target follows the prediction.
// convgrad's parser is the judge of the problem; this only keeps the editor's edits from breaking it.
import { as4d, depth, isObject, pair, type Json, type ProblemJson } from './problem-json.js';

/** [N, C, H, W] between convolutions, [N, F] after a flatten. */
export type Shape = readonly number[];

/** The layers of a network problem, in order; one that is not an object is left to the parser's messages. */
function layersOf(problem: ProblemJson): Json[] {
  return Array.isArray(problem.layers) ? problem.layers : [];
}

/** The input as [N, C, H, W]: [H][W] is N = C = 1, [C][H][W] is N = 1. */
export function inputShape(problem: ProblemJson): Shape | undefined {
  const planes = as4d(problem.input);
  const plane = planes?.[0]?.[0];
  if (!planes || !Array.isArray(plane) || !Array.isArray(plane[0])) return undefined;
  return [planes.length, planes[0].length, plane.length, plane[0].length];
}

/** A dimension of a tensor: its length at that depth, following first entries. */
function dimension(value: Json | undefined, at: number): number | undefined {
  let v = value;
  for (let k = 0; k < at; k++) v = Array.isArray(v) ? v[0] : undefined;
  return Array.isArray(v) ? v.length : undefined;
}

/**
 * The output shape of one layer on an input of `shape`, as PyTorch's modules give it:
 * conv2d  H' = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1 (padding "same": H', "valid": p = 0);
 * conv_transpose2d  H' = (H − 1)s − 2p + d(k − 1) + output_padding + 1, C' = (C_out/groups)·groups;
 * pooling  H' = ⌊(H − k)/s⌋ + 1;  flatten  [N, C·H·W];  linear  [N, out];  the rest keep the shape.
 */
export function layerOutput(shape: Shape, layer: { [key: string]: Json }): Shape | undefined {
  const [n, c, height, width] = shape;
  const spatial = shape.length === 4;
  switch (layer.type) {
    case 'conv2d': {
      const [out, kh, kw] = [dimension(layer.kernel, 0), dimension(layer.kernel, 2), dimension(layer.kernel, 3)];
      if (!spatial || !out || !kh || !kw) return undefined;
      if (layer.padding === 'same') return [n, out, height, width];
      const [s, d, p] = [pair(layer.stride, 1), pair(layer.dilation, 1), layer.padding === 'valid' ? [0, 0] : pair(layer.padding, 0)];
      return [n, out, Math.floor((height + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0]) + 1, Math.floor((width + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1]) + 1];
    }
    case 'conv_transpose2d': {
      const [perGroup, kh, kw] = [dimension(layer.kernel, 1), dimension(layer.kernel, 2), dimension(layer.kernel, 3)];
      if (!spatial || !perGroup || !kh || !kw) return undefined;
      const [s, d, p, o] = [pair(layer.stride, 1), pair(layer.dilation, 1), pair(layer.padding, 0), pair(layer.output_padding, 0)];
      const groups = typeof layer.groups === 'number' ? layer.groups : 1;
      return [n, perGroup * groups, (height - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + o[0] + 1, (width - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + o[1] + 1];
    }
    case 'max_pool':
    case 'avg_pool': {
      if (!spatial) return undefined;
      const size = pair(layer.size, 1);
      const stride = layer.stride === undefined ? size : pair(layer.stride, 1);
      return [n, c, Math.floor((height - size[0]) / stride[0]) + 1, Math.floor((width - size[1]) / stride[1]) + 1];
    }
    case 'flatten':
      return spatial ? [n, c * height * width] : shape;
    case 'linear': {
      const out = dimension(layer.weight, 0);
      return out ? [n, out] : undefined;
    }
    default:
      return shape;
  }
}

/** The shape each layer takes in, and the network's output shape last; undefined from where a shape cannot be told. */
export function networkShapes(problem: ProblemJson): (Shape | undefined)[] {
  const shapes: (Shape | undefined)[] = [inputShape(problem)];
  for (const layer of layersOf(problem)) {
    const before = shapes[shapes.length - 1];
    const after = before && isObject(layer) ? layerOutput(before, layer) : undefined;
    shapes.push(after && after.every((d) => Number.isInteger(d) && d > 0) ? after : undefined);
  }
  return shapes;
}

/** value refilled to shape: entries kept where both have them, `fill` elsewhere. */
export function refit(value: Json | undefined, shape: readonly number[], fill: Json = 0): Json {
  if (shape.length === 0) return Array.isArray(value) || value === undefined ? fill : value;
  const old = Array.isArray(value) ? value : [];
  return Array.from({ length: shape[0] }, (_, k) => refit(old[k], shape.slice(1), fill));
}

const sameShape = (value: Json | undefined, shape: readonly number[]): boolean => {
  if (shape.length === 0) return !Array.isArray(value);
  return Array.isArray(value) && value.length === shape[0] && value.every((v) => sameShape(v, shape.slice(1)));
};

/** Sets holder[key] to its value refitted to shape, when it is not that shape already; says whether it changed. */
function fit(holder: { [key: string]: Json }, key: string, shape: readonly number[], fill: Json = 0): boolean {
  if (sameShape(holder[key], shape)) return false;
  holder[key] = refit(holder[key], shape, fill);
  return true;
}

/**
 * After an edit of shape: each layer's parameters take the channels or features the layer before gives
 * (conv2d's kernel C_in/groups, conv_transpose2d's kernel C_in, batch norm's weight and bias C, linear's
 * weight columns), and the target the prediction's shape (cross-entropy: N class indices). Entries are
 * kept where both shapes have them; new ones are 0 (batch norm's weight 1). Says whether anything changed.
 */
export function fitNetwork(problem: ProblemJson): boolean {
  let changed = false;
  const shapes = networkShapes(problem);
  layersOf(problem).forEach((layer, i) => {
    const shape = shapes[i];
    if (!shape || !isObject(layer)) return;
    const groups = typeof layer.groups === 'number' && layer.groups > 0 ? layer.groups : 1;
    const [k0, k1, kh, kw] = [0, 1, 2, 3].map((a) => dimension(layer.kernel, a));
    if (layer.type === 'conv2d' && shape.length === 4 && k0 && kh && kw && Number.isInteger(shape[1] / groups)) changed = fit(layer, 'kernel', [k0, shape[1] / groups, kh, kw]) || changed;
    if (layer.type === 'conv_transpose2d' && shape.length === 4 && k1 && kh && kw) changed = fit(layer, 'kernel', [shape[1], k1, kh, kw]) || changed;
    if (layer.type === 'batch_norm2d' && shape.length === 4) {
      if (Array.isArray(layer.weight)) changed = fit(layer, 'weight', [shape[1]], 1) || changed;
      if (Array.isArray(layer.bias)) changed = fit(layer, 'bias', [shape[1]]) || changed;
    }
    if (layer.type === 'linear' && shape.length === 2 && dimension(layer.weight, 0)) changed = fit(layer, 'weight', [dimension(layer.weight, 0)!, shape[1]]) || changed;
  });
  // Fitting a layer's input dimension leaves every output shape as it was: the last is still shapes' last.
  const last = shapes.at(-1);
  if (!last) return changed;
  if (problem.loss === 'cross_entropy') return fit(problem, 'target', [last[0]]) || changed;
  if (problem.head === 'none') return fit(problem, 'target', last) || changed;
  return changed;
}

/** A new layer of a type, shaped for an input of `shape` (when known): PyTorch's defaults, small numbers. */
export function newLayer(type: string, shape: Shape | undefined): { [key: string]: Json } {
  const channels = shape?.length === 4 ? shape[1] : 1;
  const features = shape?.length === 2 ? shape[1] : shape ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  const identity = (size: number): Json => Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => (i === j ? 1 : 0)));
  switch (type) {
    case 'conv2d':
      return { type, kernel: [Array.from({ length: channels }, () => identity(2))], bias: [0] };
    case 'conv_transpose2d':
      return { type, kernel: Array.from({ length: channels }, () => [identity(2)]), bias: [0], stride: 2 };
    case 'leaky_relu':
      return { type, negative_slope: 0.01 };
    case 'activation':
      return { type, expression: 'x^2/2' };
    case 'max_pool':
    case 'avg_pool':
      return { type, size: 2 };
    case 'batch_norm2d':
      return { type };
    case 'linear':
      // Two outputs, not one: one class would make a cross-entropy loss 0 and every gradient 0.
      return { type, weight: [0, 1].map((o) => Array.from({ length: features }, (_, j) => (j % 2 === o ? 1 : 0))), bias: [0, 0] };
    default:
      return { type };
  }
}

export const LAYER_TYPES = ['conv2d', 'conv_transpose2d', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'gelu', 'activation', 'max_pool', 'avg_pool', 'batch_norm2d', 'flatten', 'linear'] as const;

/** The flat single-layer problem as the network it means: [conv2d, activation, pool] (problem-format.md). */
export function asNetwork(problem: ProblemJson): ProblemJson {
  const { kernel, bias, stride, padding, padding_mode, dilation, groups, activation, negative_slope, pool, ...rest } = problem;
  const conv: { [key: string]: Json } = { type: 'conv2d', kernel: (as4d(kernel) as Json) ?? kernel ?? null };
  if (bias !== undefined) conv.bias = Array.isArray(bias) ? bias : [bias];
  for (const [key, value] of Object.entries({ stride, padding, padding_mode, dilation, groups })) if (value !== undefined) conv[key] = value;
  const layers: Json[] = [conv];
  if (typeof activation === 'string') layers.push(activation === 'leaky_relu' && negative_slope !== undefined ? { type: activation, negative_slope } : { type: activation });
  else if (isObject(activation)) layers.push({ type: 'activation', expression: activation.expression ?? '' });
  if (isObject(pool)) {
    const { type, ...settings } = pool;
    layers.push({ type: `${typeof type === 'string' ? type : 'max'}_pool`, ...settings });
  }
  const { input, title, ...after } = rest;
  const network: ProblemJson = { ...(title === undefined ? {} : { title }), input: input ?? null, layers, ...after };
  // A target map keeps the batch axis with layers: [H][W] becomes [1][1][H][W].
  if (network.head === 'none' && Array.isArray(network.target)) network.target = depth(network.target) === 2 ? [[network.target]] : depth(network.target) === 3 ? [network.target] : network.target;
  return network;
}
