// What a derivation shows of a large problem. Principle: small problems in full; beyond that, enough
// entries to see the pattern (the first ones and the last one), with every value still in the matrices
// and the complete result in the JSON document. --detail full shows everything, summary no entry by entry.
import type { TexOptions } from '../expr/to-tex.js';

export type Detail = 'full' | 'auto' | 'summary';
export const DETAILS: readonly Detail[] = ['full', 'auto', 'summary'];

/** At most this many entries are derived one by one in full (auto). */
export const ENTRY_LIMIT = 16;
/** Sums longer than head + tail + 1 terms are written with ⋯ in the middle (auto, summary). */
export const TERM_ELISION: NonNullable<TexOptions['elide']> = { head: 4, tail: 2 };
/** Matrices larger than this show their first rows/columns, ⋯, and the last (auto, summary). */
export const MATRIX_LIMIT = 10;
export const MATRIX_HEAD = 5;

export interface Elision {
  readonly detail: Detail;
  /** Which of `count` entries are derived one by one. */
  entries(count: number): number[];
  /** How long sums are cut, if at all. */
  readonly terms?: NonNullable<TexOptions['elide']>;
  /** The row (or column) indices a matrix shows, null where ⋯ stands. */
  lines(count: number): (number | null)[];
}

export function elision(detail: Detail): Elision {
  const all = (count: number) => Array.from({ length: count }, (_, i) => i);
  return {
    detail,
    entries: (count) => (detail === 'full' || count <= ENTRY_LIMIT ? (detail === 'summary' ? [] : all(count)) : detail === 'summary' ? [] : [0, 1, count - 1]),
    ...(detail === 'full' ? {} : { terms: TERM_ELISION }),
    lines: (count) => (detail === 'full' || count <= MATRIX_LIMIT ? all(count) : [...all(MATRIX_HEAD), null, count - 1]),
  };
}

/** Pieces of a long list with ⋯ standing for the middle, as TERM_ELISION does for sums. */
export function elidePieces(pieces: string[], terms: Elision['terms'], ellipsis = '+ \\cdots'): string[] {
  if (!terms || pieces.length <= terms.head + terms.tail + 1) return pieces;
  return [...pieces.slice(0, terms.head), ellipsis, ...pieces.slice(pieces.length - terms.tail)];
}

/** The indices of a list of `count` that elidePieces keeps, null where ⋯ stands. */
export function keptIndices(count: number, terms: Elision['terms']): (number | null)[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (!terms || count <= terms.head + terms.tail + 1) return all;
  return [...all.slice(0, terms.head), null, ...all.slice(count - terms.tail)];
}
