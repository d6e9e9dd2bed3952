// Cross-entropy on class indices (F.cross_entropy, no class weights, no label smoothing) as the model's
// objective: the prediction [N][classes] holds one row of logits per sample, the target one class per
// sample. exp and log make every value a float64, computed as PyTorch computes it: one log-softmax per row,
// the row's largest logit subtracted first so that no exp overflows.
import { asDouble, type Scalar } from '../../numbers/scalar.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Objective } from '../stage.js';

// log softmax(y)_k = (y_k − m) − log Σ_j exp(y_j − m), m = max_j y_j   (PyTorch's order of operations)
export function logSoftmax(row: readonly number[]): number[] {
  const m = Math.max(...row);
  let total = 0;
  for (const y of row) total += Math.exp(y - m);
  const logTotal = Math.log(total);
  return row.map((y) => y - m - logTotal);
}

/** The rows of a [N][classes] prediction, as doubles. */
function rows(prediction: Tensor<Scalar>): number[][] {
  const [N, classes] = prediction.shape;
  return Array.from({ length: N }, (_, n) => prediction.data.slice(n * classes, (n + 1) * classes).map(asDouble));
}

export function crossEntropyObjective(target: readonly number[], reduction: 'mean' | 'sum'): Objective {
  // w = 1/N (mean) or 1 (sum)
  const weight = (samples: number) => (reduction === 'mean' ? 1 / samples : 1);
  return {
    // l_n = log Σ_k exp(y_{n,k}) − y_{n,t_n} = −log softmax(y_n)_{t_n};  L = (1/N) Σ_n l_n (mean) or Σ_n l_n (sum)
    forward(prediction) {
      // 0 − x rather than −x: a sample the net gets right to the last bit has loss 0, not −0.
      const data = rows(prediction).map((row, n) => 0 - logSoftmax(row)[target[n]]);
      let total = 0;
      for (const l of data) total += l;
      const loss = reduction === 'mean' ? total / data.length : total;
      return { elementLosses: { shape: [data.length], data }, loss };
    },
    // ∂L/∂y_{n,k} = w · (softmax(y_n)_k − [k = t_n]), softmax = exp(log softmax)
    backward(prediction) {
      const all = rows(prediction);
      const w = weight(all.length);
      const data = all.flatMap((row, n) => logSoftmax(row).map((log, k) => w * (Math.exp(log) - (k === target[n] ? 1 : 0))));
      return { shape: prediction.shape, data };
    },
  };
}
