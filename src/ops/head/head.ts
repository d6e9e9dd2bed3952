// The head stage: the map reduced to one prediction S (sum, mean), or kept as the prediction (none).
import { rational } from '../../numbers/rational.js';
import { mul, sum, type Scalar } from '../../numbers/scalar.js';
import { addAll, mul as mulExpr, num, type Expr } from '../../expr/expr.js';
import type { Head } from '../../problem/problem.js';
import type { Tensor } from '../../tensor/tensor.js';
import type * as TF from '@tensorflow/tfjs';

// S = Σ p (sum)   or   S = (1/n) Σ p (mean over all n entries); `entries` may be only some of the
// n, the ones a derivative needs (the others differentiate to 0)
export function headExpr(head: Exclude<Head, 'none'>, entries: readonly Expr[], n = entries.length): Expr {
  const total = addAll(entries);
  return head === 'sum' ? total : mulExpr(num(rational(1, n)), total);
}

/** The prediction: shape [] for sum and mean, the map itself for none. */
export function headForward(head: Head, map: Tensor<Scalar>): Tensor<Scalar> {
  if (head === 'none') return map;
  return { shape: [], data: [mul(sum(map.data), headSlope(head, map.data.length))] };
}

// ∂S/∂p = 1 (sum) or 1/n (mean), the same for every entry; for none the prediction is the map (slope 1)
export function headSlope(head: Head, entries: number) {
  return head === 'mean' ? rational(1, entries) : rational(1);
}

/** The head in the generated PyTorch script: the pooled map p summed, averaged, or kept. */
export function headTorch(head: Head): string {
  return head === 'sum' ? 'p.sum()' : head === 'mean' ? 'p.mean()' : 'p';
}

/** The head with TF.js's ops. */
export function headTfjs(tf: typeof TF, head: Head, map: TF.Tensor): TF.Tensor {
  return head === 'sum' ? tf.sum(map) : head === 'mean' ? tf.mean(map) : map;
}
