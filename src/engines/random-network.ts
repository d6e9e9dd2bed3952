// Random network problems over every layer type and option of the contract's "Networks: layers",
// reproducible from a seed: small shapes, every layer's options, every loss and optimizer. Numbers
// are small integers and halves, sometimes fractions and decimals, written as the contract allows.
// Values fed to a sigmoid, tanh, gelu, a softmax or a batch norm are kept small, so that no layer
// saturates (where float64 libraries round slopes of 1 ± 10⁻¹⁶ differently).
import { generator } from '../quiz/random.js';

export type NetworkJson = Record<string, unknown>;

type Shape = number[];

const ACTIVATIONS = ['relu', 'leaky_relu', 'sigmoid', 'tanh', 'gelu', 'activation'] as const;
const EXPRESSIONS = ['x^2/2 + x', 'x^3/3 - x', 'x^2 / (1 + x^2)', 'x * tanh(x)', 'sqrt(1 + x^2)'];
const LOSS_EXPRESSIONS = ['(y - t)^4 / 4', 'sqrt(1 + (y - t)^2) - 1', 'log(1 + (y - t)^2)'];

export function randomNetwork(seed: number): NetworkJson {
  const random = generator(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const chance = (p: number) => random() < p;
  const entry = (): number | string => {
    const kind = random();
    if (kind < 0.65) return int(-3, 3);
    if (kind < 0.8) return `${int(-5, 5)}/2`;
    if (kind < 0.9) return `${int(-9, 9)}/${pick([3, 4, 5])}`;
    return `${pick(['', '-'])}0.${int(1, 9)}${pick(['', '5'])}`;
  };
  const small = () => `${int(-4, 4)}/${pick([8, 10, 16])}`;
  const nested = (shape: readonly number[], leaf: () => unknown): unknown => (shape.length === 0 ? leaf() : Array.from({ length: shape[0] }, () => nested(shape.slice(1), leaf)));
  const pair = (lo: number, hi: number) => (chance(0.7) ? int(lo, hi) : [int(lo, hi), int(lo, hi)]);
  const both = (v: number | number[]) => (Array.isArray(v) ? v : [v, v]);

  for (;;) {
    // A network whose values stay small feeds the smooth layers; one with integers exercises the exact path.
    const gentle = chance(0.5);
    const value = gentle ? small : entry;
    const batch = int(1, 3);
    const channels = int(1, 3);
    const inputShape: Shape = [batch, channels, int(3, 7), int(3, 7)];
    let shape = [...inputShape];
    const layers: Record<string, unknown>[] = [];
    const count = int(1, 5);
    let sound = true;
    for (let l = 0; l < count && sound; l++) {
      const map = shape.length === 4;
      const kinds = map ? ['conv2d', 'conv2d', 'conv_transpose2d', 'activation', 'activation', 'max_pool', 'avg_pool', 'batch_norm2d', 'flatten'] : ['linear', 'linear', 'activation', 'flatten'];
      const kind = pick(kinds);
      const next = addLayer(kind, shape);
      if (!next) sound = false;
      else shape = next;
    }
    if (!sound) continue;
    if (shape.reduce((a, b) => a * b, 1) > 400) continue;

    // The end: cross-entropy on [N][classes] scores (often through a linear layer), or a flat-form loss.
    if (shape.length === 4 && chance(0.3)) {
      layers.push({ type: 'flatten' });
      shape = [shape[0], shape[1] * shape[2] * shape[3]];
    }
    const crossEntropy = shape.length === 2 && chance(0.6);
    if (crossEntropy && chance(0.5)) {
      const classes = int(2, 4);
      layers.push({ type: 'linear', weight: nested([classes, shape[1]], small), ...(chance(0.7) ? { bias: nested([classes], small) } : {}) });
      shape = [shape[0], classes];
    }
    if (crossEntropy && shape[1] < 2) continue;
    // torch.optim needs a parameter: a network of activations and pooling alone is drawn again.
    if (!layers.some((layer) => ['conv2d', 'conv_transpose2d', 'batch_norm2d', 'linear'].includes(layer.type as string))) continue;
    const lastIsSigmoid = layers[layers.length - 1]?.type === 'sigmoid';
    const head = crossEntropy ? 'none' : pick(['sum', 'mean', 'none'] as const);
    const bceFits = lastIsSigmoid && head !== 'sum';
    const loss = crossEntropy ? 'cross_entropy' : pick(['mse', 'mse', 'l1', 'smooth_l1', 'huber', 'expression', ...(bceFits ? ['bce', 'bce'] : [])]);
    const target = crossEntropy
      ? Array.from({ length: shape[0] }, () => int(0, shape[1] - 1))
      : head === 'none'
        ? nested(shape, loss === 'bce' ? () => pick([0, 1, '1/2', '0.25']) : value)
        : loss === 'bce' ? pick([0, 1, '0.5']) : value();
    const problem: NetworkJson = { input: nested(inputShape.slice(chance(0.2) && batch === 1 ? (channels === 1 && chance(0.5) ? 2 : 1) : 0), value), layers, head, target };
    if (loss === 'expression') problem.loss = { expression: pick(LOSS_EXPRESSIONS) };
    else if (loss !== 'mse' || chance(0.3)) problem.loss = loss;
    if (loss === 'smooth_l1') problem.beta = pick(['1', '0.5', '2']);
    if (loss === 'huber') problem.delta = pick(['1', '0.5', '3']);
    if (chance(0.5)) problem.reduction = pick(['mean', 'sum']);
    problem.optimizer = randomOptimizer(pick, chance);
    if (chance(0.3)) problem.steps = int(2, 3);
    return problem;

    /** Adds a layer of this kind after a tensor of this shape; its output shape, or undefined where it does not fit. */
    function addLayer(kind: string, s: Shape): Shape | undefined {
      const [n, c, h, w] = s;
      if (kind === 'conv2d') {
        const groups = pick([1, 1, ...[2, 3].filter((g) => c % g === 0)]);
        const out = groups * int(1, 2);
        const [kh, kw] = [int(1, 3), int(1, 3)];
        const stride = pair(1, 2);
        const dilation = chance(0.7) ? 1 : pair(1, 2);
        const [sh, sw] = both(stride);
        const [dh, dw] = both(dilation);
        const padding = sh === 1 && sw === 1 && chance(0.2) ? 'same' : chance(0.5) ? 0 : pair(0, 1);
        const mode = pick(['zeros', 'zeros', 'reflect', 'replicate', 'circular']);
        const pads = padding === 'same' ? [dh * (kh - 1), dw * (kw - 1)].map((t) => Math.ceil(t / 2)) : both(padding as number | number[]);
        if (mode === 'reflect' && (pads[0] >= h || pads[1] >= w)) return undefined;
        if (mode === 'circular' && (pads[0] > h || pads[1] > w)) return undefined;
        const padded = padding === 'same' ? [h + dh * (kh - 1), w + dw * (kw - 1)] : [h + 2 * pads[0], w + 2 * pads[1]];
        const size = [Math.floor((padded[0] - dh * (kh - 1) - 1) / sh) + 1, Math.floor((padded[1] - dw * (kw - 1) - 1) / sw) + 1];
        if (size[0] < 1 || size[1] < 1) return undefined;
        const layer: Record<string, unknown> = { type: 'conv2d', kernel: nested([out, c / groups, kh, kw], value) };
        if (chance(0.6)) layer.bias = nested([out], value);
        if (sh !== 1 || sw !== 1 || chance(0.1)) layer.stride = stride;
        if (padding !== 0 || chance(0.1)) layer.padding = padding;
        if (mode !== 'zeros') layer.padding_mode = mode;
        if (dh !== 1 || dw !== 1) layer.dilation = dilation;
        if (groups > 1) layer.groups = groups;
        layers.push(layer);
        return [n, out, size[0], size[1]];
      }
      if (kind === 'conv_transpose2d') {
        const groups = pick([1, 1, ...[2, 3].filter((g) => c % g === 0)]);
        const out = groups * int(1, 2);
        const [kh, kw] = [int(1, 3), int(1, 3)];
        const stride = pair(1, 2);
        const dilation = chance(0.8) ? 1 : pair(1, 2);
        const [sh, sw] = both(stride);
        const [dh, dw] = both(dilation);
        const padding = chance(0.6) ? 0 : pair(0, 1);
        const [ph, pw] = both(padding);
        const outputPadding = chance(0.7) ? 0 : [int(0, Math.max(sh, dh) - 1), int(0, Math.max(sw, dw) - 1)];
        const [oh, ow] = both(outputPadding);
        const size = [(h - 1) * sh - 2 * ph + dh * (kh - 1) + oh + 1, (w - 1) * sw - 2 * pw + dw * (kw - 1) + ow + 1];
        if (size[0] < 1 || size[1] < 1 || size[0] > 12 || size[1] > 12) return undefined;
        const layer: Record<string, unknown> = { type: 'conv_transpose2d', kernel: nested([c, out / groups, kh, kw], value) };
        if (chance(0.6)) layer.bias = nested([out], value);
        if (sh !== 1 || sw !== 1) layer.stride = stride;
        if (ph !== 0 || pw !== 0) layer.padding = padding;
        if (oh !== 0 || ow !== 0) layer.output_padding = outputPadding;
        if (dh !== 1 || dw !== 1) layer.dilation = dilation;
        if (groups > 1) layer.groups = groups;
        layers.push(layer);
        return [n, out, size[0], size[1]];
      }
      if (kind === 'activation') {
        const type = pick(ACTIVATIONS);
        // A smooth layer after values that may be large saturates: only where the network keeps them small.
        if (!gentle && ['sigmoid', 'tanh', 'gelu', 'activation'].includes(type)) return undefined;
        layers.push(type === 'activation' ? { type, expression: pick(EXPRESSIONS) } : type === 'leaky_relu' && chance(0.6) ? { type, negative_slope: pick(['0.2', '1/4', 0.5]) } : { type });
        return [...s];
      }
      if (kind === 'max_pool' || kind === 'avg_pool') {
        const size = pair(1, 3);
        const [kh, kw] = both(size);
        if (kh > h || kw > w) return undefined;
        const stride = chance(0.5) ? undefined : pair(1, 2);
        const [sh, sw] = stride === undefined ? [kh, kw] : both(stride);
        layers.push({ type: kind, size, ...(stride === undefined ? {} : { stride }) });
        return [n, c, Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1];
      }
      if (kind === 'batch_norm2d') {
        if (n * h * w < 2 || !gentle) return undefined;
        const layer: Record<string, unknown> = { type: kind };
        if (chance(0.6)) layer.weight = nested([c], () => pick([1, '1/2', 2, '3/4']));
        if (chance(0.6)) layer.bias = nested([c], small);
        if (chance(0.3)) layer.eps = pick(['0.001', '1e-5', '1/4']);
        layers.push(layer);
        return [n, c, h, w];
      }
      if (kind === 'flatten') {
        layers.push({ type: 'flatten' });
        return [n, s.slice(1).reduce((a, b) => a * b, 1)];
      }
      // linear after [N][in]
      const out = int(1, 4);
      layers.push({ type: 'linear', weight: nested([out, c], value), ...(chance(0.6) ? { bias: nested([out], value) } : {}) });
      return [n, out];
    }
  }
}

/** An optimizer of torch.optim with random settings, each left at its default half of the time. */
function randomOptimizer(pick: <T>(items: readonly T[]) => T, chance: (p: number) => boolean): Record<string, unknown> {
  const type = pick(['sgd', 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const);
  const o: Record<string, unknown> = { type };
  const maybe = (key: string, value: () => unknown) => {
    if (chance(0.5)) o[key] = value();
  };
  maybe('lr', () => pick(['0.01', '0.1', '1/4', '0.001']));
  maybe('weight_decay', () => pick([0, '0.1', '1/100']));
  if (type === 'sgd') {
    maybe('momentum', () => pick([0, '0.9', '1/2']));
    if (chance(0.3)) Object.assign(o, { momentum: '0.9', dampening: 0, nesterov: true });
  } else if (type === 'rmsprop') {
    maybe('alpha', () => pick(['0.99', '1/2']));
    maybe('momentum', () => pick([0, '0.9']));
    maybe('centered', () => chance(0.5));
  } else if (type === 'adagrad') {
    maybe('lr_decay', () => pick([0, '0.1']));
    maybe('initial_accumulator_value', () => pick([0, '0.1']));
  } else {
    maybe('betas', () => [pick(['0.9', '0.5']), pick(['0.999', '0.9'])]);
    maybe('amsgrad', () => chance(0.5));
  }
  return o;
}
