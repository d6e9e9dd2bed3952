// The forward pass through every stage: padded input → σ (conv + bias) → S (head) → L (loss).
import type { Rational } from '../numbers/rational.js';
import type { Problem } from '../problem/problem.js';
import { convForward, padInput } from './conv.js';
import { convGeometry, type ConvGeometry } from './geometry.js';
import type { Grid } from './grid.js';
import { headValue } from './head.js';
import { lossValue } from './loss.js';

/** The trainable parameters: what the optimizer changes. */
export interface Parameters {
  readonly kernel: Grid<Rational>;
  readonly bias?: Rational;
}

export interface Forward {
  readonly geometry: ConvGeometry;
  readonly padded: Grid<Rational>;
  /** σ: the convolution's output, bias included. */
  readonly sigma: Grid<Rational>;
  readonly prediction: Rational;
  readonly loss: Rational;
}

export function initialParameters(problem: Problem): Parameters {
  return problem.bias ? { kernel: problem.kernel, bias: problem.bias.value } : { kernel: problem.kernel };
}

export function forward(problem: Problem, parameters: Parameters): Forward {
  const geometry = convGeometry(problem, parameters.kernel);
  const padded = padInput(geometry, problem.input);
  const sigma = convForward(geometry, padded, parameters.kernel, parameters.bias);
  const prediction = headValue(problem.head, sigma);
  return { geometry, padded, sigma, prediction, loss: lossValue(problem, prediction, problem.target) };
}
