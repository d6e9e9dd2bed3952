// TensorFlow.js (CPU backend, float32) in process: the same forward pass written with TF's own ops,
// differentiated by TF's own gradients. What TF.js lacks is reported as not supported, never as a pass.
import { toDouble } from '../numbers/rational.js';
import { outputForm, type Problem } from '../problem/problem.js';
import { toNested, type Tensor } from '../model/tensor.js';
import type { ResultDocument } from '../result/result-document.js';
import type { Nested } from './compare.js';
import type * as TF from '@tensorflow/tfjs';

export type TfjsOutcome = { readonly result: Partial<ResultDocument>; readonly notes: readonly string[] } | { readonly unsupported: string };

let loaded: typeof TF | undefined;

/** @tensorflow/tfjs, with its greeting (an advertisement for tfjs-node) kept off the user's terminal. */
async function tensorflow(): Promise<typeof TF> {
  if (loaded) return loaded;
  const [log, warn] = [console.log, console.warn];
  console.log = console.warn = () => {};
  try {
    loaded = await import('@tensorflow/tfjs');
    await loaded.setBackend('cpu');
    loaded.tidy(() => loaded!.add(1, 1));
  } finally {
    [console.log, console.warn] = [log, warn];
  }
  return loaded;
}

/** Why TF.js cannot compute this problem, or undefined when it can. */
export function tfjsUnsupported(problem: Problem): string | undefined {
  if (problem.groups > 1) return 'groups > 1: tf.conv2d has no groups';
  if (problem.paddingMode === 'replicate' || problem.paddingMode === 'circular') return `padding_mode "${problem.paddingMode}": TF.js pads with zeros, reflect or symmetric only`;
  if (problem.stride.some((s) => s > 1) && problem.dilation.some((d) => d > 1)) return 'stride and dilation both > 1: tf.conv2d refuses the pair';
  if (problem.activation.type === 'expression') return 'an activation expression';
  if (problem.loss.type === 'expression') return 'a loss expression';
  return undefined;
}

export async function tfjsResult(problem: Problem): Promise<TfjsOutcome> {
  const unsupported = tfjsUnsupported(problem);
  if (unsupported) return { unsupported };
  const tf = await tensorflow();
  const notes: string[] = [];
  const plainSgd = problem.optimizer.type === 'sgd' && problem.optimizer.momentum.equals(0) && problem.optimizer.weight_decay.equals(0);
  if (!plainSgd) notes.push(`updated parameters: torch.optim.${problem.optimizer.type}'s rule is not TF's; only plain SGD is compared`);

  const nhwc = (t: Tensor<Parameters<typeof toDouble>[0]>) => tf.tensor4d(t.data.map(toDouble), t.shape as [number, number, number, number]).transpose([0, 2, 3, 1]) as TF.Tensor4D;
  const x = nhwc(problem.input);
  let k = tf.tensor4d(problem.kernel.data.map(toDouble), problem.kernel.shape as [number, number, number, number]).transpose([2, 3, 1, 0]) as TF.Tensor4D;
  let b = problem.bias ? tf.tensor1d(problem.bias.values.map(toDouble)) : undefined;
  const target = problem.head === 'none' ? nhwc(problem.target) : tf.scalar(toDouble(problem.target.data[0]));
  const p = problem.padding;
  const paddings: [number, number][] = [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];

  const forward = (xv: TF.Tensor4D, kv: TF.Tensor4D, bv: TF.Tensor1D | undefined) => {
    const padded = problem.paddingMode === 'reflect' ? tf.mirrorPad(xv, paddings, 'reflect') : tf.pad(xv, paddings);
    let sigma: TF.Tensor4D = tf.conv2d(padded, kv, problem.stride as [number, number], 'valid', 'NHWC', problem.dilation as [number, number]);
    if (bv) sigma = tf.add(sigma, bv);
    const a = activate(tf, problem, sigma);
    const pooled = problem.pool
      ? problem.pool.type === 'max'
        ? tf.maxPool(a, problem.pool.size as [number, number], problem.pool.stride as [number, number], 'valid')
        : tf.avgPool(a, problem.pool.size as [number, number], problem.pool.stride as [number, number], 'valid')
      : a;
    const prediction = problem.head === 'sum' ? tf.sum(pooled) : problem.head === 'mean' ? tf.mean(pooled) : pooled;
    const elements = elementLoss(tf, problem, prediction, target);
    const loss = problem.reduction === 'mean' ? tf.mean(elements) : tf.sum(elements);
    return { sigma, pooled, prediction, loss: loss as TF.Scalar };
  };

  const first = forward(x, k, b);
  const lossOf = (xv: TF.Tensor, kv: TF.Tensor, bv?: TF.Tensor) => forward(xv as TF.Tensor4D, kv as TF.Tensor4D, bv as TF.Tensor1D | undefined).loss;
  const grads = tf.grads(lossOf)(b ? [x, k, b] : [x, k]);
  const [gx, gk, gb] = grads;
  const mapForm = outputForm(problem);
  const fromNhwc = async (t: TF.Tensor, dimensions: number): Promise<Nested> => {
    const nchw = t.rank === 4 ? t.transpose([0, 3, 1, 2]) : t;
    const data = Array.from(await nchw.data());
    return toNested({ shape: nchw.shape.slice(nchw.shape.length - dimensions), data }) as Nested;
  };
  const fromKernel = async (t: TF.Tensor): Promise<Nested> => {
    const oihw = t.transpose([3, 2, 0, 1]);
    return toNested({ shape: oihw.shape.slice(4 - problem.kernelForm), data: Array.from(await oihw.data()) }) as Nested;
  };
  const biasOf = async (t: TF.Tensor | undefined) => (t === undefined ? {} : { bias: problem.bias!.form === 'array' ? Array.from(await t.data()) : (await t.data())[0] });
  const result: Partial<ResultDocument> = {
    forward: {
      conv: await fromNhwc(first.sigma, mapForm),
      output: await fromNhwc(first.pooled, mapForm),
      prediction: problem.head === 'none' ? await fromNhwc(first.prediction, mapForm) : (await first.prediction.data())[0],
      loss: (await first.loss.data())[0],
    },
    grad: { kernel: await fromKernel(gk), ...(await biasOf(gb)), input: await fromNhwc(gx, problem.inputForm) },
  } as Partial<ResultDocument>;
  if (plainSgd) {
    // θ' = θ − η·∇θ, step after step, with TF's gradients
    const lr = toDouble(problem.optimizer.lr);
    let [gradK, gradB] = [gk, gb];
    for (let step = 1; step <= problem.steps; step++) {
      if (step > 1) [, gradK, gradB] = tf.grads(lossOf)(b ? [x, k, b] : [x, k]);
      k = tf.sub(k, tf.mul(lr, gradK)) as TF.Tensor4D;
      if (b && gradB) b = tf.sub(b, tf.mul(lr, gradB)) as TF.Tensor1D;
    }
    (result as { updated: unknown }).updated = { kernel: await fromKernel(k), ...(await biasOf(b)) };
  }
  return { result, notes };
}

// relu, leaky_relu, sigmoid, tanh as TF's ops
function activate(tf: typeof TF, problem: Problem, sigma: TF.Tensor4D): TF.Tensor4D {
  const f = problem.activation;
  switch (f.type) {
    case 'relu': return tf.relu(sigma);
    case 'leaky_relu': return tf.leakyRelu(sigma, toDouble(f.slope));
    case 'sigmoid': return tf.sigmoid(sigma);
    case 'tanh': return tf.tanh(sigma);
    case 'none': return sigma;
    case 'expression': throw new Error('internal error: TF.js was asked for an activation expression');
  }
}

// The losses of torch.nn.functional, entry by entry, with TF's ops (bce's logs clamped at −100 as PyTorch's)
function elementLoss(tf: typeof TF, problem: Problem, y: TF.Tensor, t: TF.Tensor): TF.Tensor {
  const d = tf.sub(y, t);
  const loss = problem.loss;
  switch (loss.type) {
    case 'mse': return tf.square(d);
    case 'l1': return tf.abs(d);
    case 'smooth_l1': {
      const beta = toDouble(loss.beta);
      if (beta === 0) return tf.abs(d);
      return tf.where(tf.less(tf.abs(d), beta), tf.div(tf.mul(0.5, tf.square(d)), beta), tf.sub(tf.abs(d), 0.5 * beta));
    }
    case 'huber': {
      const delta = toDouble(loss.delta);
      return tf.where(tf.less(tf.abs(d), delta), tf.mul(0.5, tf.square(d)), tf.mul(delta, tf.sub(tf.abs(d), 0.5 * delta)));
    }
    case 'bce': {
      const clampedLog = (v: TF.Tensor) => tf.maximum(tf.log(v), -100);
      return tf.neg(tf.add(tf.mul(t, clampedLog(y)), tf.mul(tf.sub(1, t), clampedLog(tf.sub(1, y)))));
    }
    case 'expression': throw new Error('internal error: TF.js was asked for a loss expression');
  }
}
