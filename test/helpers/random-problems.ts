// Random problems over every option convgrad supports, reproducible from a seed: small sizes, every
// tensor form, groups, padding modes, activations, pooling, heads, losses and reductions, with exact
// numbers written as JSON numbers, decimal strings and fraction strings.
export type ProblemJson = Record<string, unknown>;

export { generator } from '../../src/quiz/random.js';
import { generator } from '../../src/quiz/random.js';

/** Activations written as expressions in x, smooth everywhere (so no kink can fall on a random point). */
export const ACTIVATION_EXPRESSIONS = ['x^2/2 + x', 'x^3/3 - x', 'x^2 / (1 + x^2)', 'x * tanh(x)', 'sqrt(1 + x^2)', '(x - 1/2)^2'];
/** Losses written as expressions in y and t. */
export const LOSS_EXPRESSIONS = ['(y - t)^4 / 4', 'sqrt(1 + (y - t)^2) - 1', '(y - t)^2 * (1 + t^2)', 'log(1 + (y - t)^2)'];

export interface Options {
  /** Only the options of the foundation: one channel, zero padding, no activation, no pooling, mse. */
  readonly basic?: boolean;
  /** Every option that keeps L a quadratic in each parameter: no activation, average pooling only, mse. */
  readonly quadratic?: boolean;
  /** Every option that keeps L smooth (no kink): sigmoid, tanh, expressions; mse, bce, expressions. */
  readonly smooth?: boolean;
}

export function randomProblem(seed: number, options: Options = {}): ProblemJson {
  const random = generator(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const chance = (p: number) => random() < p;
  // An entry: mostly small integers, sometimes a decimal string or a fraction string.
  const entry = (): number | string => {
    const kind = random();
    if (kind < 0.7) return int(-5, 5);
    if (kind < 0.85) return `${int(-9, 9)}.${int(0, 9)}${int(1, 9)}`;
    return `${int(-7, 7)}/${int(1, 6)}`;
  };
  const nested = (shape: number[], leaf: () => unknown): unknown => (shape.length === 0 ? leaf() : Array.from({ length: shape[0] }, () => nested(shape.slice(1), leaf)));
  const basic = options.basic ?? false;

  for (;;) {
    const inputForm = basic ? 2 : pick([2, 2, 3, 4] as const);
    const batch = inputForm === 4 ? int(1, 2) : 1;
    const inChannels = inputForm === 2 ? 1 : int(1, 3);
    const groups = basic ? 1 : pick([1, 1, ...[2, 3].filter((g) => inChannels % g === 0)]);
    const outChannels = basic ? 1 : groups * int(1, 2);
    const kh = int(1, 3);
    const kw = int(1, 3);
    const h = int(2, 6);
    const w = int(2, 6);
    const stride = chance(0.5) ? 1 : chance(0.5) ? int(1, 3) : [int(1, 3), int(1, 3)];
    const dilation = chance(0.6) ? 1 : chance(0.5) ? 2 : [int(1, 2), int(1, 2)];
    const [sh, sw] = Array.isArray(stride) ? stride : [stride, stride];
    const [dh, dw] = Array.isArray(dilation) ? dilation : [dilation, dilation];
    const padding = sh === 1 && sw === 1 && chance(0.2) ? 'same' : chance(0.1) ? 'valid' : chance(0.4) ? 0 : chance(0.5) ? int(0, 2) : [int(0, 2), int(0, 2)];
    const mode = basic ? 'zeros' : pick(['zeros', 'zeros', 'reflect', 'replicate', 'circular'] as const);
    const pads = padding === 'same' ? [dh * (kh - 1), dw * (kw - 1)].map((t) => [Math.floor(t / 2), t - Math.floor(t / 2)]) : padding === 'valid' ? [[0, 0], [0, 0]] : (Array.isArray(padding) ? padding : [padding, padding]).map((p) => [p, p]);
    const limit = (size: number) => (mode === 'reflect' ? size - 1 : mode === 'circular' ? size : Infinity);
    if (Math.max(...pads[0]) > limit(h) || Math.max(...pads[1]) > limit(w)) continue;
    const padded = [h + pads[0][0] + pads[0][1], w + pads[1][0] + pads[1][1]];
    const out = [Math.floor((padded[0] - dh * (kh - 1) - 1) / sh) + 1, Math.floor((padded[1] - dw * (kw - 1) - 1) / sw) + 1];
    if (out[0] < 1 || out[1] < 1) continue;
    const pool = !basic && chance(0.3) ? { type: options.quadratic || options.smooth ? 'avg' as const : pick(['max', 'avg'] as const), size: int(1, 2), ...(chance(0.5) ? { stride: int(1, 2) } : {}) } : undefined;
    if (pool && (pool.size > out[0] || pool.size > out[1])) continue;
    const map = pool ? out.map((n) => Math.floor((n - pool.size) / (pool.stride ?? pool.size)) + 1) : out;

    const activationKind = basic || options.quadratic ? 'none' : options.smooth ? pick(['none', 'sigmoid', 'tanh', 'expression'] as const) : pick(['none', 'none', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'expression'] as const);
    const activation = activationKind === 'expression' ? { expression: pick(ACTIVATION_EXPRESSIONS) } : activationKind;
    const head = basic ? pick(['sum', 'mean'] as const) : pick(['sum', 'mean', 'none'] as const);
    // bce needs predictions in [0, 1]: a sigmoid, then a map head or the mean.
    const bceFits = activationKind === 'sigmoid' && (head === 'none' || head === 'mean');
    const loss = basic || options.quadratic ? 'mse' : options.smooth ? pick(['mse', ...(bceFits ? ['bce'] : []), 'expression'] as const) : pick(['mse', 'mse', 'l1', 'smooth_l1', 'huber', ...(bceFits ? ['bce', 'bce', 'bce'] : []), 'expression'] as const);
    const outputShape = inputForm === 4 ? [batch, outChannels, ...map] : inputForm === 3 || outChannels > 1 ? [outChannels, ...map] : map;
    const target = head === 'none' ? nested(outputShape, loss === 'bce' ? () => pick(['0', '1', '1/2', '0.25', 1]) : entry) : loss === 'bce' ? pick(['0', '1', '0.5']) : entry();

    const inputShape = inputForm === 2 ? [h, w] : inputForm === 3 ? [inChannels, h, w] : [batch, inChannels, h, w];
    const kernelShape = inputForm === 2 && outChannels === 1 && chance(0.7) ? [kh, kw] : [outChannels, inChannels / groups, kh, kw];
    // Where a sigmoid or tanh saturates, its slope is a few units in the last place of 1, which float64
    // libraries round differently, and bce's 1 − y loses its digits: in PyTorch as anywhere. Adam and
    // RMSprop then divide such a gradient by its own size. Keep σ small there, so answers agree to 1e-9.
    const small = () => `${int(-5, 5)}/${pick([10, 20])}`;
    const saturates = loss === 'bce' || activationKind === 'sigmoid' || activationKind === 'tanh' || activationKind === 'expression';
    const weight = saturates ? small : entry;
    const problem: ProblemJson = {
      input: nested(inputShape, weight),
      kernel: nested(kernelShape, weight),
      stride,
      padding,
      dilation,
      head,
      reduction: pick(['mean', 'sum']),
      target,
      optimizer: basic ? { type: 'sgd', lr: pick([0.01, '0.1', '1/3', 0.5, '0.001']) } : randomOptimizer(pick, chance),
    };
    if (groups > 1 || chance(0.2)) problem.groups = groups;
    if (mode !== 'zeros' || chance(0.1)) problem.padding_mode = mode;
    if (activation !== 'none' || chance(0.1)) problem.activation = activation;
    if (activationKind === 'leaky_relu') problem.negative_slope = pick(['0.01', '0.2', '1/3']);
    if (pool) problem.pool = pool;
    if (loss === 'expression') problem.loss = { expression: pick(LOSS_EXPRESSIONS) };
    else if (loss !== 'mse' || chance(0.5)) problem.loss = loss;
    if (loss === 'smooth_l1') problem.beta = pick(['1', '0.5', '2', '0']);
    if (loss === 'huber') problem.delta = pick(['1', '0.5', '3']);
    if (chance(0.5)) problem.bias = outChannels === 1 && chance(0.5) ? weight() : nested([outChannels], weight);
    if (!basic && chance(0.4)) problem.steps = int(2, 4);
    return problem;
  }
}

/** An optimizer of torch.optim with random settings, each left at its default half of the time. */
function randomOptimizer(pick: <T>(items: readonly T[]) => T, chance: (p: number) => boolean): Record<string, unknown> {
  const type = pick(['sgd', 'sgd', 'adam', 'adamw', 'rmsprop'] as const);
  const o: Record<string, unknown> = { type };
  const maybe = (key: string, value: () => unknown) => {
    if (chance(0.5)) o[key] = value();
  };
  maybe('lr', () => pick(['0.01', '0.1', '1/3', 0.5, '0.001']));
  maybe('weight_decay', () => pick([0, '0.1', '1/100', 0.5]));
  if (type === 'sgd') {
    maybe('momentum', () => pick([0, '0.9', '1/2']));
    maybe('dampening', () => pick([0, '0.1', '1/4']));
    if (chance(0.3)) {
      o.momentum = pick(['0.9', '1/2']);
      o.dampening = 0;
      o.nesterov = true;
    }
  } else if (type === 'rmsprop') {
    maybe('alpha', () => pick(['0.99', '0.9', '1/2']));
    maybe('eps', () => pick(['1e-8', '0.001']));
    maybe('momentum', () => pick([0, '0.9']));
    maybe('centered', () => chance(0.5));
  } else {
    maybe('betas', () => [pick(['0.9', '0.5', 0]), pick(['0.999', '0.9'])]);
    maybe('eps', () => pick(['1e-8', '0.001']));
    maybe('amsgrad', () => chance(0.5));
  }
  return o;
}
