// What a derivation shows of a large problem. Principle: small problems in full; beyond that, enough
// entries to see the pattern (the first and the last, at the two corners), with every value still in the matrices
// and the complete result in the JSON document. --detail full shows everything, summary no entry by entry.
import { keptTerms, type TexOptions } from '../expr/to-tex.js';

export type Detail = 'full' | 'auto' | 'summary';
export const DETAILS: readonly Detail[] = ['full', 'auto', 'summary'];

/** At most this many entries are derived one by one in full (auto)… */
export const ENTRY_LIMIT = 16;
/** …and only while their sums hold at most this many terms together: 16 sums of 19 terms are a page, not a pattern. */
export const TERM_BUDGET = 64;
/**
 * Sums of up to 12 terms are written in full; a longer one keeps, of each channel's run of terms, the
 * first two and the last, with ⋯ between them (auto, summary): every channel can still be checked.
 */
export const TERM_ELISION: NonNullable<TexOptions['elide']> = { limit: 12, head: 2, tail: 1 };
/** Matrices larger than this show their first rows/columns, ⋯, and the last (auto, summary). */
export const MATRIX_LIMIT = 10;
export const MATRIX_HEAD = 5;

export interface Elision {
  readonly detail: Detail;
  /** Which of `count` entries are derived one by one, their sums `terms` terms long together. */
  entries(count: number, terms?: number): number[];
  /** How long sums are cut, if at all. */
  readonly terms?: NonNullable<TexOptions['elide']>;
  /** The row (or column) indices a matrix shows, null where ⋯ stands. */
  lines(count: number): (number | null)[];
}

export function elision(detail: Detail): Elision {
  const all = (count: number) => Array.from({ length: count }, (_, i) => i);
  return {
    detail,
    entries: (count, terms = count) =>
      detail === 'summary' ? [] : detail === 'full' || (count <= ENTRY_LIMIT && terms <= TERM_BUDGET) || count <= 2 ? all(count) : [0, count - 1],
    ...(detail === 'full' ? {} : { terms: TERM_ELISION }),
    lines: (count) => (detail === 'full' || count <= MATRIX_LIMIT ? all(count) : [...all(MATRIX_HEAD), null, count - 1]),
  };
}

/** Pieces of a long list with ⋯ standing for the middle of each group's run, as TERM_ELISION does for sums. */
export function elidePieces(pieces: readonly string[], terms: Elision['terms'], ellipsis = '+ \\cdots', groups?: readonly string[]): string[] {
  return keptIndices(pieces.length, terms, groups).map((k) => (k === null ? ellipsis : pieces[k]));
}

/**
 * The indices of a list of `count` that a sum keeps, null where ⋯ stands: all of them up to the limit;
 * beyond it, the first `head` and last `tail` of each run of equal group keys (a channel's terms).
 */
export function keptIndices(count: number, terms: Elision['terms'], groups?: readonly string[]): (number | null)[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (!terms || count <= (terms.limit ?? terms.head + terms.tail + 1)) return all;
  return keptTerms(groups ?? all.map(() => ''), terms);
}
