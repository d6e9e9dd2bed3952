// What a derivation shows of a large problem. Principle: small problems in full; beyond that, enough
// entries to see the pattern (the first ones and the last one), with every value still in the matrices
// and the complete result in the JSON document.
import type { TexOptions } from '../expr/to-tex.js';

/** At most this many entries are derived one by one in full. */
export const ENTRY_LIMIT = 16;
/** Sums longer than head + tail + 1 terms are written with ⋯ in the middle. */
export const TERM_ELISION: NonNullable<TexOptions['elide']> = { head: 4, tail: 2 };
/** Matrices larger than this show their first rows/columns, ⋯, and the last. */
export const MATRIX_LIMIT = 10;
export const MATRIX_HEAD = 5;

/** The row-major positions of the entries shown in full: all of them, or the first two and the last. */
export function shownEntries(rows: number, cols: number): [number, number][] {
  const count = rows * cols;
  const indices = count <= ENTRY_LIMIT ? Array.from({ length: count }, (_, i) => i) : [0, 1, count - 1];
  return indices.map((index) => [Math.floor(index / cols), index % cols]);
}

/** The row (or column) indices a matrix shows, with null where ⋯ stands. */
export function shownLines(count: number): (number | null)[] {
  if (count <= MATRIX_LIMIT) return Array.from({ length: count }, (_, i) => i);
  return [...Array.from({ length: MATRIX_HEAD }, (_, i) => i), null, count - 1];
}

/** Pieces of a long list with ⋯ standing for the middle, as TERM_ELISION does for sums. */
export function elidePieces(pieces: string[], ellipsis = '+ \\cdots'): string[] {
  const { head, tail } = TERM_ELISION;
  if (pieces.length <= head + tail + 1) return pieces;
  return [...pieces.slice(0, head), ellipsis, ...pieces.slice(pieces.length - tail)];
}
