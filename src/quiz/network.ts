// Network exercises with nice numbers, alternating between two kinds: (a) two small convolutions with
// a ReLU between, summed, mean squared error, one step of SGD; (b) a convolution, maybe a ReLU, a
// flatten and a linear layer scoring 2 or 3 classes, cross-entropy, one step of SGD. Small integers
// in; every answer of (a) a decimal of at most four places, every answer of (b) that the maths keeps
// rational (the maps and the class scores) one too: the softmax after them is not, and what follows
// from it is rounded.
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';
import { toTerminatingDecimal } from '../numbers/rational.js';
import { parseAnyProblemText } from '../problem/parse-problem.js';
import { ProblemError } from '../problem/problem-error.js';
import type { NetworkProblem } from '../problem/network.js';
import { solveNetwork, type NetworkSolution } from '../trajectory/train-network.js';
import { formatNetworkProblem } from './format.js';
import { generator } from './random.js';

export interface NetworkExercise {
  /** The problem file, as written to problem-NN.json: one matrix row of the input a line, one layer a line. */
  readonly source: string;
  readonly solution: NetworkSolution;
}

/** Every exact answer a short decimal: at most this many places. */
const PLACES = 4;
/** Draws for one exercise before giving up (never reached by the seeds tested). */
const ATTEMPTS = 20_000;

type Random = () => number;
type Json = Record<string, unknown>;

export function networkExercises(count: number, seed: number): NetworkExercise[] {
  const random = generator(seed);
  const out: NetworkExercise[] = [];
  for (let k = 0; k < count; k++) {
    let found: NetworkExercise | undefined;
    for (let attempt = 0; !found; attempt++) {
      if (attempt === ATTEMPTS) throw new Error(`internal error: no network exercise with nice numbers after ${ATTEMPTS} draws`);
      found = k % 2 === 0 ? twoConvolutions(random) : classifier(random);
    }
    out.push(found);
  }
  return out;
}

function tools(random: Random) {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const grid = (rows: number, cols: number, lo: number, hi: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => int(lo, hi)));
  // No plane of all zeros, and (for a kernel) a negative entry and a positive one: a ReLU after it then has something to do.
  const mixed = (rows: number, cols: number, lo: number, hi: number) => {
    for (;;) {
      const g = grid(rows, cols, lo, hi);
      if (g.flat().some((x) => x < 0) && g.flat().some((x) => x > 0)) return g;
    }
  };
  const someNonZero = (rows: number, cols: number, lo: number, hi: number) => {
    for (;;) {
      const g = grid(rows, cols, lo, hi);
      if (g.flat().some((x) => x !== 0)) return g;
    }
  };
  const nonZero = (lo: number, hi: number) => pick(Array.from({ length: hi - lo + 1 }, (_, i) => lo + i).filter((x) => x !== 0));
  return { int, pick, grid, mixed, someNonZero, nonZero };
}

function solved(problem: Json): { source: string; solution: NetworkSolution } | undefined {
  const source = formatNetworkProblem(problem);
  const parsed = parseAnyProblemText(source);
  if (!parsed.ok || !parsed.network) throw new Error(`internal error: a quiz network is not valid: ${parsed.ok ? 'not a network' : parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  try {
    return { source, solution: solveNetwork(parsed.network as NetworkProblem) };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return undefined;
  }
}

const short = (v: Scalar) => isExact(v) && toTerminatingDecimal(v, PLACES) !== null && v.abs().compare(10_000) < 0;

/** Every value of the first step (each layer's output and gradients, the loss) and the parameters after every step. */
function allValues(solution: NetworkSolution): Scalar[] {
  const { first, steps } = solution;
  return [
    ...first.forward.stages.flatMap((s) => s.output.data),
    first.forward.loss,
    ...first.backward.prediction.data,
    ...first.backward.stages.flatMap((s) => [...s.input.data, ...Object.values(s.parameters).flatMap((t) => t.data)]),
    ...steps.flatMap((s) => s.after.flatMap((named) => Object.values(named).flatMap((t) => t.data))),
  ];
}

/** Layer 1's kernel gradient has an entry that is not 0, and its output no entry exactly at the ReLU's kink. */
function firstLayerWorks(solution: NetworkSolution, relu: boolean): boolean {
  const conv = solution.first.forward.stages[0].output.data;
  const gradient = solution.first.backward.stages[0].parameters.kernel.data;
  const kinkFree = !relu || (conv.every((x) => asDouble(x) !== 0) && conv.some((x) => asDouble(x) < 0) && conv.some((x) => asDouble(x) > 0));
  return kinkFree && gradient.some((g) => Math.abs(asDouble(g)) > 1e-3);
}

/** No parameter's gradient all zeros (an exact 0, or ≈ 0): it would ask nothing. */
function everyGradientSays(solution: NetworkSolution): boolean {
  return solution.first.backward.stages.every((s) => Object.values(s.parameters).every((t) => t.data.some((g) => Math.abs(asDouble(g)) > 1e-6)));
}

/**
 * (a) Two convolutions with a ReLU between, head sum, mse, SGD: 4 × 4 or 5 × 5 input, kernels of
 * 2 × 2 or 3 × 3, stride and padding varying with the shape. The target is set a few units from the
 * prediction, so that the loss and the gradients stay small, and η = 0.01 keeps the updates near the
 * parameters.
 */
function twoConvolutions(random: Random): NetworkExercise | undefined {
  const { pick, mixed, someNonZero, nonZero } = tools(random);
  // [input size, layer 1 (out channels, kernel, stride, padding), layer 2 (kernel, stride, padding)]: every map at most 4 × 4.
  const shapes = [
    { size: 4, c: 1, k1: 2, s1: 1, p1: 0, k2: 2, s2: 1, p2: 0 },
    { size: 4, c: 2, k1: 2, s1: 1, p1: 0, k2: 2, s2: 1, p2: 0 },
    { size: 4, c: 1, k1: 3, s1: 1, p1: 1, k2: 2, s2: 2, p2: 0 },
    { size: 5, c: 1, k1: 3, s1: 2, p1: 1, k2: 2, s2: 1, p2: 0 },
    { size: 5, c: 1, k1: 3, s1: 1, p1: 0, k2: 2, s2: 1, p2: 0 },
    { size: 5, c: 1, k1: 2, s1: 2, p1: 0, k2: 2, s2: 1, p2: 1 },
  ] as const;
  const shape = pick(shapes);
  const conv = (s: number, p: number, extra: Json) => ({ type: 'conv2d', ...extra, ...(s === 1 ? {} : { stride: s }), ...(p === 0 ? {} : { padding: p }) });
  const input = someNonZero(shape.size, shape.size, 0, 3);
  const first = conv(shape.s1, shape.p1, { kernel: Array.from({ length: shape.c }, () => [mixed(shape.k1, shape.k1, -1, 2)]), bias: Array.from({ length: shape.c }, () => nonZero(-2, 1)) });
  const second = conv(shape.s2, shape.p2, { kernel: [Array.from({ length: shape.c }, () => someNonZero(shape.k2, shape.k2, -1, 2))], bias: [nonZero(-1, 1)] });
  const problem = (target: number): Json => ({ input, layers: [first, { type: 'relu' }, second], head: 'sum', loss: 'mse', target, optimizer: { type: 'sgd', lr: 0.01 } });
  // First with any target, to read the prediction S; then the target a few units off it.
  const probe = solved(problem(0));
  if (!probe) return undefined;
  const S = asDouble(probe.solution.first.forward.prediction.data[0]);
  if (!Number.isInteger(S) || Math.abs(S) > 60) return undefined;
  const found = solved(problem(S + nonZero(-3, 3)));
  if (!found || !firstLayerWorks(found.solution, true) || !everyGradientSays(found.solution)) return undefined;
  return allValues(found.solution).every(short) ? found : undefined;
}

/**
 * (b) A convolution, a ReLU or none, a flatten and a linear layer to 2 or 3 class scores, cross-entropy,
 * SGD: the convolution makes a 2 × 2 map (4 features). The scores are integers within 4 of each other,
 * none far ahead, and the target class's probability not near 1.
 */
function classifier(random: Random): NetworkExercise | undefined {
  const { int, pick, mixed, someNonZero, nonZero } = tools(random);
  const shapes = [
    { size: 3, k: 2, s: 1, p: 0 },
    { size: 4, k: 2, s: 2, p: 0 },
    { size: 4, k: 3, s: 1, p: 0 },
    { size: 3, k: 2, s: 2, p: 1 },
  ] as const;
  const shape = pick(shapes);
  const relu = random() < 0.7;
  const classes = pick([2, 3]);
  const input = someNonZero(shape.size, shape.size, -1, 2);
  const conv = { type: 'conv2d', kernel: [[mixed(shape.k, shape.k, -1, 1)]], bias: [nonZero(-1, 1)], ...(shape.s === 1 ? {} : { stride: shape.s }), ...(shape.p === 0 ? {} : { padding: shape.p }) };
  const weight = Array.from({ length: classes }, () => mixed(1, 4, -1, 1)[0]);
  const bias = Array.from({ length: classes }, () => int(-1, 1));
  const linear = { type: 'linear', weight, ...(bias.some((b) => b !== 0) ? { bias } : {}) };
  const problem: Json = {
    input,
    layers: [conv, ...(relu ? [{ type: 'relu' }] : []), { type: 'flatten' }, linear],
    head: 'none',
    loss: 'cross_entropy',
    target: [int(0, classes - 1)],
    optimizer: { type: 'sgd', lr: pick([0.1, 0.5]) },
  };
  const found = solved(problem);
  if (!found || !firstLayerWorks(found.solution, relu)) return undefined;
  const { first } = found.solution;
  // What the maths keeps rational: every layer's output up to the scores.
  if (!first.forward.stages.every((s) => s.output.data.every(short))) return undefined;
  const scores = first.forward.prediction.data.map(asDouble);
  const spread = Math.max(...scores) - Math.min(...scores);
  if (spread === 0 || spread > 4) return undefined;
  const loss = asDouble(first.forward.loss);
  if (!(loss > 0.1 && loss < 4)) return undefined;
  // A rounded value that is float64's noise about an exact 0 (1.5 · 10^-16) would read as an answer, and
  // a parameter's gradient of nothing but zeros (≈ 0) asks nothing.
  if (!everyGradientSays(found.solution)) return undefined;
  return allValues(found.solution).every((x) => isExact(x) || x === 0 || Math.abs(x) > 1e-6) ? found : undefined;
}
