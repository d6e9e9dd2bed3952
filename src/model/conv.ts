// The convolution stage (PyTorch's Conv2d is a cross-correlation): forward, its symbolic form, and the
// compact rules of its backward pass.
import { ZERO, type Rational } from '../numbers/rational.js';
import { add, mul, num, sym, type Expr } from '../expr/expr.js';
import { at, makeGrid, type Grid } from './grid.js';
import { paddedSource, tap, type ConvGeometry } from './geometry.js';

/** X̃: the input inside its border of zeros. */
export function padInput(g: ConvGeometry, input: Grid<Rational>): Grid<Rational> {
  return makeGrid(g.padded.rows, g.padded.cols, (r, c) => {
    const source = paddedSource(g, r, c);
    return source ? at(input, ...source) : ZERO;
  });
}

// σ_ij = Σ_mn k_mn · x̃_{i·s_h + m·d_h, j·s_w + n·d_w} + b
export function convForward(g: ConvGeometry, padded: Grid<Rational>, kernel: Grid<Rational>, bias: Rational | undefined): Grid<Rational> {
  return makeGrid(g.output.rows, g.output.cols, (i, j) => {
    let sum = bias ?? ZERO;
    for (let m = 0; m < g.kernel.rows; m++) {
      for (let n = 0; n < g.kernel.cols; n++) sum = sum.add(at(kernel, m, n).mul(at(padded, ...tap(g, i, j, m, n))));
    }
    return sum;
  });
}

/** σ_ij written out: k_11 x_11 + k_12 x_12 + … (+ b); a kernel entry that falls on zero padding drops out. */
export function sigmaExpr(g: ConvGeometry, i: number, j: number, hasBias: boolean): Expr {
  const terms: Expr[] = [];
  for (let m = 0; m < g.kernel.rows; m++) {
    for (let n = 0; n < g.kernel.cols; n++) {
      const source = paddedSource(g, ...tap(g, i, j, m, n));
      terms.push(mul(sym('k', m + 1, n + 1), source ? sym('x', source[0] + 1, source[1] + 1) : num(0)));
    }
  }
  if (hasBias) terms.push(sym('b'));
  return add(...terms);
}

/**
 * C = A ⋆ B, a valid cross-correlation of A with B read at the given stride and with B's entries spaced
 * by the given dilation, keeping the first rows × cols entries:
 * C_mn = Σ_ij B_ij · A_{m·stride_h + i·dilation_h, n·stride_w + j·dilation_w}
 */
export function correlate(
  a: Grid<Rational>,
  b: Grid<Rational>,
  options: { stride: readonly [number, number]; dilation: readonly [number, number]; rows: number; cols: number },
): Grid<Rational> {
  const { stride, dilation } = options;
  return makeGrid(options.rows, options.cols, (m, n) => {
    let sum = ZERO;
    for (let i = 0; i < b.rows; i++) {
      for (let j = 0; j < b.cols; j++) sum = sum.add(at(b, i, j).mul(at(a, m * stride[0] + i * dilation[0], n * stride[1] + j * dilation[1])));
    }
    return sum;
  });
}

// ∂L/∂k_mn = Σ_ij δ_ij · x̃_{i·s_h + m·d_h, j·s_w + n·d_w}: X̃ ⋆ δ, stride and dilation swapping roles
export function kernelGradient(g: ConvGeometry, padded: Grid<Rational>, delta: Grid<Rational>): Grid<Rational> {
  return correlate(padded, delta, { stride: g.dilation, dilation: g.stride, rows: g.kernel.rows, cols: g.kernel.cols });
}

// ∂L/∂b = Σ_ij δ_ij
export function biasGradient(delta: Grid<Rational>): Rational {
  return delta.data.reduce((sum, d) => sum.add(d), ZERO);
}

/** The pieces of the transposed convolution that gives ∂L/∂X, kept for the derivation to show. */
export interface InputGradientParts {
  /** δ with s − 1 zeros between neighbours and a border of d·(k − 1) zeros. */
  readonly spreadDelta: Grid<Rational>;
  /** The kernel with d − 1 zeros between neighbours, turned by 180°. */
  readonly rotatedKernel: Grid<Rational>;
  /** ∂L/∂X̃ on the padded grid; rows and columns the stride never reaches are 0. */
  readonly paddedGradient: Grid<Rational>;
  /** ∂L/∂X: the padded gradient without its border. */
  readonly gradient: Grid<Rational>;
}

// ∂L/∂X̃ = pad_{d(k−1)}(δ spread by s) ⋆ rot180(K dilated by d); then ∂L/∂X = the part inside the padding
export function inputGradient(g: ConvGeometry, kernel: Grid<Rational>, delta: Grid<Rational>): InputGradientParts {
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const spanRows = dh * (g.kernel.rows - 1);
  const spanCols = dw * (g.kernel.cols - 1);
  const spreadDelta = makeGrid(sh * (delta.rows - 1) + 1 + 2 * spanRows, sw * (delta.cols - 1) + 1 + 2 * spanCols, (r, c) => {
    const i = r - spanRows;
    const j = c - spanCols;
    return i >= 0 && j >= 0 && i % sh === 0 && j % sw === 0 && i / sh < delta.rows && j / sw < delta.cols ? at(delta, i / sh, j / sw) : ZERO;
  });
  const rotatedKernel = makeGrid(spanRows + 1, spanCols + 1, (r, c) => {
    const m = (spanRows - r) / dh;
    const n = (spanCols - c) / dw;
    return Number.isInteger(m) && Number.isInteger(n) ? at(kernel, m, n) : ZERO;
  });
  const reached = correlate(spreadDelta, rotatedKernel, {
    stride: [1, 1],
    dilation: [1, 1],
    rows: spreadDelta.rows - rotatedKernel.rows + 1,
    cols: spreadDelta.cols - rotatedKernel.cols + 1,
  });
  const paddedGradient = makeGrid(g.padded.rows, g.padded.cols, (r, c) => (r < reached.rows && c < reached.cols ? at(reached, r, c) : ZERO));
  const gradient = makeGrid(g.input.rows, g.input.cols, (i, j) => at(paddedGradient, i + g.padding.top, j + g.padding.left));
  return { spreadDelta, rotatedKernel, paddedGradient, gradient };
}
