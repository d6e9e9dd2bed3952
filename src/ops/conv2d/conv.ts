// conv2d's numbers (PyTorch's Conv2d is a cross-correlation): the padded input, the forward pass and
// the rules of its backward pass, each one loop over doubles that runs exact too (numbers/sums-of-products.ts).
// Maps are [N][C][H][W], the kernel [C_out][C_in/groups][kh][kw].
import { add as addScalar, ZERO, type Scalar } from '../../numbers/scalar.js';
import type { Rational } from '../../numbers/rational.js';
import { sumsOfProducts } from '../../numbers/sums-of-products.js';
import { get, makeTensor, offset, type Tensor } from '../../tensor/tensor.js';
import { channelsPerGroup, inputChannel, paddedSource, type ConvGeometry } from './geometry.js';

/** X̃: the input inside its border (zeros, or copies of input entries for the other padding modes). */
export function padInput<T extends Scalar>(g: ConvGeometry, input: Tensor<T>): Tensor<T | Rational> {
  return makeTensor([g.batch, g.inChannels, g.padded.rows, g.padded.cols], ([n, c, r, q]) => {
    const source = paddedSource(g, r, q);
    return source ? get(input, n, c, source[0], source[1]) : (ZERO as T | Rational);
  });
}

// σ_{n,o,i,j} = b_o + Σ_c Σ_mn k_{o,c,m,n} · x̃_{n, group(o)·C_in/g + c, i·s_h + m·d_h, j·s_w + n·d_w}
export function convForward(g: ConvGeometry, padded: Tensor<Scalar>, kernel: Tensor<Scalar>, bias: readonly Scalar[] | undefined): Tensor<Scalar> {
  const [Ho, Wo, Co] = [g.output.rows, g.output.cols, g.outChannels];
  const data = sumsOfProducts(padded.data, kernel.data, channelsPerGroup(g) * g.kernel.rows * g.kernel.cols, (x, k) => forwardLoop(g, x, k));
  if (bias) for (let flat = 0; flat < data.length; flat++) data[flat] = addScalar(data[flat], bias[Math.floor(flat / (Ho * Wo)) % Co]);
  return { shape: [g.batch, Co, Ho, Wo], data };
}

function forwardLoop(g: ConvGeometry, x: Float64Array, k: Float64Array): Float64Array {
  const [Hp, Wp, Ho, Wo, kh, kw, Cg, C, Co] = [g.padded.rows, g.padded.cols, g.output.rows, g.output.cols, g.kernel.rows, g.kernel.cols, channelsPerGroup(g), g.inChannels, g.outChannels];
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const sums = new Float64Array(g.batch * Co * Ho * Wo);
  for (let n = 0; n < g.batch; n++)
    for (let o = 0; o < Co; o++)
      for (let c = 0; c < Cg; c++) {
        const xBase = (n * C + inputChannel(g, o, c)) * Hp;
        for (let m = 0; m < kh; m++)
          for (let q = 0; q < kw; q++) {
            const kv = k[((o * Cg + c) * kh + m) * kw + q];
            if (kv === 0) continue;
            for (let i = 0; i < Ho; i++) {
              const out = ((n * Co + o) * Ho + i) * Wo;
              const row = (xBase + i * sh + m * dh) * Wp + q * dw;
              for (let j = 0; j < Wo; j++) sums[out + j] += kv * x[row + j * sw];
            }
          }
      }
  return sums;
}

// ∂L/∂k_{o,c,m,n} = Σ_{n,i,j} δ_{n,o,i,j} · x̃_{n, group(o)·C_in/g + c, i·s_h + m·d_h, j·s_w + n·d_w}
export function kernelGradient(g: ConvGeometry, padded: Tensor<Scalar>, delta: Tensor<Scalar>): Tensor<Scalar> {
  const data = sumsOfProducts(delta.data, padded.data, g.batch * g.output.rows * g.output.cols, (d, x) => kernelGradientLoop(g, d, x));
  return { shape: [g.outChannels, channelsPerGroup(g), g.kernel.rows, g.kernel.cols], data };
}

function kernelGradientLoop(g: ConvGeometry, d: Float64Array, x: Float64Array): Float64Array {
  const [Hp, Wp, Ho, Wo, kh, kw, Cg, C, Co] = [g.padded.rows, g.padded.cols, g.output.rows, g.output.cols, g.kernel.rows, g.kernel.cols, channelsPerGroup(g), g.inChannels, g.outChannels];
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const sums = new Float64Array(Co * Cg * kh * kw);
  for (let o = 0; o < Co; o++)
    for (let c = 0; c < Cg; c++)
      for (let m = 0; m < kh; m++)
        for (let q = 0; q < kw; q++) {
          let sum = 0;
          for (let n = 0; n < g.batch; n++) {
            const xBase = (n * C + inputChannel(g, o, c)) * Hp;
            for (let i = 0; i < Ho; i++) {
              const dRow = ((n * Co + o) * Ho + i) * Wo;
              const xRow = (xBase + i * sh + m * dh) * Wp + q * dw;
              for (let j = 0; j < Wo; j++) sum += d[dRow + j] * x[xRow + j * sw];
            }
          }
          sums[((o * Cg + c) * kh + m) * kw + q] = sum;
        }
  return sums;
}

// ∂L/∂b_o = Σ_{n,i,j} δ_{n,o,i,j}
export function biasGradient(g: ConvGeometry, delta: Tensor<Scalar>): Scalar[] {
  return Array.from({ length: g.outChannels }, (_, o) => {
    let sum: Scalar = ZERO;
    for (let n = 0; n < g.batch; n++) for (let i = 0; i < g.output.rows; i++) for (let j = 0; j < g.output.cols; j++) sum = addScalar(sum, get(delta, n, o, i, j));
    return sum;
  });
}

// ∂L/∂x̃_{n,c,r,s} = Σ over every (o, i, j, m, n) whose tap is (r, s) on channel c of δ_{n,o,i,j} · k_{o,c',m,n}
export function paddedInputGradient(g: ConvGeometry, kernel: Tensor<Scalar>, delta: Tensor<Scalar>): Tensor<Scalar> {
  // A padded cell collects at most C_out·kh·kw products.
  const data = sumsOfProducts(delta.data, kernel.data, g.outChannels * g.kernel.rows * g.kernel.cols, (d, k) => paddedInputGradientLoop(g, d, k));
  return { shape: [g.batch, g.inChannels, g.padded.rows, g.padded.cols], data };
}

function paddedInputGradientLoop(g: ConvGeometry, d: Float64Array, k: Float64Array): Float64Array {
  const [Hp, Wp, Ho, Wo, kh, kw, Cg, C, Co] = [g.padded.rows, g.padded.cols, g.output.rows, g.output.cols, g.kernel.rows, g.kernel.cols, channelsPerGroup(g), g.inChannels, g.outChannels];
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const sums = new Float64Array(g.batch * C * Hp * Wp);
  for (let n = 0; n < g.batch; n++)
    for (let o = 0; o < Co; o++)
      for (let c = 0; c < Cg; c++) {
        const xBase = (n * C + inputChannel(g, o, c)) * Hp;
        for (let m = 0; m < kh; m++)
          for (let q = 0; q < kw; q++) {
            const kv = k[((o * Cg + c) * kh + m) * kw + q];
            if (kv === 0) continue;
            for (let i = 0; i < Ho; i++) {
              const dRow = ((n * Co + o) * Ho + i) * Wo;
              const xRow = (xBase + i * sh + m * dh) * Wp + q * dw;
              for (let j = 0; j < Wo; j++) sums[xRow + j * sw] += kv * d[dRow + j];
            }
          }
      }
  return sums;
}

// ∂L/∂x_{n,c,i,j} = Σ of ∂L/∂x̃ over every padded cell that shows x_{n,c,i,j} (itself, and its copies in the border)
export function foldPadding(g: ConvGeometry, paddedGradient: Tensor<Scalar>): Tensor<Scalar> {
  const shape = [g.batch, g.inChannels, g.input.rows, g.input.cols];
  const data: Scalar[] = new Array(shape.reduce((a, b) => a * b)).fill(ZERO);
  for (let n = 0; n < g.batch; n++)
    for (let c = 0; c < g.inChannels; c++)
      for (let r = 0; r < g.padded.rows; r++)
        for (let s = 0; s < g.padded.cols; s++) {
          const source = paddedSource(g, r, s);
          if (!source) continue;
          const at = offset(shape, [n, c, source[0], source[1]]);
          data[at] = addScalar(data[at], get(paddedGradient, n, c, r, s));
        }
  return { shape, data };
}
