// TensorFlow.js (CPU backend, float32) in process: the same forward pass written with TF's own ops,
// differentiated by TF's own gradients. What TF.js lacks (groups, users' expressions) is reported as
// not supported, never as a pass. Where a TF.js gradient is wrong or missing, the same function is
// built from ops whose gradients are right: padding from slices (tf.mirrorPad's gradient drops the
// reflected copies), dilation as a kernel with zeros between its entries (tf.conv2d's gradient
// refuses dilation), Huber's loss without a branch (tf.where over tf.less has no gradient), and bce's
// gradient as PyTorch's kernel writes it (float32 rounds y to exactly 0 or 1 where float64 does not).
// At a kink each engine takes a side; TF.js is written to take PyTorch's.
import { toDouble } from '../numbers/rational.js';
import { outputForm, type Problem } from '../problem/problem.js';
import { activationRules } from '../ops/activation/activations.js';
import { headTfjs } from '../ops/head/head.js';
import { elementLossTfjs } from '../ops/loss/engines.js';
import { poolTfjs } from '../ops/pool/pool.js';
import { optimizerRules } from '../optim/optimizers.js';
import { toNested, type Nested, type Tensor } from '../tensor/tensor.js';
import type { ResultDocument } from '../result/result-document.js';
import type * as TF from '@tensorflow/tfjs';

export type TfjsOutcome = { readonly result: Partial<ResultDocument>; readonly notes: readonly string[] } | { readonly unsupported: string };

let loaded: typeof TF | undefined;

/** @tensorflow/tfjs, with its greeting (an advertisement for tfjs-node) kept off the user's terminal. */
export async function tensorflow(): Promise<typeof TF> {
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
  const activation = activationRules(problem.activation).tfjs(problem.activation);
  if (typeof activation === 'string') return activation;
  if (problem.loss.type === 'expression') return 'a loss expression';
  return undefined;
}

export async function tfjsResult(problem: Problem): Promise<TfjsOutcome> {
  const unsupported = tfjsUnsupported(problem);
  if (unsupported) return { unsupported };
  const tf = await tensorflow();
  const notes: string[] = [];
  const plainSgd = optimizerRules(problem.optimizer).plain?.(problem.optimizer) ?? false;
  if (!plainSgd) notes.push(`updated parameters: torch.optim.${problem.optimizer.type}'s rule is not TF's; only plain SGD is compared`);

  const nhwc = (t: Tensor<Parameters<typeof toDouble>[0]>) => tf.tensor4d(t.data.map(toDouble), t.shape as [number, number, number, number]).transpose([0, 2, 3, 1]) as TF.Tensor4D;
  const x = nhwc(problem.input);
  let k = tf.tensor4d(problem.kernel.data.map(toDouble), problem.kernel.shape as [number, number, number, number]).transpose([2, 3, 1, 0]) as TF.Tensor4D;
  let b = problem.bias ? tf.tensor1d(problem.bias.values.map(toDouble)) : undefined;
  const target = problem.head === 'none' ? nhwc(problem.target) : tf.scalar(toDouble(problem.target.data[0]));
  const p = problem.padding;
  if (problem.dilation.some((d) => d > 1)) notes.push("dilation as a kernel with zeros between its entries (tf.conv2d's gradient refuses dilation > 1)");
  if (problem.paddingMode !== 'zeros') notes.push(`${problem.paddingMode} padding built from tf.slice, tf.reverse and tf.concat (${problem.paddingMode === 'reflect' ? "tf.mirrorPad's gradient drops the reflected copies" : 'TF.js has no such mode'})`);

  const forward = (xv: TF.Tensor4D, kv: TF.Tensor4D, bv: TF.Tensor1D | undefined) => {
    const padded = padAxis(tf, padAxis(tf, xv, 1, p.top, p.bottom, problem.paddingMode), 2, p.left, p.right, problem.paddingMode);
    const dilated = dilateAxis(tf, dilateAxis(tf, kv, 0, problem.dilation[0]), 1, problem.dilation[1]);
    let sigma: TF.Tensor4D = tf.conv2d(padded, dilated, problem.stride as [number, number], 'valid', 'NHWC');
    if (bv) sigma = tf.add(sigma, bv);
    const a = activate(tf, problem, sigma);
    const pooled = poolTfjs(tf, problem.pool, a);
    const prediction = headTfjs(tf, problem.head, pooled);
    const elements = elementLossTfjs(tf, problem.loss, prediction, target);
    const loss = problem.reduction === 'mean' ? tf.mean(elements) : tf.sum(elements);
    return { sigma, pooled, prediction, loss: loss as TF.Scalar };
  };

  const first = forward(x, k, b);
  const lossOf = (xv: TF.Tensor, kv: TF.Tensor, bv?: TF.Tensor) => forward(xv as TF.Tensor4D, kv as TF.Tensor4D, bv as TF.Tensor1D | undefined).loss;
  const grads = tf.grads(lossOf)(b ? [x, k, b] : [x, k]);
  const [gx, gk, gb] = grads;
  const mapForm = outputForm(problem);
  const fromNhwc = async (t: TF.Tensor, dimensions: number): Promise<Nested<number>> => {
    const nchw = t.rank === 4 ? t.transpose([0, 3, 1, 2]) : t;
    const data = Array.from(await nchw.data());
    return toNested({ shape: nchw.shape.slice(nchw.shape.length - dimensions), data }) as Nested<number>;
  };
  const fromKernel = async (t: TF.Tensor): Promise<Nested<number>> => {
    const oihw = t.transpose([3, 2, 0, 1]);
    return toNested({ shape: oihw.shape.slice(4 - problem.kernelForm), data: Array.from(await oihw.data()) }) as Nested<number>;
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

/**
 * A border of `before` and `after` cells along one axis, in PyTorch's padding modes, from ops whose
 * gradients TF.js has right, so that a copied cell's gradient flows back to the entry it copies:
 * zeros 0 … 0 | x | 0 … 0; reflect x_b … x_1 | x | x_{n−2} … x_{n−1−a}; replicate x_0 … x_0 | x | x_{n−1} … x_{n−1};
 * circular x_{n−b} … x_{n−1} | x | x_0 … x_{a−1}.
 */
export function padAxis(tf: typeof TF, x: TF.Tensor4D, axis: 1 | 2, before: number, after: number, mode: Problem['paddingMode']): TF.Tensor4D {
  if (before === 0 && after === 0) return x;
  const n = x.shape[axis];
  const part = (start: number, size: number) => {
    const begin = [0, 0, 0, 0];
    const sizes = [-1, -1, -1, -1];
    begin[axis] = start;
    sizes[axis] = size;
    return tf.slice(x, begin, sizes);
  };
  const repeat = (edge: TF.Tensor4D, times: number) => tf.concat(Array.from({ length: times }, () => edge), axis);
  const side = (first: boolean, size: number): TF.Tensor4D => {
    switch (mode) {
      case 'zeros': return tf.zeros(x.shape.map((d, i) => (i === axis ? size : d)) as [number, number, number, number]);
      case 'reflect': return tf.reverse(first ? part(1, size) : part(n - 1 - size, size), axis);
      case 'replicate': return repeat(first ? part(0, 1) : part(n - 1, 1), size);
      case 'circular': return first ? part(n - size, size) : part(0, size);
    }
  };
  return tf.concat([...(before > 0 ? [side(true, before)] : []), x, ...(after > 0 ? [side(false, after)] : [])], axis);
}

/**
 * A kernel (HWIO) with d − 1 zeros between neighbouring entries along one axis, so that a plain
 * convolution with it is the dilated one: k_0 0 … 0 k_1 0 … 0 k_2 …
 */
export function dilateAxis(tf: typeof TF, k: TF.Tensor4D, axis: 0 | 1, d: number): TF.Tensor4D {
  if (d === 1 || k.shape[axis] === 1) return k;
  const entries = tf.split(k, k.shape[axis], axis);
  const gap = tf.zeros(k.shape.map((size, i) => (i === axis ? d - 1 : size)) as [number, number, number, number]);
  return tf.concat(entries.flatMap((entry, i) => (i === 0 ? [entry] : [gap, entry])), axis) as TF.Tensor4D;
}


// The activation as TF's ops, from its own rules
function activate(tf: typeof TF, problem: Problem, sigma: TF.Tensor4D): TF.Tensor4D {
  const ops = activationRules(problem.activation).tfjs(problem.activation);
  if (typeof ops === 'string') throw new Error(`internal error: TF.js was asked for ${ops}`);
  return ops(tf, sigma);
}

