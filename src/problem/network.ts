// A network problem (the contract's "Networks: layers"): the layers in order, each with its settings
// and parameters normalized, every shape checked, every default filled in. What the flat problem's
// one layer holds in its own fields, a network holds layer by layer.
import type { Rational } from '../numbers/rational.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Activation, Head, InputForm, Loss, Optimizer, Padding, PaddingMode, PaddingSpec, Pair, Pool, Reduction } from './problem.js';

export interface Conv2dLayer {
  readonly type: 'conv2d';
  /** [C_out][C_in/groups][kh][kw] */
  readonly kernel: Tensor<Rational>;
  readonly bias?: Tensor<Rational>;
  readonly stride: Pair;
  readonly padding: Padding;
  readonly paddingSpec: PaddingSpec;
  readonly paddingMode: PaddingMode;
  readonly dilation: Pair;
  readonly groups: number;
}

export interface ConvTranspose2dLayer {
  readonly type: 'conv_transpose2d';
  /** [C_in][C_out/groups][kh][kw] */
  readonly kernel: Tensor<Rational>;
  readonly bias?: Tensor<Rational>;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly outputPadding: Pair;
  readonly dilation: Pair;
  readonly groups: number;
}

/** relu, leaky_relu, sigmoid, tanh, gelu or an expression: the problem's layer type, and the activation it applies. */
export interface ActivationLayer {
  readonly type: 'activation';
  /** The type the problem wrote: "relu", "leaky_relu", …, "activation" for an expression. */
  readonly written: string;
  readonly activation: Activation;
}

export interface PoolLayer {
  readonly type: 'pool';
  readonly pool: Pool;
}

export interface BatchNorm2dLayer {
  readonly type: 'batch_norm2d';
  /** γ, [C] */
  readonly weight: Tensor<Rational>;
  /** β, [C] */
  readonly bias: Tensor<Rational>;
  readonly eps: Rational;
}

export interface FlattenLayer {
  readonly type: 'flatten';
}

export interface LinearLayer {
  readonly type: 'linear';
  /** [out][in] */
  readonly weight: Tensor<Rational>;
  readonly bias?: Tensor<Rational>;
}

export type Layer = Conv2dLayer | ConvTranspose2dLayer | ActivationLayer | PoolLayer | BatchNorm2dLayer | FlattenLayer | LinearLayer;

/** The loss of a network: the flat form's, or cross-entropy over class indices. */
export type NetworkLoss = Loss | { readonly type: 'cross_entropy' };

export interface NetworkProblem {
  readonly kind: 'network';
  readonly title?: string;
  /** [N][C][H][W] */
  readonly input: Tensor<Rational>;
  readonly inputForm: InputForm;
  readonly layers: readonly Layer[];
  /** shapes[i]: the output shape of layer i (shapes[-1] is the input's): known before any number is computed. */
  readonly shapes: readonly (readonly number[])[];
  readonly head: Head;
  readonly loss: NetworkLoss;
  readonly reduction: Reduction;
  /** Shape [] for head sum/mean; the last layer's output shape for head none; [N] class indices for cross_entropy. */
  readonly target: Tensor<Rational>;
  readonly optimizer: Optimizer;
  readonly steps: number;
}

/** Layer i's parameters by name, as the problem gave them. */
export function layerParameters(layer: Layer): Readonly<Record<string, Tensor<Rational>>> {
  switch (layer.type) {
    case 'conv2d':
    case 'conv_transpose2d':
      return layer.bias ? { kernel: layer.kernel, bias: layer.bias } : { kernel: layer.kernel };
    case 'linear':
      return layer.bias ? { weight: layer.weight, bias: layer.bias } : { weight: layer.weight };
    case 'batch_norm2d':
      return { weight: layer.weight, bias: layer.bias };
    default:
      return {};
  }
}

/** Its parameters' names in the result document and in PyTorch's order: kernel or weight, then bias. */
export function parameterNames(layer: Layer): readonly string[] {
  return Object.keys(layerParameters(layer));
}
