// TensorFlow.js (CPU backend, float32) on a network of layers, in process: every layer written with
// TF's own ops in TF's layout (maps NHWC), the loss differentiated by tf.grads with respect to the
// input and every layer's parameters, which enter in PyTorch's layout (kernels OIHW) and are
// transposed inside, so that their gradients come back in it. What TF.js lacks is built from ops whose
// gradients are right, as the single layer's engine (tfjs.ts) builds it: padding modes from slices,
// dilation as a kernel with zeros between its entries, groups as one convolution a group over its
// slice of the channels. What it cannot do (users' expressions) makes the whole network not
// supported, with the reason; updated parameters are compared for plain SGD alone, as the single
// layer's engine compares them.
import { toDouble, type Rational } from '../numbers/rational.js';
import { asDouble, type Scalar } from '../numbers/scalar.js';
import { activationRules } from '../ops/activation/activations.js';
import { headTfjs } from '../ops/head/head.js';
import { elementLossTfjs } from '../ops/loss/engines.js';
import { poolTfjs } from '../ops/pool/pool.js';
import { optimizerRules } from '../optim/optimizers.js';
import { layerParameters, type Conv2dLayer, type ConvTranspose2dLayer, type Layer, type NetworkProblem } from '../problem/network.js';
import type { Tensor } from '../tensor/tensor.js';
import { dilateAxis, padAxis, tensorflow } from './tfjs.js';
import type * as TF from '@tensorflow/tfjs';

export interface TfjsNetworkValues {
  /** By path, as the result document's: forward.prediction, forward.loss, grad.layers[i].<name>, grad.input, updated.layers[i].<name>. */
  readonly values: ReadonlyMap<string, Tensor<number>>;
  /** Every layer's output (NCHW, or [N][features]), flat, as TF.js computed it: where its rounding left a kink, it shows. */
  readonly outputs: readonly Tensor<number>[];
  /** How it computed what TF.js has no op for. */
  readonly notes: readonly string[];
  /** Quantities it does not compute for this network, with the reason (updated parameters under an optimizer other than plain SGD). */
  readonly skipped: ReadonlyMap<string, string>;
}

export type TfjsNetworkOutcome = TfjsNetworkValues | { readonly unsupported: string };

/** Why TF.js cannot compute this network, or undefined when it can. */
export function tfjsNetworkUnsupported(network: NetworkProblem): string | undefined {
  for (const [i, layer] of network.layers.entries()) {
    if (layer.type !== 'activation') continue;
    const ops = activationRules(layer.activation).tfjs(layer.activation);
    if (typeof ops === 'string') return `layers[${i}] is ${ops}, which TF.js has no op for`;
  }
  if (network.loss.type === 'expression') return 'a loss expression, which TF.js has no op for';
  return undefined;
}

const doubles = (t: Tensor<Rational | Scalar>) => t.data.map((x) => asDouble(x as Scalar));

/** The notes of how TF.js computes what it has no op for, layer by layer. */
function buildNotes(network: NetworkProblem): string[] {
  const notes = new Set<string>();
  network.layers.forEach((layer) => {
    if (layer.type !== 'conv2d' && layer.type !== 'conv_transpose2d') return;
    if (layer.dilation.some((d) => d > 1)) notes.add(`dilation as a kernel with zeros between its entries (tf.conv2d's gradient refuses dilation > 1; tf.conv2dTranspose has none)`);
    if (layer.groups > 1) notes.add('groups as one convolution a group over its slice of the channels, concatenated (TF.js convolutions have no groups)');
    if (layer.type === 'conv2d' && layer.paddingMode !== 'zeros') notes.add(`${layer.paddingMode} padding built from tf.slice, tf.reverse and tf.concat (${layer.paddingMode === 'reflect' ? "tf.mirrorPad's gradient drops the reflected copies" : 'TF.js has no such mode'})`);
    if (layer.type === 'conv_transpose2d') notes.add("conv_transpose2d as tf.conv2dTranspose's whole output (padding 'valid'), output_padding zeros added below and right, then padding cropped from each side");
  });
  if (network.layers.some((l) => l.type === 'batch_norm2d')) notes.add("batch_norm2d from tf.mean over N, H, W: the batch's mean and biased variance, so that the gradient flows through them as PyTorch's train() does");
  if (network.loss.type === 'cross_entropy') notes.add('cross_entropy as −Σ one-hot · tf.logSoftmax, reduced');
  return [...notes];
}

export async function tfjsNetworkResult(network: NetworkProblem): Promise<TfjsNetworkOutcome> {
  const unsupported = tfjsNetworkUnsupported(network);
  if (unsupported) return { unsupported };
  const tf = await tensorflow();
  const notes = buildNotes(network);
  const plainSgd = optimizerRules(network.optimizer).plain?.(network.optimizer) ?? false;
  const names = network.layers.map((layer) => Object.keys(layerParameters(layer)));
  const paths = (group: string) => names.flatMap((list, i) => list.map((name) => `${group}.layers[${i}].${name}`));
  const skipped = new Map<string, string>();
  if (!plainSgd) {
    const why = `torch.optim.${network.optimizer.type}'s rule is not TF's; only plain SGD (no momentum, no weight decay) is compared`;
    notes.push(`updated parameters: ${why}`);
    for (const path of paths('updated')) skipped.set(path, why);
  }

  // Plain numbers leave the scope; every tensor made in it is released at its end.
  let outcome: TfjsNetworkValues | undefined;
  tf.tidy(() => {
    const x = tf.tensor(doubles(network.input), network.input.shape as number[]);
    let parameters: TF.Tensor[] = network.layers.flatMap((layer) => Object.values(layerParameters(layer)).map((t) => tf.tensor(doubles(t), t.shape as number[])));
    const target = network.loss.type === 'cross_entropy'
      ? tf.tensor1d(network.target.data.map((c) => Number(c.valueOf())), 'int32')
      : tf.tensor(doubles(network.target), network.target.shape as number[]);

    // Each layer's parameters, taken in order from the flat list.
    const split = (flat: readonly TF.Tensor[]) => {
      let k = 0;
      return names.map((list) => Object.fromEntries(list.map((name) => [name, flat[k++]])));
    };
    const forward = (xv: TF.Tensor, flat: readonly TF.Tensor[]) => {
      const own = split(flat);
      // NCHW → NHWC: maps in TF's layout from here to the end
      let h = xv.transpose([0, 2, 3, 1]);
      const outputs: TF.Tensor[] = [];
      network.layers.forEach((layer, i) => {
        h = layerForward(tf, layer, own[i], h);
        outputs.push(h.rank === 4 ? h.transpose([0, 3, 1, 2]) : h);
      });
      const last = outputs[outputs.length - 1];
      const prediction = headTfjs(tf, network.head, last);
      const loss = lossOf(tf, network, prediction, target);
      return { outputs, prediction, loss };
    };
    const lossAt = (...args: TF.Tensor[]) => forward(args[0], args.slice(1)).loss;
    const first = forward(x, parameters);
    const [gx, ...gp] = tf.grads(lossAt)([x, ...parameters]);

    const values = new Map<string, Tensor<number>>();
    const read = (t: TF.Tensor): Tensor<number> => ({ shape: t.shape, data: Array.from(t.dataSync()) });
    values.set('forward.prediction', read(first.prediction));
    values.set('forward.loss', read(first.loss));
    paths('grad').forEach((path, k) => values.set(path, read(gp[k])));
    values.set('grad.input', read(gx));
    if (plainSgd) {
      // θ' = θ − η·∇θ, step after step, with TF's gradients
      const lr = toDouble(network.optimizer.lr);
      let gradients = gp;
      for (let step = 1; step <= network.steps; step++) {
        if (step > 1) gradients = tf.grads(lossAt)([x, ...parameters]).slice(1);
        parameters = parameters.map((p, k) => tf.sub(p, tf.mul(lr, gradients[k])));
      }
      paths('updated').forEach((path, k) => values.set(path, read(parameters[k])));
    }
    outcome = { values, outputs: first.outputs.map(read), notes, skipped };
  });
  return outcome!;
}

type Named = Readonly<Record<string, TF.Tensor>>;

/** One layer forward with TF's ops: a map in NHWC (or [N][features]) in, the same out. */
function layerForward(tf: typeof TF, layer: Layer, own: Named, h: TF.Tensor): TF.Tensor {
  switch (layer.type) {
    case 'conv2d':
      return conv2d(tf, layer, own, h as TF.Tensor4D);
    case 'conv_transpose2d':
      return convTranspose2d(tf, layer, own, h as TF.Tensor4D);
    case 'activation': {
      const ops = activationRules(layer.activation).tfjs(layer.activation);
      if (typeof ops === 'string') throw new Error(`internal error: TF.js was asked for ${ops}`);
      return ops(tf, h as TF.Tensor4D);
    }
    case 'pool':
      return poolTfjs(tf, layer.pool, h as TF.Tensor4D);
    case 'batch_norm2d': {
      // y = γ·(x − μ)/√(σ² + ε) + β, μ and σ² (biased) over N, H, W: ops TF differentiates through
      const mean = tf.mean(h, [0, 1, 2]);
      const centered = tf.sub(h, mean);
      const variance = tf.mean(tf.square(centered), [0, 1, 2]);
      const normalized = tf.div(centered, tf.sqrt(tf.add(variance, toDouble(layer.eps))));
      return tf.add(tf.mul(normalized, own.weight), own.bias);
    }
    case 'flatten':
      // nn.Flatten reads NCHW channel by channel: back to it before the reshape
      return (h.rank === 4 ? h.transpose([0, 3, 1, 2]) : h).reshape([h.shape[0], -1]);
    case 'linear': {
      // y = x Wᵀ + b
      const y = tf.matMul(h as TF.Tensor2D, own.weight as TF.Tensor2D, false, true);
      return own.bias ? tf.add(y, own.bias) : y;
    }
  }
}

/** Splits along the channels into `groups` parts (one part: the tensor itself). */
function groupsOf(tf: typeof TF, t: TF.Tensor4D, groups: number): TF.Tensor4D[] {
  return groups === 1 ? [t] : tf.split(t, groups, 3);
}

// σ = K ⋆ pad(x) + b, one convolution a group: group j's outputs read group j's inputs
function conv2d(tf: typeof TF, layer: Conv2dLayer, own: Named, h: TF.Tensor4D): TF.Tensor4D {
  const p = layer.padding;
  const padded = padAxis(tf, padAxis(tf, h, 1, p.top, p.bottom, layer.paddingMode), 2, p.left, p.right, layer.paddingMode);
  // OIHW → HWIO
  const kernel = own.kernel.transpose([2, 3, 1, 0]) as TF.Tensor4D;
  const dilated = dilateAxis(tf, dilateAxis(tf, kernel, 0, layer.dilation[0]), 1, layer.dilation[1]);
  const inputs = groupsOf(tf, padded, layer.groups);
  const kernels = groupsOf(tf, dilated, layer.groups);
  const parts = inputs.map((part, g) => tf.conv2d(part, kernels[g], layer.stride as [number, number], 'valid', 'NHWC'));
  const sigma = parts.length === 1 ? parts[0] : tf.concat(parts, 3);
  return own.bias ? tf.add(sigma, own.bias) : sigma;
}

// y[s·i + d·a − p][s·j + d·b − p] += x[i][j] · K[a][b]: tf.conv2dTranspose's whole output
// ((h − 1)·s + d·(k − 1) + 1 a side), output_padding zeros below and right, p cropped from each side
function convTranspose2d(tf: typeof TF, layer: ConvTranspose2dLayer, own: Named, h: TF.Tensor4D): TF.Tensor4D {
  const [n, rows, cols] = h.shape;
  // [C_in][C_out/g][kh][kw] → [kh][kw][C_out/g][C_in], as tf.conv2dTranspose takes its filter
  const kernel = own.kernel.transpose([2, 3, 1, 0]) as TF.Tensor4D;
  const dilated = dilateAxis(tf, dilateAxis(tf, kernel, 0, layer.dilation[0]), 1, layer.dilation[1]);
  const [kh, kw, perGroup] = dilated.shape;
  const [sh, sw] = layer.stride;
  const whole: [number, number, number, number] = [n, (rows - 1) * sh + kh, (cols - 1) * sw + kw, perGroup];
  const inputs = groupsOf(tf, h, layer.groups);
  // The filter's last axis is C_in: group j's filters are its j-th slice.
  const filters = groupsOf(tf, dilated, layer.groups);
  const parts = inputs.map((part, g) => tf.conv2dTranspose(part, filters[g], whole, [sh, sw], 'valid'));
  let y = parts.length === 1 ? parts[0] : tf.concat(parts, 3);
  const [oh, ow] = layer.outputPadding;
  y = padAxis(tf, padAxis(tf, y, 1, 0, oh, 'zeros'), 2, 0, ow, 'zeros');
  const [ph, pw] = layer.padding;
  y = tf.slice(y, [0, ph, pw, 0], [-1, y.shape[1] - 2 * ph, y.shape[2] - 2 * pw, -1]);
  return own.bias ? tf.add(y, own.bias) : y;
}

/** The loss, reduced as the problem says: cross-entropy over class indices, or the flat form's losses entry by entry. */
function lossOf(tf: typeof TF, network: NetworkProblem, prediction: TF.Tensor, target: TF.Tensor): TF.Scalar {
  const reduce = (t: TF.Tensor) => (network.reduction === 'mean' ? tf.mean(t) : tf.sum(t)) as TF.Scalar;
  if (network.loss.type === 'cross_entropy') {
    // ℓ_n = −log softmax(z_n)[t_n]
    const classes = prediction.shape[1]!;
    const picked = tf.sum(tf.mul(tf.oneHot(target as TF.Tensor1D, classes), tf.logSoftmax(prediction)), 1);
    return reduce(tf.neg(picked));
  }
  return reduce(elementLossTfjs(tf, network.loss, prediction, target));
}
