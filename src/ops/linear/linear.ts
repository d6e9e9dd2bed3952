// nn.Linear's numbers: y = x Wᵀ + b on a batch [N][in] → [N][out], and the rules of its backward pass,
// each a loop over doubles that runs exact too (numbers/sums-of-products.ts). The weight is [out][in].
import { add, ZERO, type Scalar } from '../../numbers/scalar.js';
import { sumsOfProducts } from '../../numbers/sums-of-products.js';
import type { Tensor } from '../../tensor/tensor.js';

/** The sizes of one linear layer at work: batch N, in features, out features. */
export interface LinearSizes {
  readonly batch: number;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

export function linearSizes(input: Tensor<Scalar>, weight: Tensor<Scalar>): LinearSizes {
  return { batch: input.shape[0], inFeatures: weight.shape[1], outFeatures: weight.shape[0] };
}

// y_{n,o} = b_o + Σ_i x_{n,i} · w_{o,i}
export function linearForward(input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: readonly Scalar[] | undefined): Tensor<Scalar> {
  const { batch: N, inFeatures: I, outFeatures: O } = linearSizes(input, weight);
  const data = sumsOfProducts(input.data, weight.data, I, (x, w) => {
    const sums = new Float64Array(N * O);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let i = 0; i < I; i++) s += x[n * I + i] * w[o * I + i];
        sums[n * O + o] = s;
      }
    return sums;
  });
  if (bias) for (let flat = 0; flat < data.length; flat++) data[flat] = add(data[flat], bias[flat % O]);
  return { shape: [N, O], data };
}

// ∂L/∂w_{o,i} = Σ_n δ_{n,o} · x_{n,i}   (∂L/∂W = δᵀ x)
export function weightGradient(input: Tensor<Scalar>, delta: Tensor<Scalar>): Tensor<Scalar> {
  const [N, I] = input.shape;
  const O = delta.shape[1];
  const data = sumsOfProducts(delta.data, input.data, N, (d, x) => {
    const sums = new Float64Array(O * I);
    for (let o = 0; o < O; o++)
      for (let i = 0; i < I; i++) {
        let s = 0;
        for (let n = 0; n < N; n++) s += d[n * O + o] * x[n * I + i];
        sums[o * I + i] = s;
      }
    return sums;
  });
  return { shape: [O, I], data };
}

// ∂L/∂b_o = Σ_n δ_{n,o}
export function linearBiasGradient(delta: Tensor<Scalar>): Tensor<Scalar> {
  const [N, O] = delta.shape;
  const data = Array.from({ length: O }, (_, o) => {
    let total: Scalar = ZERO;
    for (let n = 0; n < N; n++) total = add(total, delta.data[n * O + o]);
    return total;
  });
  return { shape: [O], data };
}

// ∂L/∂x_{n,i} = Σ_o δ_{n,o} · w_{o,i}   (∂L/∂x = δ W)
export function linearInputGradient(weight: Tensor<Scalar>, delta: Tensor<Scalar>): Tensor<Scalar> {
  const [O, I] = weight.shape;
  const N = delta.shape[0];
  const data = sumsOfProducts(delta.data, weight.data, O, (d, w) => {
    const sums = new Float64Array(N * I);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < O; o++) {
        const dv = d[n * O + o];
        if (dv === 0) continue;
        for (let i = 0; i < I; i++) sums[n * I + i] += dv * w[o * I + i];
      }
    return sums;
  });
  return { shape: [N, I], data };
}
