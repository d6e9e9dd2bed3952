// Where every kernel entry lands on the padded input: the index arithmetic of a grouped, strided,
// dilated, padded convolution, and where each padded cell takes its value from.
import type { Padding, PaddingMode, Pair, Problem } from '../../problem/problem.js';

export interface Extent {
  readonly rows: number;
  readonly cols: number;
}

export interface ConvGeometry {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly input: Extent;
  readonly kernel: Extent;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
  readonly paddingMode: PaddingMode;
  readonly padded: Extent;
  readonly output: Extent;
}

export function convGeometry(problem: Pick<Problem, 'input' | 'kernel' | 'groups' | 'stride' | 'dilation' | 'padding' | 'paddingMode'>): ConvGeometry {
  const { input, kernel, stride, dilation, padding } = problem;
  const [batch, inChannels, rows, cols] = input.shape;
  const [outChannels, , kRows, kCols] = kernel.shape;
  const padded = { rows: rows + padding.top + padding.bottom, cols: cols + padding.left + padding.right };
  return {
    batch,
    inChannels,
    outChannels,
    groups: problem.groups,
    input: { rows, cols },
    kernel: { rows: kRows, cols: kCols },
    stride,
    dilation,
    padding,
    paddingMode: problem.paddingMode,
    padded,
    output: { rows: outputExtent(padded.rows, kRows, stride[0], dilation[0]), cols: outputExtent(padded.cols, kCols, stride[1], dilation[1]) },
  };
}

// H' = ⌊(H_padded − d·(k − 1) − 1) / s⌋ + 1
export function outputExtent(padded: number, kernel: number, stride: number, dilation: number): number {
  return Math.floor((padded - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** C_in/groups: the input channels each output channel reads. */
export function channelsPerGroup(g: ConvGeometry): number {
  return g.inChannels / g.groups;
}

// Output channel o belongs to group ⌊o / (C_out/groups)⌋ and reads input channels group·(C_in/groups) + c.
export function inputChannel(g: ConvGeometry, o: number, c: number): number {
  return Math.floor(o / (g.outChannels / g.groups)) * channelsPerGroup(g) + c;
}

// Output (i, j) meets kernel entry (m, n) at padded cell (i·s_h + m·d_h, j·s_w + n·d_w)   (0-based)
export function tap(g: ConvGeometry, i: number, j: number, m: number, n: number): [number, number] {
  return [i * g.stride[0] + m * g.dilation[0], j * g.stride[1] + n * g.dilation[1]];
}

/**
 * The input index a padded index copies along one axis, or null for a zero:
 * reflect mirrors about the edge without repeating it, replicate repeats the edge, circular wraps around.
 */
export function axisSource(mode: PaddingMode, before: number, size: number, r: number): number | null {
  const i = r - before;
  if (i >= 0 && i < size) return i;
  switch (mode) {
    case 'zeros':
      return null;
    case 'reflect':
      return i < 0 ? -i : 2 * (size - 1) - i;
    case 'replicate':
      return Math.min(Math.max(i, 0), size - 1);
    case 'circular':
      return ((i % size) + size) % size;
  }
}

/** The input entry a padded cell shows, or null for a zero of the padding. */
export function paddedSource(g: ConvGeometry, r: number, c: number): [number, number] | null {
  const i = axisSource(g.paddingMode, g.padding.top, g.input.rows, r);
  const j = axisSource(g.paddingMode, g.padding.left, g.input.cols, c);
  return i === null || j === null ? null : [i, j];
}

/** Is a padded cell outside the input (a zero, or a copy of an input entry)? */
export function isPaddingCell(g: ConvGeometry, r: number, c: number): boolean {
  return r < g.padding.top || r >= g.padding.top + g.input.rows || c < g.padding.left || c >= g.padding.left + g.input.cols;
}

export function hasPadding(g: ConvGeometry): boolean {
  const p = g.padding;
  return p.top + p.bottom + p.left + p.right > 0;
}

/** Does some kernel entry, in some window, fall on a zero of the padding? */
export function touchesZeroPadding(g: ConvGeometry): boolean {
  return everyTap(g).some(([r, c]) => paddedSource(g, r, c) === null);
}

/** Which input cells (row-major) some kernel entry meets in some window, directly or through a padded copy; the others get gradient 0. */
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
