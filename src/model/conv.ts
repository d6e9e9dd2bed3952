// The convolution stage (PyTorch's Conv2d is a cross-correlation): forward, its symbolic form, and the
// rules of its backward pass. Maps are [N][C][H][W], the kernel [C_out][C_in/groups][kh][kw].
import { add as addScalar, ZERO, type Scalar } from '../numbers/scalar.js';
import type { Rational } from '../numbers/rational.js';
import { addAll, mul, sym, type Expr, type Sym } from '../expr/expr.js';
import { at, makeGrid, type Grid } from './grid.js';
import { channelsPerGroup, inputChannel, paddedSource, tap, type ConvGeometry } from './geometry.js';
import { get, makeTensor, offset, type Tensor } from './tensor.js';
import { sumsOfProducts } from './dense.js';

/** X̃: the input inside its border (zeros, or copies of input entries for the other padding modes). */
export function padInput(g: ConvGeometry, input: Tensor<Rational>): Tensor<Rational> {
  return makeTensor([g.batch, g.inChannels, g.padded.rows, g.padded.cols], ([n, c, r, q]) => {
    const source = paddedSource(g, r, q);
    return source ? get(input, n, c, source[0], source[1]) : ZERO;
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

/** How the derivation names entries: which indices it writes as superscripts (only those that vary). */
export interface Naming {
  /** x^{(n,c)}: show the batch index, the channel index. */
  readonly input: { readonly batch: boolean; readonly channel: boolean };
  /** k^{(o,c)} */
  readonly kernel: { readonly out: boolean; readonly channel: boolean };
  /** σ^{(n,o)} */
  readonly output: { readonly batch: boolean; readonly channel: boolean };
}

export function namingFor(g: ConvGeometry): Naming {
  const batch = g.batch > 1;
  return {
    input: { batch, channel: g.inChannels > 1 },
    kernel: { out: g.outChannels > 1, channel: channelsPerGroup(g) > 1 },
    output: { batch, channel: g.outChannels > 1 },
  };
}

const pick = (parts: [boolean, number][]) => parts.filter(([shown]) => shown).map(([, index]) => index + 1);

export function inputSym(naming: Naming, n: number, c: number, i: number, j: number): Sym {
  return sym('x', [i + 1, j + 1], pick([[naming.input.batch, n], [naming.input.channel, c]]));
}

export function kernelSym(naming: Naming, o: number, c: number, m: number, q: number): Sym {
  return sym('k', [m + 1, q + 1], pick([[naming.kernel.out, o], [naming.kernel.channel, c]]));
}

export function biasSym(naming: Naming, o: number): Sym {
  return naming.kernel.out ? sym('b', [o + 1]) : sym('b', []);
}

/** Names of a map of the output's shape (σ, a, p, δ, y, t): σ^{(n,o)}_{ij}. */
export function outputSym(name: 'sigma' | 'delta' | 'a' | 'p' | 'y' | 't', naming: Naming, n: number, o: number, i: number, j: number): Sym {
  return sym(name, [i + 1, j + 1], pick([[naming.output.batch, n], [naming.output.channel, o]]));
}

/** The symbols of one problem, each made once and shared by every expression that names it. */
export interface Symbols {
  input(n: number, c: number, i: number, j: number): Sym;
  kernel(o: number, c: number, m: number, q: number): Sym;
}

export function symbolsFor(g: ConvGeometry, naming: Naming): Symbols {
  const made = new Map<number, Sym>();
  const once = (key: number, make: () => Sym) => {
    let s = made.get(key);
    if (!s) made.set(key, (s = make()));
    return s;
  };
  const inputs = g.batch * g.inChannels * g.input.rows * g.input.cols;
  return {
    input: (n, c, i, j) => once(((n * g.inChannels + c) * g.input.rows + i) * g.input.cols + j, () => inputSym(naming, n, c, i, j)),
    kernel: (o, c, m, q) => once(inputs + ((o * channelsPerGroup(g) + c) * g.kernel.rows + m) * g.kernel.cols + q, () => kernelSym(naming, o, c, m, q)),
  };
}

/** σ written out: Σ_c Σ_mn k·x (+ b); a kernel entry that falls on zero padding drops out. */
export function sigmaExpr(g: ConvGeometry, naming: Naming, n: number, o: number, i: number, j: number, hasBias: boolean, symbols: Symbols = symbolsFor(g, naming)): Expr {
  const terms: Expr[] = [];
  for (let c = 0; c < channelsPerGroup(g); c++) {
    const channel = inputChannel(g, o, c);
    for (let m = 0; m < g.kernel.rows; m++) {
      for (let q = 0; q < g.kernel.cols; q++) {
        const source = paddedSource(g, ...tap(g, i, j, m, q));
        if (source) terms.push(mul(symbols.kernel(o, c, m, q), symbols.input(n, channel, source[0], source[1])));
      }
    }
  }
  if (hasBias) terms.push(biasSym(naming, o));
  return addAll(terms);
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
