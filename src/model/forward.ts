// The forward pass through every stage: padded input → σ (conv + bias) → a (activation) → p (pooling)
// → prediction (head) → L (loss).
import { mul, sum, type Scalar } from '../numbers/scalar.js';
import { rational, type Rational } from '../numbers/rational.js';
import type { Problem } from '../problem/problem.js';
import { activate } from '../ops/activation/activation.js';
import { convForward, padInput } from '../ops/conv2d/conv.js';
import { convGeometry, type ConvGeometry } from '../ops/conv2d/geometry.js';
import { headForward } from '../ops/head/head.js';
import { elementLoss } from '../ops/loss/loss.js';
import { poolForward, type Pooled } from '../ops/pool/pool.js';
import { mapTensor, type Tensor } from '../tensor/tensor.js';

/** The trainable parameters: what the optimizer changes. */
export interface Parameters {
  readonly kernel: Tensor<Scalar>;
  readonly bias?: readonly Scalar[];
}

export interface Forward {
  readonly geometry: ConvGeometry;
  readonly padded: Tensor<Rational>;
  /** σ: the convolution's output, bias included. */
  readonly sigma: Tensor<Scalar>;
  /** a = f(σ) */
  readonly activated: Tensor<Scalar>;
  /** p: the pooled map (the activated map itself without pooling). */
  readonly pooled: Tensor<Scalar>;
  readonly pooling?: Pooled;
  /** Shape [] for head sum/mean, the map for none. */
  readonly prediction: Tensor<Scalar>;
  /** l(y, t) for every prediction entry. */
  readonly elementLosses: Tensor<Scalar>;
  readonly loss: Scalar;
}

export function initialParameters(problem: Problem): Parameters {
  return problem.bias ? { kernel: problem.kernel, bias: problem.bias.values } : { kernel: problem.kernel };
}

/** 1/n for the mean over n elements, 1 for the sum. */
export function reductionWeight(problem: Pick<Problem, 'reduction'>, elements: number): Rational {
  return problem.reduction === 'mean' ? rational(1, elements) : rational(1);
}

export function forward(problem: Problem, parameters: Parameters): Forward {
  const geometry = convGeometry(problem);
  const padded = padInput(geometry, problem.input);
  const sigma = convForward(geometry, padded, parameters.kernel, parameters.bias);
  const activated = mapTensor(sigma, (x) => activate(problem.activation, x));
  const pooling = problem.pool ? poolForward(problem.pool, activated) : undefined;
  const pooled = pooling ? pooling.output : activated;
  const prediction = headForward(problem.head, pooled);
  // The target has the prediction's shape (both [] for sum and mean), so entries pair up by position.
  const elementLosses = { shape: prediction.shape, data: prediction.data.map((y, k) => elementLoss(problem.loss, y, problem.target.data[k])) };
  // L = (1/n) Σ l (mean) or Σ l (sum)
  const loss = mul(sum(elementLosses.data), reductionWeight(problem, elementLosses.data.length));
  return { geometry, padded, sigma, activated, pooled, ...(pooling ? { pooling } : {}), prediction, elementLosses, loss };
}
