// `convgrad cases`: a corpus of random problems to test another engine on, the same bytes for the
// same seed. Every option comes round: each option's values are dealt in rounds, every value once a
// round in a shuffled order, so any few dozen cases cover all padding modes, groups, dilations,
// strides that leave rows over, non-square kernels, pools, heads, losses, optimizers and several
// steps. And every case is a strong one, where a bug cannot hide: an uneven δ, no symmetry that would
// make a forgotten kernel rotation or a transpose invisible, every output channel reached, no value
// on a kink or near one (unless --kinks asks for kinks), numbers that stay well conditioned.
import { forward } from '../model/forward.js';
import { kinksOf } from '../model/kinks.js';
import { windowCells } from '../ops/pool/pool.js';
import { offset, type Tensor } from '../tensor/tensor.js';
import { parseRational, toExactString } from '../numbers/rational.js';
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';
import { parseProblem } from '../problem/parse-problem.js';
import type { Problem } from '../problem/problem.js';
import { ProblemError } from '../problem/problem-error.js';
import { generator } from '../quiz/random.js';
import { resultJson } from '../result/result-document.js';
import { solve, type Solution } from '../trajectory/train.js';
import type { JsonValue } from '../problem/json-source.js';
import { JsonNumber } from '../problem/json-source.js';
import { kinkSites } from './kinks.js';
import { vectorFiles, type VectorFile } from './vectors.js';
import { networkVectorFiles } from './network-vectors.js';
import { randomNetwork } from './random-network.js';
import { parseAnyProblemText } from '../problem/parse-problem.js';
import { networkRefusals } from '../model/network-workload.js';
import { networkResultDocument, networkResultJson } from '../result/network-document.js';
import { firstNonFinite } from '../result/result-document.js';
import { solveNetwork, type NetworkSolution } from '../trajectory/train-network.js';

/** The most cases one command writes. */
export const MAX_CASES = 100_000;

/** The kinds of kink --kinks plants, one a case in turn. */
const KINK_KINDS = ['relu', 'leaky_relu', 'max pool tie', 'l1', 'smooth_l1 with β = 0'] as const;
type KinkKind = (typeof KINK_KINDS)[number];

const ACTIVATION_EXPRESSIONS = ['x^2/2 + x', 'x^3/3 - x', 'x^2 / (1 + x^2)', 'x * tanh(x)', 'sqrt(1 + x^2)'];
const LOSS_EXPRESSIONS = ['(y - t)^4 / 4', 'sqrt(1 + (y - t)^2) - 1', 'log(1 + (y - t)^2)', '(y - t)^2 * (1 + t^2)'];

/** The options a case is built from: each dealt in rounds, or drawn at random once dealing has not worked out. */
const OPTIONS = {
  layout: ['[H][W]', '[C][H][W]', '[N][C][H][W]'],
  groups: [1, 1, 2, 3],
  padding: [0, 1, [1, 2], [2, 0], 'same', 'valid'],
  mode: ['zeros', 'reflect', 'replicate', 'circular'],
  stride: [1, 2, 3, [1, 2], [2, 1], [2, 3]],
  dilation: [1, 2, [1, 2], [2, 1]],
  kernel: [[1, 2], [2, 1], [2, 3], [3, 2], [3, 3], [2, 2], [1, 3], [3, 1]],
  activation: ['none', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'gelu', 'expression'],
  pool: ['none', 'max', 'avg'],
  head: ['none', 'none', 'sum', 'mean'],
  loss: ['mse', 'l1', 'smooth_l1', 'huber', 'bce', 'expression'],
  reduction: ['mean', 'sum'],
  optimizer: ['sgd', 'sgd momentum', 'sgd nesterov', 'adam', 'adam amsgrad', 'adamw', 'rmsprop', 'rmsprop centered', 'adagrad'],
  steps: [1, 2, 3],
  bias: ['array', 'none', 'array', 'number'],
} as const;
type Plan = { -readonly [K in keyof typeof OPTIONS]: (typeof OPTIONS)[K][number] } & { kink?: KinkKind };

/** Gives up on dealt options after this many tries and draws them at random; gives up on a case after the second limit. */
const DEALT_TRIES = 40;
const TRIES = 4000;

/** Math.imul mixing of two integers into a 32-bit seed. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 15;
  return Math.imul(h, 0x27d4eb2f) >>> 0;
}

/** case-0001 …: the name of case k (from 0) of a corpus of `count`, numbered from 1 and padded to one width. */
export function caseName(k: number, count: number): string {
  return `case-${String(k + 1).padStart(Math.max(4, String(count).length), '0')}`;
}

/** The files of a case: the normalized problem, its vectors (vectors.json and the .npy files) and its result document. */
export function caseFiles(solution: Solution, version: string): VectorFile[] {
  return [...vectorFiles(solution, version), { name: 'result.json', contents: resultJson(solution) }];
}

/** The files of a network case: the normalized network, its vectors and its result document. */
export function networkCaseFiles(solution: NetworkSolution, version: string): VectorFile[] {
  return [...networkVectorFiles(solution, version), { name: 'result.json', contents: networkResultJson(solution) }];
}

/**
 * Network case k of the corpus of `seed` (cases --networks): a random network (random-network.ts)
 * drawn from a seed mixed of both, the same for every count; a draw convgrad refuses (over a limit,
 * a value no double holds) is drawn again from the next seed.
 */
export function generateNetworkCase(seed: number, k: number): NetworkSolution {
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const parsed = parseAnyProblemText(JSON.stringify(randomNetwork(mix(mix(seed, k), 0x6e657473 + attempt))));
    if (!parsed.ok || !parsed.network || networkRefusals(parsed.network).length > 0) continue;
    try {
      const solution = solveNetwork(parsed.network);
      if (!firstNonFinite(networkResultDocument(solution))) return solution;
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
    }
  }
  throw new Error(`internal error: no network case ${k + 1} for seed ${seed} after ${TRIES} tries`);
}

/** Case k of the corpus of `seed`: the same for every count. */
export function generateCase(seed: number, k: number, kinks: boolean): Solution {
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const random = generator(mix(mix(seed, k), attempt));
    const plan = attempt < DEALT_TRIES ? dealt(seed, k, kinks) : drawn(random, kinks);
    const solution = build(plan, random);
    if (solution) return solution;
  }
  throw new Error(`internal error: no strong case ${k + 1} for seed ${seed} after ${TRIES} tries`);
}

/** Option `dimension`'s value for case k: every value once a round, in an order shuffled for each round. */
function deal<T>(values: readonly T[], seed: number, dimension: number, k: number): T {
  const random = generator(mix(mix(seed, 1_000_003 * (dimension + 1)), Math.floor(k / values.length)));
  const order = values.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return values[order[k % values.length]];
}

function dealt(seed: number, k: number, kinks: boolean): Plan {
  const plan = Object.fromEntries(Object.entries(OPTIONS).map(([key, values], d) => [key, deal<unknown>(values, seed, d, k)])) as unknown as Plan;
  return harmonize(kinks ? { ...plan, kink: deal(KINK_KINDS, seed, 99, k) } : plan);
}

function drawn(random: () => number, kinks: boolean): Plan {
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)];
  const plan = Object.fromEntries(Object.entries(OPTIONS).map(([key, values]) => [key, pick<unknown>(values)])) as unknown as Plan;
  return harmonize(kinks ? { ...plan, kink: pick(KINK_KINDS) } : plan);
}

/** The options made to fit each other (and the kink asked for): what a problem file would refuse, or a case that could not be strong. */
function harmonize(plan: Plan): Plan {
  const p = { ...plan };
  if (p.layout === '[H][W]') p.groups = 1;
  if (p.padding === 'same') p.stride = 1;
  // A padding mode shows only on a padding.
  if (p.mode !== 'zeros' && (p.padding === 0 || p.padding === 'valid')) p.padding = 1;
  // bce reads probabilities: a sigmoid, and a map or its mean.
  if (p.loss === 'bce') {
    p.activation = 'sigmoid';
    if (p.head === 'sum') p.head = 'mean';
  }
  // SGD keeps an expression's polynomial exact, and its digits multiply with every step: one step of it.
  if ((p.activation === 'expression' || p.loss === 'expression') && p.optimizer.startsWith('sgd')) p.steps = 1;
  // A sum or a mean of a map sends the same gradient to every entry: something on the way must make δ uneven.
  if (p.head !== 'none' && p.activation === 'none' && p.pool === 'none') p.pool = 'max';
  switch (p.kink) {
    case 'relu':
    case 'leaky_relu':
      // σ = 0 is planted through the bias.
      p.activation = p.kink;
      p.bias = 'array';
      if (p.loss === 'bce') p.loss = 'mse';
      break;
    case 'max pool tie':
      p.pool = 'max';
      if (p.activation !== 'none' && p.activation !== 'leaky_relu') p.activation = 'none';
      if (p.loss === 'bce') p.loss = 'mse';
      break;
    case 'l1':
    case 'smooth_l1 with β = 0':
      // y = t is planted through the target, which needs an exact prediction: a rational activation.
      p.loss = p.kink === 'l1' ? 'l1' : 'smooth_l1';
      if (!['none', 'relu', 'leaky_relu'].includes(p.activation)) p.activation = 'none';
      if (p.head !== 'none' && p.activation === 'none' && p.pool === 'none') p.pool = 'max';
      break;
  }
  return p;
}

type Json = number | string | boolean | Json[] | { [key: string]: Json };

/** The problem file of a plan, with random sizes and numbers; undefined where the sizes do not fit. */
function build(plan: Plan, random: () => number): Solution | undefined {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)];
  const pair = (v: number | readonly number[]) => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);
  // Exact numbers of a few kinds: integers, decimals, fractions no double holds; small where a
  // sigmoid, tanh or expression would otherwise saturate; integers only where a tie is to be found.
  const gentle = plan.activation === 'sigmoid' || plan.activation === 'tanh' || plan.activation === 'gelu' || plan.activation === 'expression' || plan.loss === 'expression';
  const tie = plan.kink === 'max pool tie';
  const value = (size: number, nonzero = false): string => {
    for (;;) {
      const q = tie ? 1 : pick([1, 1, 2, 4, 10, 10, 3, 5]);
      const p = int(-size * q, size * q);
      if (nonzero && p === 0) continue;
      const text = toExactString(parseRational(`${p}/${gentle ? 4 * q : q}`)!);
      return q === 10 || q === 4 || q === 2 ? decimal(text) : text;
    }
  };
  const nested = (shape: readonly number[], leaf: () => Json): Json => (shape.length === 0 ? leaf() : Array.from({ length: shape[0] }, () => nested(shape.slice(1), leaf)));

  const layout = plan.layout;
  const batch = layout === '[N][C][H][W]' ? int(1, 2) : 1;
  const inChannels = layout === '[H][W]' ? 1 : plan.groups === 1 ? int(1, 3) : plan.groups * int(1, 2);
  const outChannels = plan.groups * int(1, 2) + (layout === '[H][W]' && plan.groups === 1 ? int(0, 1) : 0);
  const [kh, kw] = plan.kernel;
  const [sh, sw] = pair(plan.stride);
  const [dh, dw] = pair(plan.dilation);
  const [h, w] = [int(3, 8), int(3, 8)];
  const pads = plan.padding === 'same' ? [dh * (kh - 1), dw * (kw - 1)].map((t) => Math.floor(t / 2) + (t % 2)) : plan.padding === 'valid' ? [0, 0] : pair(plan.padding);
  const limit = (size: number) => (plan.mode === 'reflect' ? size - 1 : plan.mode === 'circular' ? size : Infinity);
  if (pads[0] > limit(h) || pads[1] > limit(w)) return undefined;
  const padded = plan.padding === 'same' ? [h + dh * (kh - 1), w + dw * (kw - 1)] : [h + 2 * pads[0], w + 2 * pads[1]];
  const spans = [padded[0] - dh * (kh - 1) - 1, padded[1] - dw * (kw - 1) - 1];
  if (spans[0] < 0 || spans[1] < 0) return undefined;
  // A stride that leaves rows (or columns) over, where it can.
  if ((sh > 1 && spans[0] % sh === 0) || (sw > 1 && spans[1] % sw === 0)) {
    if (random() < 0.8) return undefined;
  }
  const out = [Math.floor(spans[0] / sh) + 1, Math.floor(spans[1] / sw) + 1];
  const poolSize = plan.pool === 'none' ? undefined : pick([2, 2, [2, 3], [3, 2]] as const);
  const poolStride = pick([undefined, 1, 2] as const);
  const [ph, pw] = poolSize === undefined ? [1, 1] : pair(poolSize);
  if (out[0] < ph || out[1] < pw) return undefined;
  const [psh, psw] = poolStride === undefined ? [ph, pw] : [poolStride, poolStride];
  const map = poolSize === undefined ? out : [Math.floor((out[0] - ph) / psh) + 1, Math.floor((out[1] - pw) / psw) + 1];
  const mapShape = layout === '[N][C][H][W]' ? [batch, outChannels, ...map] : layout === '[C][H][W]' || outChannels > 1 ? [outChannels, ...map] : map;

  const problem: Record<string, Json> = {
    input: nested(layout === '[H][W]' ? [h, w] : layout === '[C][H][W]' ? [inChannels, h, w] : [batch, inChannels, h, w], () => value(3)),
    kernel: nested(layout === '[H][W]' && outChannels === 1 ? [kh, kw] : [outChannels, inChannels / plan.groups, kh, kw], () => value(2, true)),
    stride: plan.stride as Json,
    padding: plan.padding as Json,
    padding_mode: plan.mode,
    dilation: plan.dilation as Json,
    groups: plan.groups,
    activation: plan.activation === 'expression' ? { expression: pick(ACTIVATION_EXPRESSIONS) } : plan.activation,
    head: plan.head,
    loss: plan.loss === 'expression' ? { expression: pick(LOSS_EXPRESSIONS) } : plan.loss,
    reduction: plan.reduction,
    target: plan.head === 'none' ? nested(mapShape, () => (plan.loss === 'bce' ? pick(['0', '0.25', '0.5', '0.8', '1']) : value(3))) : plan.loss === 'bce' ? pick(['0.25', '0.5', '0.8']) : value(6),
    optimizer: optimizer(plan.optimizer, pick),
    steps: plan.steps,
  };
  if (plan.bias === 'array') problem.bias = nested([outChannels], () => value(1));
  if (plan.bias === 'number' && outChannels === 1) problem.bias = value(1);
  if (plan.activation === 'leaky_relu') problem.negative_slope = pick(['0.01', '0.2', '1/3']);
  if (poolSize !== undefined) problem.pool = { type: plan.pool, size: poolSize as Json, ...(poolStride === undefined ? {} : { stride: poolStride }) };
  if (plan.loss === 'smooth_l1') problem.beta = plan.kink === 'smooth_l1 with β = 0' ? '0' : pick(['0.5', '1', '2']);
  if (plan.loss === 'huber') problem.delta = pick(['0.5', '1', '2']);

  // The first step decides most of a case's strength, and costs least: the later steps only for a case that passes it.
  let parsed = readCase(problem);
  let start = solveSteps(parsed, 1);
  if (start && plan.kink) {
    const planted = plant(plan.kink, problem, start, random);
    if (!planted) return undefined;
    parsed = readCase(planted);
    start = solveSteps(parsed, 1);
  }
  if (!start || !strongStart(start, plan)) return undefined;
  const solution = parsed.steps === 1 ? start : solveSteps(parsed, parsed.steps);
  return solution && strongSteps(solution, plan) ? solution : undefined;
}

/** "-7/10" → "-0.7": a decimal written as one, where the rational is one. */
function decimal(text: string): string {
  const r = parseRational(text)!;
  const d = Number(r.d);
  if (![1, 2, 4, 5, 10, 20, 25, 40, 50, 100].includes(d)) return text;
  return String(asDouble(r));
}

function optimizer(kind: Plan['optimizer'], pick: <T>(values: readonly T[]) => T): Json {
  switch (kind) {
    case 'sgd': return { type: 'sgd', lr: pick(['0.01', '0.001', '0.005']) };
    case 'sgd momentum': return { type: 'sgd', lr: pick(['0.01', '0.001']), momentum: pick(['0.9', '0.5']), dampening: pick(['0', '0.1']), weight_decay: pick(['0', '0.01']) };
    case 'sgd nesterov': return { type: 'sgd', lr: '0.005', momentum: '0.9', nesterov: true, weight_decay: pick(['0', '0.1']) };
    case 'adam': return { type: 'adam', lr: pick(['0.01', '0.05']) };
    case 'adam amsgrad': return { type: 'adam', lr: '0.02', betas: [pick(['0.9', '0.8']), pick(['0.999', '0.99'])], eps: '1e-6', weight_decay: '0.1', amsgrad: true };
    case 'adamw': return { type: 'adamw', lr: pick(['0.01', '0.05']), weight_decay: pick(['0.01', '0.1']), amsgrad: pick([false, true]) };
    case 'rmsprop': return { type: 'rmsprop', lr: pick(['0.01', '0.001']) };
    case 'rmsprop centered': return { type: 'rmsprop', lr: '0.005', alpha: pick(['0.9', '0.99']), momentum: pick(['0', '0.5']), centered: true, weight_decay: pick(['0', '0.1']) };
    case 'adagrad': return { type: 'adagrad', lr: pick(['0.01', '0.05']), lr_decay: pick(['0', '0.01']), initial_accumulator_value: pick(['0', '0.1']), weight_decay: pick(['0', '0.01']) };
  }
}

/**
 * A generated problem read as a problem file is. Its expression (from a short list) is parsed once and
 * kept: mathjs takes milliseconds to parse and differentiate one, more than the rest of a small case.
 */
function readCase(problem: Record<string, Json>): Problem {
  const isExpression = (v: Json | undefined): v is { expression: string } => typeof v === 'object' && !Array.isArray(v);
  const { activation, loss } = problem;
  const plain = { ...problem, ...(isExpression(activation) ? { activation: 'none' } : {}), ...(isExpression(loss) ? { loss: 'mse' } : {}) };
  const parsed = parseProblem(toJsonValue(plain));
  if (!parsed.ok) throw new Error(`internal error: a generated case is no valid problem: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return {
    ...parsed.problem,
    ...(isExpression(activation) ? { activation: parsedExpression('activation', activation.expression).activation } : {}),
    ...(isExpression(loss) ? { loss: parsedExpression('loss', loss.expression).loss } : {}),
  };
}

const expressions = new Map<string, Problem>();

function parsedExpression(field: 'activation' | 'loss', source: string): Problem {
  const key = `${field}:${source}`;
  if (!expressions.has(key)) {
    const parsed = parseProblem(toJsonValue({ input: [[1]], kernel: [[1]], target: 0, [field]: { expression: source } }));
    if (!parsed.ok) throw new Error(`internal error: ${field} ${source} is not valid`);
    expressions.set(key, parsed.problem);
  }
  return expressions.get(key)!;
}

/** The problem solved over its first `steps` steps; undefined where the model refuses its numbers. */
function solveSteps(problem: Problem, steps: number): Solution | undefined {
  try {
    return solve({ ...problem, steps });
  } catch (error) {
    if (error instanceof ProblemError) return undefined;
    throw error;
  }
}

function toJsonValue(value: Json): JsonValue {
  if (typeof value === 'number') return new JsonNumber(String(value));
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toJsonValue);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
}

/** The problem with its first step's forward pass put on the kink asked for; undefined where it cannot be. */
function plant(kind: KinkKind, problem: Record<string, Json>, solution: Solution, random: () => number): Record<string, Json> | undefined {
  const { forward: f } = solution.first;
  switch (kind) {
    case 'relu':
    case 'leaky_relu': {
      // σ_{n,o,i,j} = 0: the bias of channel o less that σ.
      const cell = Math.floor(random() * f.sigma.data.length);
      const o = Math.floor(cell / (f.sigma.shape[2] * f.sigma.shape[3])) % f.sigma.shape[1];
      const [sigma, bias] = [f.sigma.data[cell], solution.problem.bias];
      if (!isExact(sigma) || !bias) return undefined;
      const values = bias.values.map((b, c) => toExactString(c === o ? b.sub(sigma) : b));
      return { ...problem, bias: bias.form === 'array' ? values : values[0] };
    }
    case 'max pool tie':
      // Integers tie often: a case without a tie is drawn again.
      return problem;
    case 'l1':
    case 'smooth_l1 with β = 0': {
      // y_k = t_k: the target at one prediction takes its value (S itself for a sum or mean).
      const k = Math.floor(random() * f.prediction.data.length);
      const prediction = f.prediction.data[k];
      if (!isExact(prediction)) return undefined;
      const y = toExactString(prediction);
      const replace = (json: Json, flat: { n: number }): Json => (Array.isArray(json) ? json.map((v) => replace(v, flat)) : flat.n++ === k ? y : json);
      return { ...problem, target: problem.head === 'none' ? replace(problem.target, { n: 0 }) : y };
    }
  }
}

// Strength -------------------------------------------------------------------------------------------

/** How far from a kink a value must stay, relative to the size of its kind, so float32 and TF32 engines stay on convgrad's side. */
const KINK_MARGIN = 1e-3;

/**
 * The first step: no saturated sigmoid or tanh; δ uneven (no plane of it constant or symmetric) and
 * reaching every output channel; no symmetry in the kernel or the input that would hide a rotation,
 * a flip or a transpose; output channels with kernels that differ; the kinks asked for and no others.
 */
function strongStart(solution: Solution, plan: Plan): boolean {
  const { problem } = solution;
  const { forward: f, gradients: g } = solution.first;
  if (['sigmoid', 'tanh', 'gelu'].includes(problem.activation.type) && f.sigma.data.some((x) => Math.abs(asDouble(x)) > 6)) return false;
  const delta = planes(g.delta);
  if (new Set(g.delta.data.map(asDouble)).size < Math.min(2, g.delta.data.length)) return false;
  for (let o = 0; o < g.delta.shape[1]; o++) if (!delta.some((plane) => plane.index[1] === o && plane.values.some((x) => x !== 0))) return false;
  if ([...planes(problem.kernel), ...planes(problem.input), ...delta].some(symmetric)) return false;
  const kernels = planes(problem.kernel).map((p) => `${p.index[1]}:${p.values.join()}`);
  if (new Set(kernels).size < kernels.length) return false;
  const sites = kinkSites(solution);
  if (plan.kink ? sites.length === 0 : sites.length > 0) return false;
  return farFromKinks(problem, f, plan.kink !== undefined);
}

/**
 * Every step: the loss finite and moderate, the parameters moderate, no value on a kink or near one;
 * with Adam or RMSprop, which divide a gradient by its own size, no gradient entry 0 or vanishingly
 * small beside the others.
 */
function strongSteps(solution: Solution, plan: Plan): boolean {
  const { problem, steps } = solution;
  return steps.every((s, t) => {
    if (!Number.isFinite(asDouble(s.loss)) || Math.abs(asDouble(s.loss)) > 1e6) return false;
    if ([...s.after.kernel.data, ...(s.after.bias ?? [])].some((x) => Math.abs(asDouble(x)) > 1e3)) return false;
    const g = [...s.gradients.kernel.data, ...(s.gradients.bias ?? [])].map((x) => Math.abs(asDouble(x)));
    if (problem.optimizer.type !== 'sgd' && (Math.max(...g) === 0 || Math.min(...g) < 1e-4 * Math.max(...g))) return false;
    return t === 0 || farFromKinks(problem, forward(problem, s.before), plan.kink !== undefined);
  });
}

interface Plane {
  /** [n or o, c] */
  readonly index: readonly number[];
  readonly rows: number;
  readonly cols: number;
  readonly values: readonly number[];
}

function planes(t: Tensor<Scalar>): Plane[] {
  const [a, b, rows, cols] = t.shape;
  const size = rows * cols;
  return Array.from({ length: a * b }, (_, k) => ({ index: [Math.floor(k / b), k % b], rows, cols, values: t.data.slice(k * size, (k + 1) * size).map(asDouble) }));
}

/** A plane of several entries that reads the same turned by 180°, mirrored, or (square) transposed. */
function symmetric(p: Plane): boolean {
  if (p.values.length < 2) return false;
  const at = (r: number, c: number) => p.values[r * p.cols + c];
  const same = (move: (r: number, c: number) => number) => p.values.every((v, k) => v === move(Math.floor(k / p.cols), k % p.cols));
  return (
    same((r, c) => at(p.rows - 1 - r, p.cols - 1 - c)) ||
    (p.cols > 1 && same((r, c) => at(r, p.cols - 1 - c))) ||
    (p.rows > 1 && same((r, c) => at(p.rows - 1 - r, c))) ||
    (p.rows === p.cols && same((r, c) => at(c, r)))
  );
}

/**
 * No value within KINK_MARGIN of a kink, relative to its kind's largest size: σ beside relu's 0, the
 * two largest of a max-pool window, y beside t for l1. A value exactly on one is a kink: allowed
 * with --kinks (and found by kinkSites), refused otherwise by `strong`.
 */
function farFromKinks(problem: Problem, f: ReturnType<typeof forward>, kinks: boolean): boolean {
  if (!kinks) {
    const found = kinksOf(problem, f);
    if (found.activation.length + found.poolTies.length + found.loss.length > 0) return false;
  }
  const near = (gap: number, scale: number) => gap !== 0 && Math.abs(gap) < KINK_MARGIN * Math.max(1, scale);
  const sigma = f.sigma.data.map(asDouble);
  const f0 = problem.activation;
  if ((f0.type === 'relu' || f0.type === 'leaky_relu') && sigma.some((x) => near(x, Math.max(...sigma.map(Math.abs))))) return false;
  const pool = problem.pool;
  if (pool?.type === 'max') {
    // The largest of each window against the next largest below it.
    const a = f.activated;
    const [batch, channels, rows, cols] = f.pooled.shape;
    for (let n = 0; n < batch; n++)
      for (let c = 0; c < channels; c++)
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) {
            const values = windowCells(pool, i, j).map(([r, q]) => asDouble(a.data[offset(a.shape, [n, c, r, q])]));
            const best = Math.max(...values);
            const below = values.filter((v) => v < best);
            if (below.length > 0 && near(best - Math.max(...below), Math.abs(best))) return false;
          }
  }
  const l = problem.loss;
  if (l.type === 'l1' || (l.type === 'smooth_l1' && l.beta.equals(0))) {
    const y = f.prediction.data.map(asDouble);
    if (y.some((v, k) => near(v - asDouble(problem.target.data[problem.head === 'none' ? k : 0]), Math.abs(v)))) return false;
  }
  return true;
}
