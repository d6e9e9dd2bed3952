// ∂L/∂K and ∂L/∂X̃ as the derivation shows them, channel pair by channel pair: a cross-correlation
// of X̃ with δ spread by the stride, and a transposed convolution (δ padded and spread, correlated
// with the kernel turned by 180°). The model's numbers come from conv.ts; the derivation computes
// these to print them, and checks them against conv.ts's.
import { ZERO, type Scalar } from '../../numbers/scalar.js';
import { sumsOfProducts } from '../../numbers/sums-of-products.js';
import { at, makeGrid, type Grid } from '../../tensor/grid.js';
import type { ConvGeometry } from './geometry.js';

/**
 * C = A ⋆ B, a valid cross-correlation of A with B read at the given stride and with B's entries spaced
 * by the given dilation, keeping the first rows × cols entries:
 * C_mn = Σ_ij B_ij · A_{m·stride_h + i·dilation_h, n·stride_w + j·dilation_w}
 */
export function correlate(
  a: Grid<Scalar>,
  b: Grid<Scalar>,
  options: { stride: readonly [number, number]; dilation: readonly [number, number]; rows: number; cols: number },
): Grid<Scalar> {
  const { stride, dilation, rows, cols } = options;
  const data = sumsOfProducts(b.data, a.data, b.rows * b.cols, (bv, av) => {
    // Only B's nonzero entries: a kernel spread by its dilation, or a δ by the stride, is mostly zeros.
    const taps: { weight: number; offset: number }[] = [];
    for (let i = 0; i < b.rows; i++) for (let j = 0; j < b.cols; j++) if (bv[i * b.cols + j] !== 0) taps.push({ weight: bv[i * b.cols + j], offset: i * dilation[0] * a.cols + j * dilation[1] });
    const sums = new Float64Array(rows * cols);
    for (let m = 0; m < rows; m++)
      for (let n = 0; n < cols; n++) {
        const corner = m * stride[0] * a.cols + n * stride[1];
        let sum = 0;
        for (const tap of taps) sum += tap.weight * av[corner + tap.offset];
        sums[m * cols + n] = sum;
      }
    return sums;
  });
  return { rows, cols, data };
}

/** A with s − 1 zeros between neighbours along each axis: δ spread by the stride (δ↑s), K by the dilation (K↑d). */
export function spreadGrid(grid: Grid<Scalar>, [sh, sw]: readonly [number, number]): Grid<Scalar> {
  return makeGrid(sh * (grid.rows - 1) + 1, sw * (grid.cols - 1) + 1, (r, c) => (r % sh === 0 && c % sw === 0 ? at(grid, r / sh, c / sw) : ZERO));
}

/** The pieces of the cross-correlation that gives one channel pair's share of ∂L/∂K, for the derivation to show. */
export interface KernelCorrelation {
  /** δ↑s: δ with s − 1 zeros between neighbours. */
  readonly spreadDelta: Grid<Scalar>;
  /**
   * X̃ ⋆ δ↑s, the whole valid correlation: H_p − s(H' − 1) rows. Entry (m, n) of ∂L/∂K is its entry
   * (d(m − 1) + 1, d(n − 1) + 1); with d = 1 and a stride that fits X̃ exactly, that is all of it.
   */
  readonly correlation: Grid<Scalar>;
  /** The entries read, k_h × k_w. */
  readonly gradient: Grid<Scalar>;
}

// ∂L/∂k_mn = Σ_ij δ_ij x̃_{s(i−1)+d(m−1)+1, s(j−1)+d(n−1)+1} = (X̃ ⋆ δ↑s)_{d(m−1)+1, d(n−1)+1}
export function kernelCorrelation(g: ConvGeometry, padded: Grid<Scalar>, delta: Grid<Scalar>): KernelCorrelation {
  const spreadDelta = spreadGrid(delta, g.stride);
  const correlation = correlate(padded, spreadDelta, { stride: [1, 1], dilation: [1, 1], rows: padded.rows - spreadDelta.rows + 1, cols: padded.cols - spreadDelta.cols + 1 });
  const gradient = makeGrid(g.kernel.rows, g.kernel.cols, (m, n) => at(correlation, m * g.dilation[0], n * g.dilation[1]));
  return { spreadDelta, correlation, gradient };
}

/** The pieces of the transposed convolution that gives one channel pair's share of ∂L/∂X̃, for the derivation to show. */
export interface TransposedParts {
  /**
   * δ̃: δ↑s with a border of zeros, d(k − 1) above and on the left, d(k − 1) + r below and on the right,
   * where r counts the rows (columns) of X̃ that no window reaches: the result then has X̃'s size.
   */
  readonly paddedDelta: Grid<Scalar>;
  /** The kernel with d − 1 zeros between neighbours, turned by 180°: rot180(K↑d). */
  readonly rotatedKernel: Grid<Scalar>;
  /** δ̃ ⋆ rot180(K↑d), on the padded grid (H_p × W_p). */
  readonly paddedGradient: Grid<Scalar>;
}

// ∂L/∂x̃_uv = Σ δ_ij k_mn over s(i−1)+d(m−1)+1 = u, s(j−1)+d(n−1)+1 = v  =  (δ̃ ⋆ rot180(K↑d))_uv
export function transposedConvolution(g: ConvGeometry, kernel: Grid<Scalar>, delta: Grid<Scalar>): TransposedParts {
  const spanRows = g.dilation[0] * (g.kernel.rows - 1);
  const spanCols = g.dilation[1] * (g.kernel.cols - 1);
  const spread = spreadGrid(delta, g.stride);
  const paddedDelta = makeGrid(g.padded.rows + spanRows, g.padded.cols + spanCols, (r, c) => {
    const [i, j] = [r - spanRows, c - spanCols];
    return i >= 0 && j >= 0 && i < spread.rows && j < spread.cols ? at(spread, i, j) : ZERO;
  });
  const rotatedKernel = makeGrid(spanRows + 1, spanCols + 1, (r, c) => {
    const m = (spanRows - r) / g.dilation[0];
    const n = (spanCols - c) / g.dilation[1];
    return Number.isInteger(m) && Number.isInteger(n) ? at(kernel, m, n) : ZERO;
  });
  const paddedGradient = correlate(paddedDelta, rotatedKernel, { stride: [1, 1], dilation: [1, 1], rows: g.padded.rows, cols: g.padded.cols });
  return { paddedDelta, rotatedKernel, paddedGradient };
}
