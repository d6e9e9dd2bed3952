// Figures: small grids whose shaded cells are the entries a formula reads, each in the colour its formula
// is written in (palette.ts). The same panels are drawn as SVG in HTML and Markdown and with TikZ in LaTeX.
import { roundedTex } from '../expr/to-tex.js';
import { toTerminatingDecimal } from '../numbers/rational.js';
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';
import { inputChannel, isPaddingCell, tap } from '../ops/conv2d/geometry.js';
import { at, makeGrid, type Grid } from '../tensor/grid.js';
import type { DerivationContext } from './context.js';
import { coloured } from './palette.js';
import type { Block, FigureCell, Panel, Text } from './step.js';
import { math } from './blocks.js';

/** Figures stay legible up to this many cells a side; larger grids are not drawn. */
export const FIGURE_LIMIT = 9;
/** At most this many panels a figure: the first entries derived, which their colours tie to their formulas. */
export const PANEL_LIMIT = 6;


/** A cell's text: an integer, a short decimal, a fraction, or a rounded float. */
export function cellText(x: Scalar): string {
  if (!isExact(x)) return roundedTex(asDouble(x)).replace(' \\cdot 10^{', 'e').replace('}', '');
  return toTerminatingDecimal(x, 3) ?? `${x.s < 0n ? '-' : ''}${x.n}/${x.d}`;
}

function fits(grid: { rows: number; cols: number }): boolean {
  return grid.rows <= FIGURE_LIMIT && grid.cols <= FIGURE_LIMIT;
}

/** A panel of a grid of values, each cell's look decided by `look`. */
function valuePanel(caption: string, grid: Grid<Scalar>, look: (r: number, c: number) => Omit<FigureCell, 'text'>, colour?: number): Panel {
  const cells: FigureCell[] = [];
  for (let r = 0; r < grid.rows; r++) for (let c = 0; c < grid.cols; c++) cells.push({ text: cellText(at(grid, r, c)), ...look(r, c) });
  return { caption: coloured(caption, colour), ...(colour === undefined ? {} : { colour }), rows: grid.rows, cols: grid.cols, cells };
}

/** The note under a figure that shows only some of the entries or one of several channels; none where it shows everything. */
function partialNote(kind: 'windows' | 'kernel', drawn: number, total: number, channels: number): Text[] {
  const some = drawn < total;
  if (!some && channels <= 1) return [];
  const params = { drawn: math(`${drawn}`), total: math(`${total}`), channels: math(`${channels}`) };
  if (kind === 'windows') return [{ key: some ? (channels > 1 ? 'figure.windows.some-channels' : 'figure.windows.some') : 'figure.windows.channels', params }];
  return [{ key: some ? (channels > 1 ? 'figure.kernel.some-channels' : 'figure.kernel.some') : 'figure.kernel.channels', params }];
}

/**
 * For output entries σ_ij: the window each reads on the padded input, in that entry's colour (the k-th
 * entry in colour k, as its sum below). Drawn on the first input channel the entry reads.
 */
export function windowFigure(ctx: DerivationContext, entries: readonly (readonly number[])[], name: (n: number, o: number, i: number, j: number) => string, total: number, channels: number): Block[] {
  const g = ctx.geometry;
  const drawn = entries.slice(0, PANEL_LIMIT);
  if (!ctx.figures || drawn.length === 0 || !fits(g.padded)) return [];
  const panels = drawn.map(([n, o, i, j], k) => {
    const window = new Set<string>();
    for (let m = 0; m < g.kernel.rows; m++) for (let q = 0; q < g.kernel.cols; q++) window.add(tap(g, i, j, m, q).join(','));
    const plane = paddedPlane(ctx, n, o);
    return valuePanel(name(n, o, i, j), plane, (r, c) => ({ ...(window.has(`${r},${c}`) ? { fill: k } : {}), ...(isPaddingCell(g, r, c) ? { faint: true } : {}) }), k);
  });
  return [{ kind: 'figure', panels, notes: partialNote('windows', drawn.length, total, channels) }];
}

/** The padded input plane output channel o of sample n reads first. */
function paddedPlane(ctx: DerivationContext, n: number, o: number): Grid<Scalar> {
  const g = ctx.geometry;
  const { padded } = ctx.step.forward;
  const channel = inputChannel(g, o, 0);
  const start = (n * g.inChannels + channel) * g.padded.rows * g.padded.cols;
  return { rows: g.padded.rows, cols: g.padded.cols, data: padded.data.slice(start, start + g.padded.rows * g.padded.cols) };
}

/** For kernel entries k_mn: every cell k_mn multiplies, in some window, in the k-th entry's colour. */
export function kernelEntryFigure(ctx: DerivationContext, entries: readonly (readonly number[])[], name: (o: number, c: number, m: number, q: number) => string, total: number, channels: number): Block[] {
  const g = ctx.geometry;
  const drawn = entries.slice(0, PANEL_LIMIT);
  if (!ctx.figures || drawn.length === 0 || !fits(g.padded)) return [];
  const panels = drawn.map(([o, c, m, q], k) => {
    const touched = new Set<string>();
    for (let i = 0; i < g.output.rows; i++) for (let j = 0; j < g.output.cols; j++) touched.add(tap(g, i, j, m, q).join(','));
    return valuePanel(name(o, c, m, q), paddedPlane(ctx, 0, o), (r, s) => ({ ...(touched.has(`${r},${s}`) ? { fill: k } : {}), ...(isPaddingCell(g, r, s) ? { faint: true } : {}) }), k);
  });
  return [{ kind: 'figure', panels, notes: [{ key: 'figure.kernel.cells' }, ...partialNote('kernel', drawn.length, total, channels)] }];
}

/**
 * Max pooling's winners: each plane of the pooled map's input with the entry each window keeps shaded in
 * that window's colour (the colour of its line below); every other entry gets gradient 0.
 */
export function maxPoolFigure(ctx: DerivationContext, planes: readonly { caption: string; grid: Grid<Scalar>; winners: ReadonlyMap<string, number> }[], total: number): Block[] {
  const drawn = planes.slice(0, PANEL_LIMIT).filter((p) => fits(p.grid));
  if (!ctx.figures || drawn.length === 0) return [];
  const panels = drawn.map((p) => valuePanel(p.caption, p.grid, (r, c) => (p.winners.has(`${r},${c}`) ? { fill: p.winners.get(`${r},${c}`)!, strong: true } : { faint: true })));
  const some: Text[] = drawn.length < total ? [{ key: 'figure.planes.some', params: { drawn: math(`${drawn.length}`), total: math(`${total}`) } }] : [];
  return [{ kind: 'figure', panels, notes: [{ key: 'figure.winners' }, ...some] }];
}

/**
 * The turned kernel laid on δ̃ at a few positions, its entries written in the corners of the cells they
 * multiply: each position makes one entry of ∂L/∂X̃, captioned in its colour.
 */
export function slidingKernelFigure(ctx: DerivationContext, paddedDelta: Grid<Scalar>, rotated: Grid<Scalar>, isDelta: (r: number, c: number) => boolean, caption: (r: number, c: number) => string, positions: readonly (readonly [number, number])[]): Block[] {
  if (!ctx.figures || !fits(paddedDelta)) return [];
  const panels = positions.map(([r0, c0], k) =>
    valuePanel(caption(r0, c0), paddedDelta, (r, c) => {
      const inside = r >= r0 && r < r0 + rotated.rows && c >= c0 && c < c0 + rotated.cols;
      return { ...(inside ? { fill: k, corner: cellText(at(rotated, r - r0, c - c0)) } : {}), ...(isDelta(r, c) ? {} : { faint: true }) };
    }, k),
  );
  return [{ kind: 'figure', panels, notes: [{ key: 'figure.turned' }] }];
}

/** Padding modes other than zeros: the padded grid with each border cell naming the entry it copies. */
export function paddingSourceFigure(ctx: DerivationContext, names: Grid<string>): Block[] {
  const g = ctx.geometry;
  if (!ctx.figures || !fits(names)) return [];
  const cells: FigureCell[] = [];
  for (let r = 0; r < names.rows; r++) for (let c = 0; c < names.cols; c++) cells.push({ text: at(names, r, c), ...(isPaddingCell(g, r, c) ? { fill: 0 } : {}) });
  return [{ kind: 'figure', panels: [{ caption: '\\tilde X', rows: names.rows, cols: names.cols, cells }], notes: [{ key: 'figure.copies' }] }];
}

/**
 * The convolution as a matrix, for a 3 × 3 input and a 2 × 2 kernel: row (i, j) of M holds the kernel
 * entries at the columns of the input entries σ_ij's window reads, in σ_ij's colour; every other entry is 0.
 */
export function convolutionMatrixFigure(ctx: DerivationContext): Block[] {
  if (!ctx.figures) return [];
  const [size, k] = [3, 2];
  const out = size - k + 1;
  const rowLabels: string[] = [];
  const colLabels = Array.from({ length: size * size }, (_, c) => `x_{${Math.floor(c / size) + 1}${(c % size) + 1}}`);
  const grid = makeGrid(out * out, size * size, (row, col) => {
    const [i, j] = [Math.floor(row / out), row % out];
    const [r, c] = [Math.floor(col / size), col % size];
    const [m, n] = [r - i, c - j];
    return m >= 0 && m < k && n >= 0 && n < k ? `k${m + 1}${n + 1}` : '0';
  });
  for (let row = 0; row < out * out; row++) rowLabels.push(`\\sigma_{${Math.floor(row / out) + 1}${(row % out) + 1}}`);
  const cells: FigureCell[] = grid.data.map((text, index) => (text === '0' ? { text, faint: true } : { text, fill: Math.floor(index / grid.cols) }));
  return [{ kind: 'figure', panels: [{ caption: 'M', rows: grid.rows, cols: grid.cols, cells, rowLabels, colLabels }], notes: [] }];
}
