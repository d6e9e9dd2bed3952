// How a network's derivation names its tensors and their entries, and shows them. The layer is a
// superscript, a^{(2)}; entries are subscripts counted from 1, each index written only where its
// axis has more than one entry (a^{(2)}_{ij} for one sample and one channel, a^{(2)}_{2,1,i,j} for
// sample 2, channel 1). A map [N][C][H][W] is shown plane by plane, a^{(2)}_{n,c}; [N][F] as one
// matrix, a row a sample; a vector as a row.
import type { Scalar } from '../../numbers/scalar.js';
import { scalarTex, shownExactly } from '../../expr/to-tex.js';
import { plane, type Grid } from '../../tensor/grid.js';
import { unravel, type Tensor } from '../../tensor/tensor.js';
import { chain, rounded } from '../tex.js';
import type { Chain } from '../step.js';
import { PLANE_LIMIT } from '../planes.js';
import type { NetworkContext } from './context.js';

/** map: [N][C][H][W]; features: [N][F]; kernel: [C_out][C_in/groups][kh][kw]; matrix: [out][in]; vector: [C]. */
export type TensorKind = 'map' | 'features' | 'kernel' | 'matrix' | 'vector';

export function kindOf(shape: readonly number[], parameter = false): TensorKind {
  if (shape.length === 1) return 'vector';
  if (shape.length === 2) return parameter ? 'matrix' : 'features';
  return parameter ? 'kernel' : 'map';
}

/** Which indices a reader sees: an axis of one entry is left out, but for a matrix's and the spatial axes. */
function shownAxes(shape: readonly number[], kind: TensorKind): boolean[] {
  switch (kind) {
    case 'map':
    case 'kernel':
      return [shape[0] > 1, shape[1] > 1, true, true];
    case 'features':
      return [shape[0] > 1, true];
    case 'matrix':
      return [true, true];
    case 'vector':
      return [shape[0] > 1];
  }
}

/** base^{(l)}: the layer as a superscript (none for l = 0 where the base is X itself). */
export function layered(base: string, l: number): string {
  return `${base}^{(${l})}`;
}

/** The subscript of an entry, its indices 1-based: "2,1,3,2", or "32" where every index is one digit. */
export function subscript(indices: readonly number[]): string {
  const written = indices.map((i) => i + 1);
  return written.every((i) => i < 10) && written.length > 1 ? written.join('') : written.join(',');
}

/** An entry's name: a^{(2)}_{13}, k^{(1)}_{2,1,1,2}. */
export function entryTex(name: string, shape: readonly number[], flat: number, kind: TensorKind = kindOf(shape)): string {
  const index = unravel(shape, flat);
  const shown = shownAxes(shape, kind);
  const kept = index.filter((_, k) => shown[k]);
  return kept.length === 0 ? name : `${name}_{${subscript(kept)}}`;
}

/** name = value (≈ where rounded), the tensor shown as planes, one matrix or a row: chains sharing a line per sample or output channel. */
export function tensorChains(ctx: NetworkContext, named: string | ((subscript: string) => string), t: Tensor<Scalar>, kind: TensorKind = kindOf(t.shape)): Chain[] {
  const exact = (data: readonly Scalar[]) => !data.every(shownExactly);
  // A name given as a function places the plane's subscript itself: ∂L/∂K^{(1)}_{2}.
  const label = typeof named === 'string' ? (sub: string) => `${named}${sub}` : named;
  const name = label('');
  if (t.shape.length === 0) return [chain(name, rounded(scalarTex(t.data[0]), exact(t.data)))];
  if (t.shape.length === 1) return [chain(name, rounded(rowTex(t.data), exact(t.data)))];
  if (t.shape.length === 2) {
    const grid: Grid<Scalar> = { rows: t.shape[0], cols: t.shape[1], data: t.data };
    return [chain(name, rounded(ctx.matrix(grid), exact(t.data)))];
  }
  const [first, second] = t.shape;
  const shown = shownAxes(t.shape, kind);
  const chains: Chain[] = [];
  for (let a = 0; a < first; a++) {
    for (let b = 0; b < second; b++) {
      const kept = [a, b].filter((_, k) => shown[k]);
      const grid = plane(t, a, b);
      chains.push({ ...chain(label(kept.length === 0 ? '' : `_{${subscript(kept)}}`), rounded(ctx.matrix(grid), exact(grid.data))), line: `${name} ${a}` });
    }
  }
  return ctx.elision.detail === 'full' ? chains : chains.slice(0, PLANE_LIMIT);
}

/** (1, -2, 3/4): a vector in a row. */
export function rowTex(values: readonly Scalar[]): string {
  return values.length === 1 ? scalarTex(values[0]) : `\\left(${values.map((x) => scalarTex(x)).join(',\\ ')}\\right)`;
}

/** [N][C][H][W] as the reader writes it: 1×2×3×3. */
export function shapeTex(shape: readonly number[]): string {
  return shape.join(' \\times ');
}

/** The name of layer l's output entries: x for the input (l = 0), a^{(l)} after. */
export function outputName(l: number): string {
  return l === 0 ? 'x' : layered('a', l);
}

/** The name of layer l's output as a whole: X for the input, a^{(l)} after. */
export function outputTensorName(l: number): string {
  return l === 0 ? 'X' : layered('a', l);
}

/** δ^{(l)} = ∂L/∂a^{(l)}; δ^{(0)} = ∂L/∂X. */
export function deltaName(l: number): string {
  return layered('\\delta', l);
}

/**
 * The 1-based input index that output index i meets through kernel index m: s(i − 1) + d(m − 1) + 1 − p,
 * written as simply as the numbers allow (i + m − 1 for s = d = 1, p = 0); symbols stay symbols.
 */
export function windowIndex(i: string, m: string, s: number | string, d: number | string, p: number | string = 0): string {
  const stride = s === 1 ? `${i}` : `${s}(${i} - 1)`;
  const dilation = d === 1 ? `${m}` : `${d}(${m} - 1)`;
  const constant = (s === 1 ? 0 : 1) + (d === 1 ? 0 : 1) - 1;
  const shift = typeof p === 'number' ? -p : 0;
  const total = constant + shift;
  const tail = `${total > 0 ? ` + ${total}` : total < 0 ? ` - ${-total}` : ''}${typeof p === 'string' ? ` - ${p}` : ''}`;
  return `${stride} + ${dilation}${tail}`;
}
