// The index arithmetic of the layer, read from the problem file as written (problem-format.md): where
// each output entry's window lies, what each padded cell holds, the prediction's shape. The page uses it
// to highlight; every number it shows comes from convgrad's result document.
import { as4d, depth, pair, type Json, type ProblemJson } from './problem-json.js';
import { networkShapes } from './network-shapes.js';

export interface Geometry {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly rows: number;
  readonly cols: number;
  readonly kRows: number;
  readonly kCols: number;
  readonly stride: [number, number];
  readonly dilation: [number, number];
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
  readonly mode: string;
  readonly outRows: number;
  readonly outCols: number;
}

export function geometry(problem: ProblemJson): Geometry | undefined {
  const input = as4d(problem.input);
  const kernel = as4d(problem.kernel);
  if (!input || !kernel || !input[0]?.[0]?.[0] || !kernel[0]?.[0]?.[0]) return undefined;
  const [batch, inChannels, rows, cols] = [input.length, input[0].length, input[0][0].length, input[0][0][0].length];
  const [outChannels, kRows, kCols] = [kernel.length, kernel[0][0].length, kernel[0][0][0].length];
  const stride = pair(problem.stride, 1);
  const dilation = pair(problem.dilation, 1);
  let [top, bottom, left, right] = [0, 0, 0, 0];
  if (problem.padding === 'same') {
    const th = dilation[0] * (kRows - 1);
    const tw = dilation[1] * (kCols - 1);
    [top, bottom, left, right] = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  } else if (problem.padding !== 'valid') {
    const [ph, pw] = pair(problem.padding, 0);
    [top, bottom, left, right] = [ph, ph, pw, pw];
  }
  const outRows = Math.floor((rows + top + bottom - dilation[0] * (kRows - 1) - 1) / stride[0]) + 1;
  const outCols = Math.floor((cols + left + right - dilation[1] * (kCols - 1) - 1) / stride[1]) + 1;
  const groups = typeof problem.groups === 'number' ? problem.groups : 1;
  const mode = typeof problem.padding_mode === 'string' ? problem.padding_mode : 'zeros';
  const all = [batch, inChannels, rows, cols, outChannels, kRows, kCols, ...stride, ...dilation, top, left, outRows, outCols, groups];
  if (!all.every((v) => Number.isInteger(v) && v > 0 || v === 0)) return undefined;
  if (outRows < 1 || outCols < 1) return undefined;
  return { batch, inChannels, outChannels, groups, rows, cols, kRows, kCols, stride, dilation, top, bottom, left, right, mode, outRows, outCols };
}

/** The prediction's shape for head "none" as the problem file writes its target. */
export function predictionShape(problem: ProblemJson): number[] | undefined {
  // A network keeps the batch axis in every tensor: the prediction is its last layer's output.
  if (problem.layers !== undefined) return networkShapes(problem).at(-1)?.slice();
  const g = geometry(problem);
  if (!g) return undefined;
  let [rows, cols] = [g.outRows, g.outCols];
  const pool = problem.pool;
  if (pool && typeof pool === 'object' && !Array.isArray(pool)) {
    const size = pair(pool.size, 1);
    const stride = pool.stride === undefined ? size : pair(pool.stride, 1);
    rows = Math.floor((rows - size[0]) / stride[0]) + 1;
    cols = Math.floor((cols - size[1]) / stride[1]) + 1;
    if (!(rows >= 1 && cols >= 1)) return undefined;
  }
  const form = depth(problem.input);
  if (form === 2) return g.outChannels === 1 ? [rows, cols] : [g.outChannels, rows, cols];
  if (form === 3) return [g.outChannels, rows, cols];
  return [g.batch, g.outChannels, rows, cols];
}

/** Where padded row r reads from on an axis of `size` cells with `before` padded cells: null for a zero. */
function source(mode: string, before: number, size: number, r: number): number | null {
  const i = r - before;
  if (i >= 0 && i < size) return i;
  if (mode === 'zeros') return null;
  if (mode === 'replicate') return Math.min(Math.max(i, 0), size - 1);
  if (mode === 'circular') return ((i % size) + size) % size;
  // reflect: mirror without repeating the edge
  if (size === 1) return 0;
  const period = 2 * (size - 1);
  const m = ((i % period) + period) % period;
  return m < size ? m : period - m;
}

/** The padded plane (sample n, channel c) as the problem wrote its entries; null where a zero is padded in. */
export function paddedPlane(problem: ProblemJson, g: Geometry, n: number, c: number): { value: Json | null; padding: boolean }[][] {
  const plane = as4d(problem.input)![n][c];
  const out: { value: Json | null; padding: boolean }[][] = [];
  for (let r = 0; r < g.rows + g.top + g.bottom; r++) {
    const row: { value: Json | null; padding: boolean }[] = [];
    for (let s = 0; s < g.cols + g.left + g.right; s++) {
      const i = source(g.mode, g.top, g.rows, r);
      const j = source(g.mode, g.left, g.cols, s);
      const padding = r < g.top || r >= g.top + g.rows || s < g.left || s >= g.left + g.cols;
      row.push({ value: i === null || j === null ? null : plane[i][j], padding });
    }
    out.push(row);
  }
  return out;
}

/** The padded cell kernel entry (m, n) reads for output entry (i, j): (i·s + m·d, j·s + n·d). */
export function tap(g: Geometry, i: number, j: number, m: number, n: number): [number, number] {
  return [i * g.stride[0] + m * g.dilation[0], j * g.stride[1] + n * g.dilation[1]];
}

/** The input channel that output channel o's kernel plane c reads (groups). */
export function inputChannel(g: Geometry, o: number, c: number): number {
  return Math.floor(o / (g.outChannels / g.groups)) * (g.inChannels / g.groups) + c;
}
