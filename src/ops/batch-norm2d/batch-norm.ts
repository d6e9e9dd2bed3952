// nn.BatchNorm2d's numbers in training mode: every channel normalized by the batch's own mean and biased
// variance over N, H, W, then scaled by γ and shifted by β; and the rules of its backward pass. Exact
// where the maths is: the mean and the variance of an exact input are rationals, √(σ² + ε) is one when
// σ² + ε is the square of a rational (numbers/square-root.ts), and float64 from there on otherwise.
import { add, div, exact, mul, ONE, sign, sub, ZERO, type Scalar } from '../../numbers/scalar.js';
import type { Rational } from '../../numbers/rational.js';
import { squareRoot } from '../../numbers/square-root.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface BatchNormStatistics {
  /** μ_c, [C]. */
  readonly mean: Tensor<Scalar>;
  /** σ²_c (biased: divided by N·H·W), [C]. */
  readonly variance: Tensor<Scalar>;
  /** 1/√(σ²_c + ε), [C]. */
  readonly invStd: Tensor<Scalar>;
  /** x̂ = (x − μ)/√(σ² + ε), the input's shape. */
  readonly xhat: Tensor<Scalar>;
}

/** [N][C][H][W] → C, the values per channel M = N·H·W, and where entry k of channel c's list sits in the flat data. */
function layout(shape: readonly number[]): { channels: number; count: number; at: (c: number, k: number) => number } {
  const [N, C, H, W] = shape;
  const plane = H * W;
  return { channels: C, count: N * plane, at: (c, k) => (Math.floor(k / plane) * C + c) * plane + (k % plane) };
}

/** Σ over N, H, W of f(flat offset), one sum per channel. */
function channelSums(shape: readonly number[], f: (flat: number) => Scalar): Scalar[] {
  const { channels, count, at } = layout(shape);
  return Array.from({ length: channels }, (_, c) => {
    let total: Scalar = ZERO;
    for (let k = 0; k < count; k++) total = add(total, f(at(c, k)));
    return total;
  });
}

/** The channel of a flat offset of an [N][C][H][W] tensor. */
function channelOf(shape: readonly number[], flat: number): number {
  return Math.floor(flat / (shape[2] * shape[3])) % shape[1];
}

// μ_c = (1/M) Σ_{n,i,j} x_{n,c,i,j};  σ²_c = (1/M) Σ_{n,i,j} (x_{n,c,i,j} − μ_c)²;  M = N·H·W
// 1/√(σ²_c + ε) (0 when σ² + ε = 0, as PyTorch's InvStd);  x̂ = (x − μ_c) · 1/√(σ²_c + ε)
export function batchNormStatistics(input: Tensor<Scalar>, eps: Rational): BatchNormStatistics {
  const { channels, count } = layout(input.shape);
  const M = exact(count);
  const mean = channelSums(input.shape, (flat) => input.data[flat]).map((s) => div(s, M));
  const centered = input.data.map((x, flat) => sub(x, mean[channelOf(input.shape, flat)]));
  const variance = channelSums(input.shape, (flat) => mul(centered[flat], centered[flat])).map((s) => div(s, M));
  const invStd = variance.map((v) => {
    const shifted = add(v, eps);
    return sign(shifted) === 0 ? ZERO : div(ONE, squareRoot(shifted));
  });
  const xhat = centered.map((d, flat) => mul(d, invStd[channelOf(input.shape, flat)]));
  return { mean: { shape: [channels], data: mean }, variance: { shape: [channels], data: variance }, invStd: { shape: [channels], data: invStd }, xhat: { shape: input.shape, data: xhat } };
}

// y_{n,c,i,j} = γ_c · x̂_{n,c,i,j} + β_c
export function batchNormOutput(xhat: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>): Tensor<Scalar> {
  return { shape: xhat.shape, data: xhat.data.map((v, flat) => add(mul(weight.data[channelOf(xhat.shape, flat)], v), bias.data[channelOf(xhat.shape, flat)])) };
}

// ∂L/∂β_c = Σ_{n,i,j} δ_{n,c,i,j}
export function shiftGradient(delta: Tensor<Scalar>): Tensor<Scalar> {
  const sums = channelSums(delta.shape, (flat) => delta.data[flat]);
  return { shape: [sums.length], data: sums };
}

// ∂L/∂γ_c = Σ_{n,i,j} δ_{n,c,i,j} · x̂_{n,c,i,j}
export function scaleGradient(delta: Tensor<Scalar>, xhat: Tensor<Scalar>): Tensor<Scalar> {
  const sums = channelSums(delta.shape, (flat) => mul(delta.data[flat], xhat.data[flat]));
  return { shape: [sums.length], data: sums };
}

// ∂L/∂x_{n,c,i,j} = γ_c/√(σ²_c + ε) · (δ_{n,c,i,j} − mean_c(δ) − x̂_{n,c,i,j} · mean_c(δ x̂))
// with mean_c(δ) = (∂L/∂β_c)/M and mean_c(δ x̂) = (∂L/∂γ_c)/M
export function batchNormInputGradient(delta: Tensor<Scalar>, stats: BatchNormStatistics, weight: Tensor<Scalar>, meanDelta: readonly Scalar[], meanDeltaXhat: readonly Scalar[]): Tensor<Scalar> {
  const factor = weight.data.map((gamma, c) => mul(gamma, stats.invStd.data[c]));
  return {
    shape: delta.shape,
    data: delta.data.map((d, flat) => {
      const c = channelOf(delta.shape, flat);
      return mul(factor[c], sub(sub(d, meanDelta[c]), mul(stats.xhat.data[flat], meanDeltaXhat[c])));
    }),
  };
}

/** M = N·H·W, the values each channel's statistics are taken over. */
export function valuesPerChannel(shape: readonly number[]): number {
  return layout(shape).count;
}
