// LaTeX fragments the derivation writes: matrices, partial derivatives, sums of values.
import { fractionTex, rationalTex } from '../expr/to-tex.js';
import { rational, toTerminatingDecimal, type Rational } from '../numbers/rational.js';
import { at, type Grid } from '../model/grid.js';
import { elidePieces, shownLines } from './elide.js';
import type { Chain } from './step.js';
import type { DerivationContext } from './context.js';
import { paddedSource } from '../model/geometry.js';

/** lhs = side = side …, a side that only repeats the one before it left out (k_{21} = 1, not k_{21} = 1 = 1). */
export function chain(lhs: string, ...sides: (string | readonly string[])[]): Chain {
  const pieces = sides.map((side) => (typeof side === 'string' ? [side] : side)).filter((side) => side.length > 0);
  return { lhs, sides: pieces.filter((side, i) => i === 0 || side.join(' ') !== pieces[i - 1].join(' ')) };
}

/**
 * A bmatrix, large ones with ⋯, ⋮ and ⋱ in place of their middle rows and columns. Fractions are set
 * full size (\dfrac) with room between the rows, so that 63/25 in a matrix reads as easily as 2.52.
 */
export function matrixTex<T>(grid: Grid<T>, cell: (value: T, i: number, j: number) => string): string {
  const rows = shownLines(grid.rows);
  const cols = shownLines(grid.cols);
  const lines = rows.map((i) =>
    cols
      .map((j) => {
        if (i === null) return j === null ? '\\ddots' : '\\vdots';
        return j === null ? '\\cdots' : cell(at(grid, i, j), i, j);
      })
      .join(' & '),
  );
  const body = lines.join(' \\\\ ');
  if (!body.includes('\\frac')) return `\\begin{bmatrix} ${body} \\end{bmatrix}`;
  return `\\begin{bmatrix} ${lines.join(' \\\\[1.5ex] ').replaceAll('\\frac', '\\dfrac')} \\end{bmatrix}`;
}

/** Decimals with at most this many places read well in a matrix; longer ones are written as fractions. */
const SHORT_DECIMAL_PLACES = 4;

/**
 * A matrix of values: integers as they are, short decimals as decimals (2.52), anything else with its
 * common factor taken out so that the matrix holds integers: \frac{1}{25} [[63, 34], [1, 97]].
 */
export function valueMatrix(grid: Grid<Rational>, muted?: Muted): string {
  if (grid.data.every((v) => toTerminatingDecimal(v, SHORT_DECIMAL_PLACES) !== null)) return matrixTex(grid, cellTex(muted));
  return exactMatrix(grid, muted);
}

/** Which entries are structural zeros (padding, spacing), set in grey. */
export type Muted = (i: number, j: number) => boolean;

function cellTex(muted: Muted | undefined, factor?: Rational): (v: Rational, i: number, j: number) => string {
  return (v, i, j) => {
    const tex = rationalTex(factor ? v.div(factor) : v);
    return muted?.(i, j) ? grey(tex) : tex;
  };
}

/** The matrix as c · (integers), c = gcd of the numerators / lcm of the denominators: exact and compact. */
export function exactMatrix(grid: Grid<Rational>, muted?: Muted): string {
  const nonzero = grid.data.filter((v) => !v.equals(0));
  if (nonzero.every((v) => v.d === 1n)) return matrixTex(grid, cellTex(muted));
  const lcm = nonzero.reduce((l, v) => (l / gcd(l, v.d)) * v.d, 1n);
  const numeratorGcd = nonzero.reduce((g, v) => gcd(g, (v.n * lcm) / v.d), 0n);
  const factor = rational(numeratorGcd, lcm);
  return `${fractionTex(factor)} ${matrixTex(grid, cellTex(muted, factor))}`;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** ∂L/∂k_{11} as \frac{\partial L}{\partial k_{11}}. */
export function partial(of: string, by: string): string {
  return `\\frac{\\partial ${of}}{\\partial ${by}}`;
}

/** A value as it stands after a + or a ·: negative values in parentheses. */
export function operandTex(r: Rational): string {
  return r.s < 0n && !r.equals(0) ? `(${rationalTex(r)})` : rationalTex(r);
}

/** 3 + 4 + (-2): the values of a sum's terms, each after the first with its sign, long lists elided. */
export function valueSumPieces(values: readonly Rational[]): string[] {
  return elidePieces(values.map((v, i) => (i === 0 ? rationalTex(v) : v.s < 0n && !v.equals(0) ? `- ${rationalTex(v.neg())}` : `+ ${rationalTex(v)}`)));
}

/** ⌊a⌋ */
export function floorTex(inner: string): string {
  return `\\left\\lfloor ${inner} \\right\\rfloor`;
}

export function pairTex(pair: readonly [number, number]): string {
  return pair[0] === pair[1] ? `${pair[0]}` : `(${pair[0]}, ${pair[1]})`;
}

/** A structural zero (padding, spacing) set apart from the numbers that carry information. */
export function grey(tex: string): string {
  return `\\textcolor{gray}{${tex}}`;
}

/** X̃ with the cells of the zero padding in grey. */
export function paddedInputMatrix(ctx: DerivationContext): string {
  return valueMatrix(ctx.step.forward.padded, (r, c) => paddedSource(ctx.geometry, r, c) === null);
}
