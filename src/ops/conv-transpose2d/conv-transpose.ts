// conv_transpose2d's numbers (nn.ConvTranspose2d): every input entry scatters a copy of its kernel, scaled
// by itself, onto the output; the rules of its backward pass gather the same taps back. Each is one loop
// over doubles that runs exact too (numbers/sums-of-products.ts). Maps are [N][C][H][W], the kernel
// [C_in][C_out/groups][kh][kw].
import { add, ZERO, type Scalar } from '../../numbers/scalar.js';
import { sumsOfProducts } from '../../numbers/sums-of-products.js';
import type { Tensor } from '../../tensor/tensor.js';
import { inChannelsPerGroup, outChannelsPerGroup, outputChannel, type ConvTranspose2dGeometry } from './geometry.js';

/**
 * Every tap of the scatter: for each (n, c, o_local, m, q) with a kernel entry k, and each input row i
 * whose landing row r = i·s_h − p_h + m·d_h is inside the output, `row` gets the flat offsets of
 * x_{n,c,i,·} and y_{n,o,r,·}, then the columns (j, col = j·s_w − p_w + q·d_w) inside the output.
 */
function scatter(g: ConvTranspose2dGeometry, tap: (kernelAt: number, inputAt: number, outputAt: number) => void): void {
  const [H, W, Ho, Wo, kh, kw] = [g.input.rows, g.input.cols, g.output.rows, g.output.cols, g.kernel.rows, g.kernel.cols];
  const [sh, sw] = g.stride;
  const [ph, pw] = g.padding;
  const [dh, dw] = g.dilation;
  const [C, Co, Cog] = [g.inChannels, g.outChannels, outChannelsPerGroup(g)];
  // The columns j whose landing column is inside the output, for each kernel column q.
  const columns = Array.from({ length: kw }, (_, q) => Array.from({ length: W }, (_, j) => j).filter((j) => j * sw - pw + q * dw >= 0 && j * sw - pw + q * dw < Wo));
  for (let n = 0; n < g.batch; n++)
    for (let c = 0; c < C; c++)
      for (let ol = 0; ol < Cog; ol++) {
        const o = outputChannel(g, c, ol);
        for (let m = 0; m < kh; m++)
          for (let q = 0; q < kw; q++) {
            const kernelAt = ((c * Cog + ol) * kh + m) * kw + q;
            for (let i = 0; i < H; i++) {
              const r = i * sh - ph + m * dh;
              if (r < 0 || r >= Ho) continue;
              const xRow = ((n * C + c) * H + i) * W;
              const yRow = ((n * Co + o) * Ho + r) * Wo - pw + q * dw;
              for (const j of columns[q]) tap(kernelAt, xRow + j, yRow + j * sw);
            }
          }
      }
}

// y_{n,o,r,s} = b_o + Σ over every (c, i, j, m, q) that lands on (r, s) of x_{n,c,i,j} · k_{c,o_local,m,q},
// r = i·s_h − p_h + m·d_h, s = j·s_w − p_w + q·d_w, o = group(c)·(C_out/groups) + o_local
export function convTransposeForward(g: ConvTranspose2dGeometry, input: Tensor<Scalar>, kernel: Tensor<Scalar>, bias: readonly Scalar[] | undefined): Tensor<Scalar> {
  const [Ho, Wo, Co] = [g.output.rows, g.output.cols, g.outChannels];
  // An output entry collects at most (C_in/groups)·kh·kw products: one input entry per kernel entry.
  const data = sumsOfProducts(input.data, kernel.data, inChannelsPerGroup(g) * g.kernel.rows * g.kernel.cols, (x, k) => {
    const sums = new Float64Array(g.batch * Co * Ho * Wo);
    scatter(g, (kAt, xAt, yAt) => (sums[yAt] += x[xAt] * k[kAt]));
    return sums;
  });
  if (bias) for (let flat = 0; flat < data.length; flat++) data[flat] = add(data[flat], bias[Math.floor(flat / (Ho * Wo)) % Co]);
  return { shape: [g.batch, Co, Ho, Wo], data };
}

// ∂L/∂x_{n,c,i,j} = Σ_{o_local,m,q} δ_{n,o,i·s_h − p_h + m·d_h, j·s_w − p_w + q·d_w} · k_{c,o_local,m,q}   (taps inside the output)
// — conv2d's forward of δ with the same kernel, stride, padding, dilation and groups
export function convTransposeInputGradient(g: ConvTranspose2dGeometry, kernel: Tensor<Scalar>, delta: Tensor<Scalar>): Tensor<Scalar> {
  const data = sumsOfProducts(delta.data, kernel.data, outChannelsPerGroup(g) * g.kernel.rows * g.kernel.cols, (d, k) => {
    const sums = new Float64Array(g.batch * g.inChannels * g.input.rows * g.input.cols);
    scatter(g, (kAt, xAt, yAt) => (sums[xAt] += d[yAt] * k[kAt]));
    return sums;
  });
  return { shape: [g.batch, g.inChannels, g.input.rows, g.input.cols], data };
}

// ∂L/∂k_{c,o_local,m,q} = Σ_{n,i,j} x_{n,c,i,j} · δ_{n,o,i·s_h − p_h + m·d_h, j·s_w − p_w + q·d_w}   (taps inside the output)
export function convTransposeKernelGradient(g: ConvTranspose2dGeometry, input: Tensor<Scalar>, delta: Tensor<Scalar>): Tensor<Scalar> {
  const shape = [g.inChannels, outChannelsPerGroup(g), g.kernel.rows, g.kernel.cols];
  const data = sumsOfProducts(input.data, delta.data, g.batch * g.input.rows * g.input.cols, (x, d) => {
    const sums = new Float64Array(shape[0] * shape[1] * shape[2] * shape[3]);
    scatter(g, (kAt, xAt, yAt) => (sums[kAt] += x[xAt] * d[yAt]));
    return sums;
  });
  return { shape, data };
}

// ∂L/∂b_o = Σ_{n,r,s} δ_{n,o,r,s}
export function convTransposeBiasGradient(g: ConvTranspose2dGeometry, delta: Tensor<Scalar>): Tensor<Scalar> {
  const plane = g.output.rows * g.output.cols;
  const data = Array.from({ length: g.outChannels }, (_, o) => {
    let total: Scalar = ZERO;
    for (let n = 0; n < g.batch; n++) for (let k = 0; k < plane; k++) total = add(total, delta.data[(n * g.outChannels + o) * plane + k]);
    return total;
  });
  return { shape: [g.outChannels], data };
}
