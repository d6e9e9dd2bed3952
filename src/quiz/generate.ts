// Exercises with nice numbers: small integers in, answers that stay short decimals. Each difficulty
// allows more of the layer: easy is the seed's shape; medium adds stride, padding, bias, the mean and
// ReLU; hard adds channels, an activation and momentum over two steps.
import { isExact, type Scalar } from '../numbers/scalar.js';
import { toTerminatingDecimal } from '../numbers/rational.js';
import { parseProblemText } from '../problem/parse-problem.js';
import { solve, type Solution } from '../trajectory/train.js';
import { ProblemError } from '../problem/problem-error.js';
import { generator } from './random.js';

export type Difficulty = 'easy' | 'medium' | 'hard';
export const DIFFICULTIES: readonly Difficulty[] = ['easy', 'medium', 'hard'];

export interface Exercise {
  /** The problem file, as written to problem-NN.json. */
  readonly source: string;
  readonly solution: Solution;
}

/** Every answer a short decimal: at most this many places. */
const PLACES = 4;

export function exercises(count: number, seed: number, difficulty: Difficulty): Exercise[] {
  const random = generator(seed);
  const out: Exercise[] = [];
  while (out.length < count) {
    const problem = draw(random, difficulty);
    const source = `${JSON.stringify(problem, null, 2)}\n`;
    const parsed = parseProblemText(source);
    if (!parsed.ok) throw new Error(`internal error: a quiz problem is not valid: ${parsed.errors.map((e) => e.message).join('; ')}`);
    try {
      const solution = solve(parsed.problem);
      if (nice(solution)) out.push({ source, solution });
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
    }
  }
  return out;
}

/** Exact, short, and not trivial: every answer a decimal of at most PLACES places, the loss not 0. */
function nice(solution: Solution): boolean {
  const { forward, gradients } = solution.first;
  const values: Scalar[] = [
    ...forward.prediction.data, ...gradients.input.data,
    ...solution.steps.flatMap((s) => [s.loss, ...s.gradients.kernel.data, ...(s.gradients.bias ?? []), ...s.after.kernel.data, ...(s.after.bias ?? [])]),
  ];
  const short = values.every((v) => isExact(v) && toTerminatingDecimal(v, PLACES) !== null && v.abs().compare(100_000) < 0);
  const loss = forward.loss;
  return short && isExact(loss) && !loss.equals(0) && gradients.kernel.data.some((g) => isExact(g) && !g.equals(0));
}

function draw(random: () => number, difficulty: Difficulty): Record<string, unknown> {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const grid = (rows: number, cols: number, lo: number, hi: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => int(lo, hi)));
  if (difficulty === 'easy') {
    return { input: grid(3, 3, 0, 4), kernel: grid(2, 2, -2, 3), head: 'sum', loss: 'mse', target: int(-6, 30), optimizer: { type: 'sgd', lr: pick([0.01, 0.1]) } };
  }
  if (difficulty === 'medium') {
    const size = pick([4, 5]);
    const k = pick([2, 3]);
    const stride = pick([1, 2]);
    const problem: Record<string, unknown> = {
      input: grid(size, size, -2, 3),
      kernel: grid(k, k, -1, 2),
      bias: int(-2, 2),
      stride,
      padding: pick([0, 1]),
      head: pick(['sum', 'mean']),
      loss: 'mse',
      target: int(-5, 10),
      optimizer: { type: 'sgd', lr: pick([0.01, 0.1]) },
    };
    if (random() < 0.5) problem.activation = 'relu';
    return problem;
  }
  return {
    input: [grid(4, 4, -1, 2), grid(4, 4, -1, 2)],
    kernel: [[grid(2, 2, -1, 1), grid(2, 2, -1, 1)]],
    bias: [int(-1, 1)],
    stride: pick([1, 2]),
    padding: pick([0, 1]),
    activation: pick(['relu', 'leaky_relu']),
    negative_slope: 0.5,
    head: 'sum',
    loss: 'mse',
    target: int(-4, 8),
    optimizer: { type: 'sgd', lr: 0.01, momentum: 0.5 },
    steps: 2,
  };
}
