// Exercises with nice numbers: small integers in, answers that stay short decimals. Each difficulty
// allows more of the layer: easy is the seed's shape; medium adds stride, padding, a bias, the mean and
// ReLU; hard gives two input channels of 3 × 3 and varies, exercise by exercise, the padding mode, the
// pooling, the activation, the head, the loss and the optimizer.
import { isExact, type Scalar } from '../numbers/scalar.js';
import { toTerminatingDecimal } from '../numbers/rational.js';
import { parseProblemText } from '../problem/parse-problem.js';
import { solve, type Solution } from '../trajectory/train.js';
import { ProblemError } from '../problem/problem-error.js';
import { formatProblem } from './format.js';
import { generator } from './random.js';

/** The single layer's difficulties; `network` (network.ts) has exercises of several layers. */
export type LayerDifficulty = 'easy' | 'medium' | 'hard';
export type Difficulty = LayerDifficulty | 'network';
export const DIFFICULTIES: readonly Difficulty[] = ['easy', 'medium', 'hard', 'network'];

export interface Exercise {
  /** The problem file, as written to problem-NN.json: one matrix row a line. */
  readonly source: string;
  readonly solution: Solution;
}

/** Every exact answer a short decimal: at most this many places. */
const PLACES = 4;
/** Draws for one exercise before its combination of settings is given up for the next (never reached by the seeds tested). */
const ATTEMPTS = 20_000;

export function exercises(count: number, seed: number, difficulty: LayerDifficulty): Exercise[] {
  const random = generator(seed);
  // Hard exercises take their settings from rotating lists, each started at a random place.
  const offsets = Object.fromEntries(Object.entries(HARD).map(([name, list]) => [name, Math.floor(random() * list.length)])) as Record<keyof typeof HARD, number>;
  const out: Exercise[] = [];
  const optimizers: string[] = [];
  for (let k = 0; k < count; k++) {
    let found: Exercise | undefined;
    for (let attempt = 0; !found; attempt++) {
      if (attempt === ATTEMPTS) throw new Error(`internal error: no ${difficulty} exercise with nice numbers after ${ATTEMPTS} draws`);
      // After many failed draws, another optimizer, one this quiz has not had yet where there is one:
      // some (Nesterov momentum after a mean) leave no short decimals.
      const shift = Math.floor(attempt / 500);
      const problem = draw(random, difficulty, k, offsets, shift, optimizers);
      found = accept(problem);
      if (found) optimizers.push(hardOptimizerKind(problem));
    }
    out.push(found);
  }
  return out;
}

function accept(problem: Record<string, unknown>): Exercise | undefined {
  const source = formatProblem(problem);
  const parsed = parseProblemText(source);
  if (!parsed.ok) throw new Error(`internal error: a quiz problem is not valid: ${parsed.errors.map((e) => e.message).join('; ')}`);
  try {
    const solution = solve(parsed.problem);
    return nice(solution) ? { source, solution } : undefined;
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return undefined;
  }
}

/**
 * Exact, short, and not trivial: the prediction, the loss and every gradient of the first step a decimal
 * of at most PLACES places, the loss not 0, some kernel gradient not 0. The parameters after the update
 * too, but for Adam, whose square root makes them irrational (the key gives them rounded, marked ≈).
 */
function nice(solution: Solution): boolean {
  const { first } = solution;
  const short = (v: Scalar) => isExact(v) && toTerminatingDecimal(v, PLACES) !== null && v.abs().compare(100_000) < 0;
  const gradients: Scalar[] = [first.forward.loss, ...first.forward.prediction.data, ...first.gradients.kernel.data, ...first.gradients.input.data, ...(first.gradients.bias ?? [])];
  const stateless = solution.problem.optimizer.type === 'sgd';
  const later = stateless ? solution.steps.flatMap((s) => [s.loss, ...s.gradients.kernel.data, ...(s.gradients.bias ?? []), ...s.after.kernel.data, ...(s.after.bias ?? [])]) : [];
  const loss = first.forward.loss;
  return gradients.every(short) && later.every(short) && isExact(loss) && !loss.equals(0) && first.gradients.kernel.data.some((g) => isExact(g) && !g.equals(0));
}

/** What hard exercises vary over, exercise by exercise. */
const HARD = {
  padding: ['zeros', 'reflect', 'replicate', 'circular'],
  pool: ['none', 'max', 'avg'],
  activation: ['relu', 'leaky_relu', 'none'],
  head: ['sum', 'mean', 'none'],
  loss: ['mse', 'huber', 'l1', 'smooth_l1'],
  optimizer: ['momentum', 'adam', 'nesterov', 'weight_decay'],
} as const;

/** Which of HARD's optimizers a drawn problem has (none for easy and medium). */
function hardOptimizerKind(problem: Record<string, unknown>): string {
  const o = problem.optimizer as Record<string, unknown>;
  return o.type === 'adam' ? 'adam' : o.nesterov ? 'nesterov' : o.weight_decay ? 'weight_decay' : o.momentum ? 'momentum' : 'sgd';
}

function draw(random: () => number, difficulty: LayerDifficulty, index: number, offsets: Record<keyof typeof HARD, number>, shift: number, taken: readonly string[]): Record<string, unknown> {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const grid = (rows: number, cols: number, lo: number, hi: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => int(lo, hi)));
  // No plane of all zeros: an input channel or a kernel slice that contributes nothing teaches nothing.
  const someNonZero = (rows: number, cols: number, lo: number, hi: number) => {
    for (;;) {
      const g = grid(rows, cols, lo, hi);
      if (g.flat().some((x) => x !== 0)) return g;
    }
  };
  const nonZero = (lo: number, hi: number) => pick(Array.from({ length: hi - lo + 1 }, (_, i) => lo + i).filter((x) => x !== 0));
  if (difficulty === 'easy') {
    return { input: someNonZero(3, 3, 0, 4), kernel: someNonZero(2, 2, -2, 3), head: 'sum', loss: 'mse', target: int(-6, 30), optimizer: { type: 'sgd', lr: pick([0.01, 0.1]) } };
  }
  if (difficulty === 'medium') {
    const size = pick([4, 5]);
    const k = pick([2, 3]);
    return {
      input: someNonZero(size, size, -2, 3),
      kernel: someNonZero(k, k, -1, 2),
      bias: nonZero(-2, 2),
      stride: pick([1, 2]),
      padding: pick([0, 1]),
      ...(random() < 0.5 ? { activation: 'relu' } : {}),
      head: pick(['sum', 'mean']),
      loss: 'mse',
      target: int(-5, 10),
      optimizer: { type: 'sgd', lr: pick([0.01, 0.1]) },
    };
  }
  const choose = <K extends keyof typeof HARD>(name: K): (typeof HARD)[K][number] => HARD[name][(index + offsets[name]) % HARD[name].length];
  const [mode, pool, activation, head, loss] = [choose('padding'), choose('pool'), choose('activation'), choose('head'), choose('loss')];
  // The optimizer in turn, past those the quiz already has; shifted on where one leaves no nice numbers
  // (Nesterov momentum after a mean), and at last to one the quiz has, rather than none.
  const order = HARD.optimizer.map((_, j) => HARD.optimizer[(index + offsets.optimizer + j) % HARD.optimizer.length]);
  const untaken = order.filter((o) => !taken.includes(o));
  const optimizer = shift < 2 * untaken.length ? untaken[shift % untaken.length] : order[shift % order.length];
  // Two input channels 3 × 3, one 2 × 2 kernel per channel: worked by hand in an interview's time. A
  // border of 1 for every padding mode but zeros, which may have none.
  const padding = mode === 'zeros' ? pick([0, 1]) : 1;
  const stride = padding === 1 && random() < 0.3 ? 2 : 1;
  const conv = Math.floor((3 + 2 * padding - 2) / stride) + 1;
  // Pooling 2 × 2: with stride 1 on an odd map (windows that overlap: an entry may win twice), 2 on an even one.
  const poolStride = conv % 2 === 1 ? 1 : 2;
  const map = pool === 'none' ? conv : Math.floor((conv - 2) / poolStride) + 1;
  const problem: Record<string, unknown> = {
    input: [someNonZero(3, 3, -1, 2), someNonZero(3, 3, -1, 2)],
    kernel: [[someNonZero(2, 2, -1, 1), someNonZero(2, 2, -1, 1)]],
    bias: [nonZero(-1, 1)],
    ...(stride === 1 ? {} : { stride }),
    ...(padding === 0 ? {} : { padding }),
    ...(mode === 'zeros' ? {} : { padding_mode: mode }),
    ...(activation === 'none' ? {} : { activation }),
    ...(activation === 'leaky_relu' ? { negative_slope: pick([0.5, 0.25, 0.1]) } : {}),
    ...(pool === 'none' ? {} : { pool: { type: pool, size: 2, ...(poolStride === 2 ? {} : { stride: poolStride }) } }),
    // The mean of a map of one entry is that entry: its sum says the same without a division by 1.
    head: map === 1 && head === 'mean' ? 'sum' : head,
    loss,
    ...(loss === 'huber' ? { delta: pick([1, 2]) } : loss === 'smooth_l1' ? { beta: pick([1, 0.5]) } : {}),
    target: head === 'none' ? [grid(map, map, -2, 4)] : int(-4, 8),
    optimizer: hardOptimizer(optimizer, pick),
    // Weight decay adds the parameters' own decimals to every gradient: one step keeps the answers short.
    steps: optimizer === 'weight_decay' ? 1 : optimizer === 'adam' ? pick([1, 2]) : 2,
  };
  return problem;
}

function hardOptimizer(kind: (typeof HARD)['optimizer'][number], pick: <T>(items: readonly T[]) => T): Record<string, unknown> {
  switch (kind) {
    case 'momentum': return { type: 'sgd', lr: pick([0.1, 0.01]), momentum: 0.5 };
    case 'nesterov': return { type: 'sgd', lr: 0.1, momentum: 0.5, nesterov: true };
    case 'weight_decay': return { type: 'sgd', lr: 0.1, weight_decay: 0.5 };
    case 'adam': return { type: 'adam', lr: 0.1 };
  }
}
