// LaTeX fragments the derivation writes: chains, matrices, partial derivatives, sums of values.
import { fractionTex, rationalTex, roundedTex, scalarTex, shownExactly } from '../expr/to-tex.js';
import { gcd, rational, toTerminatingDecimal, type Rational } from '../numbers/rational.js';
import { sign, type Scalar } from '../numbers/scalar.js';
import { at, type Grid } from '../tensor/grid.js';
import { elidePieces, type Elision } from './elide.js';
import type { Chain } from './step.js';

/** A side of a chain: LaTeX, or pieces of it; wrapped in rounded() when it holds a float64's rounding. */
export type Side = string | readonly string[] | { readonly rounded: string | readonly string[] };

export function rounded(side: string | readonly string[], isRounded = true): Side {
  return isRounded ? { rounded: side } : side;
}

/** A side that shows these values: after ≈ where one of them is shown rounded (a float64, or an exact value too long to read). */
export function withValues(side: string | readonly string[], values: readonly Scalar[]): Side {
  return rounded(side, values.some((x) => !shownExactly(x)));
}

/**
 * lhs = side = side …: empty sides dropped, and a side that only repeats the one before it left out
 * (k_{21} = 1, not k_{21} = 1 = 1). Once a side is rounded, every later side is too (≈).
 */
export function chain(lhs: string, ...sides: Side[]): Chain {
  const entries: { pieces: readonly string[]; rounded: boolean }[] = [];
  let anyRounded = false;
  for (const side of sides) {
    const raw = typeof side === 'object' && 'rounded' in side ? side.rounded : side;
    anyRounded ||= typeof side === 'object' && 'rounded' in side;
    const pieces = typeof raw === 'string' ? [raw] : raw;
    if (pieces.length === 0) continue;
    if (entries.length > 0 && entries[entries.length - 1].pieces.join(' ') === pieces.join(' ')) continue;
    entries.push({ pieces, rounded: anyRounded });
  }
  const roundedSides = entries.map((e) => e.rounded);
  return { lhs, sides: entries.map((e) => e.pieces), ...(roundedSides.some(Boolean) ? { rounded: roundedSides } : {}) };
}

/**
 * A bmatrix, large ones with ⋯, ⋮ and ⋱ in place of their middle rows and columns. Fractions are set
 * full size (\dfrac) with room between the rows, so that 63/25 in a matrix reads as easily as 2.52.
 */
export function matrixTex<T>(grid: Grid<T>, cell: (value: T, i: number, j: number) => string, lines: Elision['lines']): string {
  const rows = lines(grid.rows);
  const cols = lines(grid.cols);
  const body = rows.map((i) =>
    cols
      .map((j) => {
        if (i === null) return j === null ? '\\ddots' : '\\vdots';
        return j === null ? '\\cdots' : cell(at(grid, i, j), i, j);
      })
      .join(' & '),
  );
  // Cells with a superscript and a subscript (x^{(1)}_{21}) need a little room between the rows.
  if (!body.some((row) => row.includes('\\frac'))) return `\\begin{bmatrix} ${body.join(body.some((row) => row.includes('^{(')) ? ' \\\\[0.5ex] ' : ' \\\\ ')} \\end{bmatrix}`;
  return `\\begin{bmatrix} ${body.join(' \\\\[1.5ex] ').replaceAll('\\frac', '\\dfrac')} \\end{bmatrix}`;
}

/** Decimals with at most this many places read well in a matrix; longer ones are written as fractions. */
const SHORT_DECIMAL_PLACES = 4;

/** Which entries are structural (padding, spacing), set in grey. */
export type Muted = (i: number, j: number) => boolean;

/**
 * A matrix of values: integers as they are, short decimals as decimals (2.52), other exact values with
 * their common factor taken out so that the matrix holds integers (\frac{1}{25} [[63, 34], [1, 97]]),
 * and a matrix with any float64 in it rounded entry by entry.
 */
export function valueMatrix(grid: Grid<Scalar>, lines: Elision['lines'], muted?: Muted): string {
  if (!grid.data.every(shownExactly)) return matrixTex(grid, cellTex(muted, (v) => scalarTex(v)), lines);
  const exact = grid as Grid<Rational>;
  if (exact.data.every((v) => toTerminatingDecimal(v, SHORT_DECIMAL_PLACES) !== null)) return matrixTex(exact, cellTex(muted, rationalTex), lines);
  return exactMatrix(exact, lines, muted);
}

function cellTex<T>(muted: Muted | undefined, tex: (v: T) => string): (v: T, i: number, j: number) => string {
  return (v, i, j) => (muted?.(i, j) ? grey(tex(v)) : tex(v));
}

/** The matrix as c · (integers), c = gcd of the numerators / lcm of the denominators: exact and compact. */
export function exactMatrix(grid: Grid<Rational>, lines: Elision['lines'], muted?: Muted): string {
  const nonzero = grid.data.filter((v) => !v.equals(0));
  if (nonzero.every((v) => v.d === 1n)) return matrixTex(grid, cellTex(muted, rationalTex), lines);
  const lcm = nonzero.reduce((l, v) => (l / gcd(l, v.d)) * v.d, 1n);
  const numeratorGcd = nonzero.reduce((g, v) => gcd(g, (v.n * lcm) / v.d), 0n);
  const factor = rational(numeratorGcd, lcm);
  return `${fractionTex(factor)} ${matrixTex(grid, cellTex(muted, (v: Rational) => rationalTex(v.div(factor))), lines)}`;
}

/** ∂L/∂k_{11} as \frac{\partial L}{\partial k_{11}}. */
export function partial(of: string, by: string): string {
  return `\\frac{\\partial ${of}}{\\partial ${by}}`;
}

/** A value as it stands after a + or a ·: negative values in parentheses. */
export function operandTex(x: Scalar): string {
  return sign(x) < 0 ? `(${scalarTex(x)})` : scalarTex(x);
}

/** 3 + 4 - 2: the values of a sum's terms, each after the first with its sign, long lists elided (by the terms' groups, as their sum is). */
export function valueSumPieces(values: readonly Scalar[], terms: Elision['terms'], groups?: readonly string[]): string[] {
  const pieces = values.map((v, i) => (i === 0 ? scalarTex(v) : sign(v) < 0 ? `- ${shownExactly(v) ? rationalTex(v.neg()) : roundedTex(-v)}` : `+ ${scalarTex(v)}`));
  return elidePieces(pieces, terms, '+ \\cdots', groups);
}

/** ⌊a⌋ */
export function floorTex(inner: string): string {
  return `\\left\\lfloor ${inner} \\right\\rfloor`;
}

export function pairTex(pair: readonly [number, number]): string {
  return pair[0] === pair[1] ? `${pair[0]}` : `(${pair[0]}, ${pair[1]})`;
}

/** A structural value (padding, spacing) set apart from the numbers that carry information. */
export function grey(tex: string): string {
  return `\\textcolor{gray}{${tex}}`;
}

/** θ' — a symbol with a superscript already takes its prime outside braces: {k^{(1)}_{11}}', {K'}^{(1)}. */
export function primed(name: string, superscript = ''): string {
  if (superscript !== '') return `{${name}'}${superscript}`;
  return name.includes('^') ? `{${name}}'` : `${name}'`;
}
