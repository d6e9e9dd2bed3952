// The loss in the two engines convgrad checks itself against: its torch.nn.functional call for the
// generated PyTorch script, and its value entry by entry with TF.js's ops (where a TF.js gradient is
// wrong or missing, the same function built from ops whose gradients are right).
import type * as TF from '@tensorflow/tfjs';
import { toDouble } from '../../numbers/rational.js';
import type { Loss, Reduction } from '../../problem/problem.js';

// The loss of torch.nn.functional, chosen by its kind; its settings come from the script's P.
export function lossTorch(loss: Loss, reduction: Reduction): string {
  const reduce = 'reduction=P["reduction"]';
  switch (loss.type) {
    case 'mse': return `F.mse_loss(prediction, target, ${reduce})`;
    case 'l1': return `F.l1_loss(prediction, target, ${reduce})`;
    case 'smooth_l1': return `F.smooth_l1_loss(prediction, target, ${reduce}, beta=P["beta"])`;
    case 'huber': return `F.huber_loss(prediction, target, ${reduce}, delta=P["delta"])`;
    case 'bce': return `F.binary_cross_entropy(prediction, target, ${reduce})`;
    case 'expression': return `torch.broadcast_to(formula(P["loss"], {"y": prediction, "t": target}), prediction.shape).${reduction}()`;
  }
}

// The losses of torch.nn.functional, entry by entry, with TF's ops (bce's logs clamped at −100 as PyTorch's)
export function elementLossTfjs(tf: typeof TF, loss: Loss, y: TF.Tensor, t: TF.Tensor): TF.Tensor {
  const d = tf.sub(y, t);
  switch (loss.type) {
    case 'mse': return tf.square(d);
    // |d| as relu(d) + relu(−d): slope 0 at d = 0 as in PyTorch's l1_loss (tf.abs's gradient there is −1)
    case 'l1': return tf.add(tf.relu(d), tf.relu(tf.neg(d)));
    case 'smooth_l1': {
      const beta = toDouble(loss.beta);
      // with β = 0, PyTorch's kernel has slope −1 at d = 0, as tf.abs's gradient has
      return beta === 0 ? tf.abs(d) : tf.div(huber(tf, d, beta), beta);
    }
    case 'huber': return huber(tf, d, toDouble(loss.delta));
    case 'bce': return binaryCrossEntropy(tf, y, t);
    case 'expression': throw new Error('internal error: TF.js was asked for a loss expression');
  }
}

/**
 * Huber's loss without a branch (TF.js cannot differentiate through tf.less): with q = min(|d|, δ),
 * ½q² + δ·(|d| − q) is ½d² where |d| < δ and δ·(|d| − ½δ) beyond, as PyTorch's.
 */
function huber(tf: typeof TF, d: TF.Tensor, delta: number): TF.Tensor {
  const q = tf.minimum(tf.abs(d), delta);
  return tf.add(tf.mul(0.5, tf.square(q)), tf.mul(delta, tf.sub(tf.abs(d), q)));
}

/**
 * −(t·log y + (1 − t)·log(1 − y)) with the logs clamped at −100, and its gradient as PyTorch's kernel
 * writes it, (y − t) / max(y(1 − y), 10⁻¹²): where float32 rounds y to exactly 0 or 1, the gradient
 * of the clamped log would be ∞·0.
 */
function binaryCrossEntropy(tf: typeof TF, y: TF.Tensor, t: TF.Tensor): TF.Tensor {
  const loss = tf.customGrad((yv, tv, saveArg) => {
    const [y, t, save] = [yv as TF.Tensor, tv as TF.Tensor, saveArg as TF.GradSaveFunc];
    save([y, t]);
    const clampedLog = (v: TF.Tensor) => tf.maximum(tf.log(v), -100);
    const value = tf.neg(tf.add(tf.mul(t, clampedLog(y)), tf.mul(tf.sub(1, t), clampedLog(tf.sub(1, y)))));
    return { value, gradFunc: (dy: TF.Tensor, [ys, ts]: TF.Tensor[]) => [tf.mul(dy, tf.div(tf.sub(ys, ts), tf.maximum(tf.mul(ys, tf.sub(1, ys)), 1e-12))), tf.zerosLike(ts)] };
  });
  return loss(y, t);
}
