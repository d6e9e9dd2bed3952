// Where every kernel entry lands on the (padded) input: the index arithmetic of a strided, dilated, padded conv.
import type { Rational } from '../numbers/rational.js';
import type { Padding, Pair, Problem } from '../problem/problem.js';
import type { Grid } from './grid.js';

export interface Extent {
  readonly rows: number;
  readonly cols: number;
}

export interface ConvGeometry {
  readonly input: Extent;
  readonly kernel: Extent;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
  readonly padded: Extent;
  readonly output: Extent;
}

export function convGeometry(problem: Pick<Problem, 'input' | 'stride' | 'dilation' | 'padding'>, kernel: Grid<Rational>): ConvGeometry {
  const { input, stride, dilation, padding } = problem;
  const padded = { rows: input.rows + padding.top + padding.bottom, cols: input.cols + padding.left + padding.right };
  return {
    input: { rows: input.rows, cols: input.cols },
    kernel: { rows: kernel.rows, cols: kernel.cols },
    stride,
    dilation,
    padding,
    padded,
    output: {
      rows: outputExtent(padded.rows, kernel.rows, stride[0], dilation[0]),
      cols: outputExtent(padded.cols, kernel.cols, stride[1], dilation[1]),
    },
  };
}

// H' = ⌊(H_padded − d·(k − 1) − 1) / s⌋ + 1
export function outputExtent(padded: number, kernel: number, stride: number, dilation: number): number {
  return Math.floor((padded - dilation * (kernel - 1) - 1) / stride) + 1;
}

// Output (i, j) meets kernel entry (m, n) at padded cell (i·s_h + m·d_h, j·s_w + n·d_w)   (0-based)
export function tap(g: ConvGeometry, i: number, j: number, m: number, n: number): [number, number] {
  return [i * g.stride[0] + m * g.dilation[0], j * g.stride[1] + n * g.dilation[1]];
}

/** The input entry a padded cell shows, or null for a zero of the padding. */
export function paddedSource(g: ConvGeometry, r: number, c: number): [number, number] | null {
  const i = r - g.padding.top;
  const j = c - g.padding.left;
  return i >= 0 && i < g.input.rows && j >= 0 && j < g.input.cols ? [i, j] : null;
}

export function hasPadding(g: ConvGeometry): boolean {
  const p = g.padding;
  return p.top + p.bottom + p.left + p.right > 0;
}

/** Does some kernel entry, in some window, fall on the zero padding? */
export function touchesPadding(g: ConvGeometry): boolean {
  return everyTap(g).some(([r, c]) => paddedSource(g, r, c) === null);
}

/** Which input entries (row-major) some kernel entry meets in some window; the others get gradient 0. */
export function touchedInputs(g: ConvGeometry): boolean[] {
  const touched = new Array<boolean>(g.input.rows * g.input.cols).fill(false);
  for (const [r, c] of everyTap(g)) {
    const source = paddedSource(g, r, c);
    if (source) touched[source[0] * g.input.cols + source[1]] = true;
  }
  return touched;
}

/** The padded cell of every (output entry, kernel entry) pair. */
function everyTap(g: ConvGeometry): [number, number][] {
  const taps: [number, number][] = [];
  for (let i = 0; i < g.output.rows; i++)
    for (let j = 0; j < g.output.cols; j++)
      for (let m = 0; m < g.kernel.rows; m++) for (let n = 0; n < g.kernel.cols; n++) taps.push(tap(g, i, j, m, n));
  return taps;
}
