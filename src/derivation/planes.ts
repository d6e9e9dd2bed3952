// A 4-D map or kernel is shown plane by plane: X^{(n,c)}, K^{(o,c)}, σ^{(n,o)}, each with the
// superscript only where the problem has more than one of that index.
import type { Scalar } from '../numbers/scalar.js';
import { plane, type Grid } from '../tensor/grid.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DerivationContext } from './context.js';
import { shownExactly } from '../expr/to-tex.js';
import { chain, rounded, type Muted } from './tex.js';
import type { Chain } from './step.js';

/** At most this many planes of one tensor are shown; the JSON has them all. */
export const PLANE_LIMIT = 6;

export type PlaneKind = 'input' | 'kernel' | 'output';

export interface Plane {
  readonly a: number;
  readonly b: number;
  /** "^{(1,2)}" or "" */
  readonly superscript: string;
  readonly grid: Grid<Scalar>;
}

function shown(ctx: DerivationContext, kind: PlaneKind): [boolean, boolean] {
  const n = ctx.naming;
  return kind === 'input' ? [n.input.batch, n.input.channel] : kind === 'kernel' ? [n.kernel.out, n.kernel.channel] : [n.output.batch, n.output.channel];
}

export function superscript(ctx: DerivationContext, kind: PlaneKind, a: number, b: number): string {
  const [showA, showB] = shown(ctx, kind);
  const parts = [...(showA ? [a + 1] : []), ...(showB ? [b + 1] : [])];
  return parts.length === 0 ? '' : `^{(${parts.join(',')})}`;
}

/** A superscript with symbols for the indices (ν for the sample): ^{(\\nu,o)}, each part only where the problem shows it. */
export function symbolicSuperscript(ctx: DerivationContext, kind: PlaneKind, a: string | number, b: string | number): string {
  const [showA, showB] = shown(ctx, kind);
  const index = (x: string | number) => (typeof x === 'number' ? `${x + 1}` : x);
  const parts = [...(showA ? [index(a)] : []), ...(showB ? [index(b)] : [])];
  return parts.length === 0 ? '' : `^{(${parts.join(',')})}`;
}

/** A name with its superscript and a mark beside it: δ^{(1)\\,↑s}, K^{↑d}; the name and superscript alone without a mark. */
export function withMark(name: string, superscript: string, mark: string): string {
  if (mark === '') return `${name}${superscript}`;
  const inner = superscript.replace(/^\^\{(.*)\}$/, '$1');
  return `${name}^{${inner}${inner ? '\\,' : ''}${mark}}`;
}

/** Every plane of a 4-D tensor, or the first PLANE_LIMIT of them. */
export function planes(ctx: DerivationContext, kind: PlaneKind, t: Tensor<Scalar>): Plane[] {
  const [first, second] = t.shape;
  const all: Plane[] = [];
  for (let a = 0; a < first; a++) for (let b = 0; b < second; b++) all.push({ a, b, superscript: superscript(ctx, kind, a, b), grid: plane(t, a, b) });
  return ctx.elision.detail === 'full' ? all : all.slice(0, PLANE_LIMIT);
}

/**
 * name^{(a,b)} = [matrix] (≈ where a value is rounded) for every shown plane, the planes of one
 * sample or output channel side by side on a line; a name given as a function places the
 * superscript itself (∂L/∂p^{(1)}).
 */
export function planeChains(ctx: DerivationContext, kind: PlaneKind, name: string | ((superscript: string) => string), t: Tensor<Scalar>, muted?: (p: Plane) => Muted | undefined): Chain[] {
  const label = typeof name === 'string' ? (sup: string) => `${name}${sup}` : name;
  return planes(ctx, kind, t).map((p) => ({ ...chain(label(p.superscript), rounded(ctx.matrix(p.grid, muted?.(p)), !p.grid.data.every(shownExactly))), line: label('') }));
}
