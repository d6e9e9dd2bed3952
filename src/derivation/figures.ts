// Figures: the input grid with the cells a window, a kernel entry or the turned kernel reads marked.
// The same picture is drawn as SVG in HTML and with TikZ in LaTeX.
import { roundedTex } from '../expr/to-tex.js';
import { toTerminatingDecimal } from '../numbers/rational.js';
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';
import { isPaddingCell, tap } from '../model/geometry.js';
import { at, plane, type Grid } from '../model/grid.js';
import type { DerivationContext } from './context.js';
import type { Block, Panel } from './step.js';

/** Figures stay legible up to this many cells a side; larger grids are not drawn. */
export const FIGURE_LIMIT = 9;
/** At most this many panels a figure. */
export const PANEL_LIMIT = 4;

/** A cell's text: an integer, a short decimal, a fraction, or a rounded float. */
export function cellText(x: Scalar): string {
  if (!isExact(x)) return roundedTex(asDouble(x)).replace(' \\cdot 10^{', 'e').replace('}', '');
  return toTerminatingDecimal(x, 3) ?? `${x.s < 0n ? '-' : ''}${x.n}/${x.d}`;
}

function panel(caption: string, grid: Grid<Scalar>, mark: (r: number, c: number) => Panel['marks'][number]): Panel {
  const marks: Panel['marks'][number][] = [];
  for (let r = 0; r < grid.rows; r++) for (let c = 0; c < grid.cols; c++) marks.push(mark(r, c));
  return { caption, rows: grid.rows, cols: grid.cols, cells: grid.data.map(cellText), marks };
}

function fits(grid: Grid<unknown>): boolean {
  return grid.rows <= FIGURE_LIMIT && grid.cols <= FIGURE_LIMIT;
}

/** Panels of the padded input (first channel), one an entry, with the cells that entry reads marked. */
function cellsFigure(ctx: DerivationContext, entries: readonly (readonly number[])[], caption: (entry: readonly number[]) => string, cells: (entry: readonly number[]) => Set<string>): Block[] {
  const g = ctx.geometry;
  const padded = plane(ctx.step.forward.padded, 0, 0);
  if (!fits(padded) || entries.length === 0) return [];
  const panels = entries.slice(0, PANEL_LIMIT).map((entry) => {
    const marked = cells(entry);
    return panel(caption(entry), padded, (r, c) => (marked.has(`${r},${c}`) ? 'mark' : isPaddingCell(g, r, c) ? 'border' : 'plain'));
  });
  return [{ kind: 'figure', panels }];
}

/** For output entries σ_ij: the window σ_ij reads. */
export function windowFigure(ctx: DerivationContext, entries: readonly (readonly number[])[], name: (n: number, o: number, i: number, j: number) => string): Block[] {
  const g = ctx.geometry;
  return cellsFigure(ctx, entries, ([n, o, i, j]) => name(n, o, i, j), ([, , i, j]) => {
    const window = new Set<string>();
    for (let m = 0; m < g.kernel.rows; m++) for (let q = 0; q < g.kernel.cols; q++) window.add(tap(g, i, j, m, q).join(','));
    return window;
  });
}

/** For kernel entries k_mn: every cell k_mn multiplies, in some window. */
export function kernelEntryFigure(ctx: DerivationContext, entries: readonly (readonly number[])[], name: (o: number, c: number, m: number, q: number) => string): Block[] {
  const g = ctx.geometry;
  return cellsFigure(ctx, entries, ([o, c, m, q]) => name(o, c, m, q), ([, , m, q]) => {
    const touched = new Set<string>();
    for (let i = 0; i < g.output.rows; i++) for (let j = 0; j < g.output.cols; j++) touched.add(tap(g, i, j, m, q).join(','));
    return touched;
  });
}

/** The turned kernel laid on the spread, padded δ at the first positions and the last: each marks one entry of ∂L/∂X̃. */
export function slidingKernelFigure(spread: Grid<Scalar>, kernelRows: number, kernelCols: number, isDelta: (r: number, c: number) => boolean, caption: (r: number, c: number) => string): Block[] {
  if (!fits(spread)) return [];
  const rows = spread.rows - kernelRows + 1;
  const cols = spread.cols - kernelCols + 1;
  const positions: [number, number][] = [[0, 0], [0, Math.min(1, cols - 1)], [rows - 1, cols - 1]];
  const unique = positions.filter(([r, c], k) => positions.findIndex(([r2, c2]) => r2 === r && c2 === c) === k);
  const panels = unique.map(([r0, c0]) =>
    panel(caption(r0, c0), spread, (r, c) => (r >= r0 && r < r0 + kernelRows && c >= c0 && c < c0 + kernelCols ? 'mark' : isDelta(r, c) ? 'plain' : 'border')),
  );
  return [{ kind: 'figure', panels }];
}

/** Padding modes other than zeros: the padded grid with each border cell naming the entry it copies. */
export function paddingSourceFigure(ctx: DerivationContext, names: Grid<string>): Block[] {
  const g = ctx.geometry;
  if (!fits(names)) return [];
  const cells: string[] = [];
  const marks: Panel['marks'][number][] = [];
  for (let r = 0; r < names.rows; r++)
    for (let c = 0; c < names.cols; c++) {
      cells.push(at(names, r, c));
      marks.push(isPaddingCell(g, r, c) ? 'mark' : 'plain');
    }
  return [{ kind: 'figure', panels: [{ caption: '\\tilde X', rows: names.rows, cols: names.cols, cells, marks }] }];
}
