// Patterns another engine's differences may follow, each the mark of a common bug in a conv backward:
// a constant factor (a mean divided by the wrong count), a flipped sign, a transpose, a 180° turn (a
// kernel left unrotated in the transposed convolution, or rotated where it should not be), an offset
// by one (a stride, padding or loop bound off by one).
import type { Tensor } from '../tensor/tensor.js';
import { withinTolerance, type Tolerance } from './tolerance.js';

/** The first pattern that every entry of theirs follows, as a sentence; undefined where none does. */
export function differenceHint(ours: Tensor<number>, theirs: Tensor<number>, tolerance: Tolerance): string | undefined {
  if (!theirs.data.every(Number.isFinite)) return undefined;
  return factorHint(ours, theirs, tolerance) ?? planeHint(ours, theirs, tolerance);
}

// theirs = c · convgrad, with c = Σ o·t / Σ o² (the factor that fits best)
function factorHint(ours: Tensor<number>, theirs: Tensor<number>, tolerance: Tolerance): string | undefined {
  let oo = 0;
  let ot = 0;
  ours.data.forEach((o, k) => {
    oo += o * o;
    ot += o * theirs.data[k];
  });
  if (oo === 0) return undefined;
  const c = ot / oo;
  if (!ours.data.every((o, k) => withinTolerance(c * o, theirs.data[k], tolerance))) return undefined;
  if (theirs.data.every((t) => withinTolerance(0, t, tolerance))) return 'every entry is 0 where convgrad\'s are not: a gradient that never arrives?';
  if (Math.abs(c + 1) < 1e-9) return 'every entry is convgrad\'s with the sign flipped';
  return `every entry is ${simpleFraction(c)} × convgrad's: a constant factor (a mean divided by the wrong count, a factor 2 of a square?)`;
}

/** c as p/q with q ≤ 64 where it is one to 9 digits (1/4, 9/2), else to 6 significant digits. */
function simpleFraction(c: number): string {
  for (let q = 1; q <= 64; q++) {
    const p = Math.round(c * q);
    if (p !== 0 && Math.abs(c * q - p) <= 1e-9 * Math.abs(c * q)) return q === 1 ? `${p}` : `${p}/${q}`;
  }
  return c.toPrecision(6);
}

type Move = (r: number, c: number) => readonly [number, number];

/**
 * Patterns within each plane of the last two axes (a vector is one row): theirs[r][c] is convgrad's
 * at the moved place, wherever that place exists, and the move changes convgrad's values (a pattern
 * that leaves them as they are explains nothing).
 */
function planeHint(ours: Tensor<number>, theirs: Tensor<number>, tolerance: Tolerance): string | undefined {
  const dims = ours.shape;
  if (dims.length === 0) return undefined;
  const cols = dims[dims.length - 1];
  const rows = dims.length >= 2 ? dims[dims.length - 2] : 1;
  const planes = ours.data.length / (rows * cols);
  const at = (p: number, r: number, c: number) => (p * rows + r) * cols + c;
  const follows = (move: Move, overlap: number) => {
    let matched = 0;
    let changes = false;
    for (let p = 0; p < planes; p++)
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) {
          const [r2, c2] = move(r, c);
          if (r2 < 0 || r2 >= rows || c2 < 0 || c2 >= cols) continue;
          const moved = ours.data[at(p, r2, c2)];
          if (!withinTolerance(moved, theirs.data[at(p, r, c)], tolerance)) return false;
          if (!withinTolerance(ours.data[at(p, r, c)], moved, tolerance)) changes = true;
          matched++;
        }
    return changes && matched >= overlap;
  };
  const plane = dims.length >= 2 ? 'its [H][W] plane' : 'the vector';
  if (follows((r, c) => [rows - 1 - r, cols - 1 - c], ours.data.length)) {
    return `every entry is convgrad's turned by 180° in ${plane}: a kernel not rotated in the transposed convolution (or rotated where it should not be)?`;
  }
  if (rows === cols && rows > 1 && follows((r, c) => [c, r], ours.data.length)) return `every entry is convgrad's transposed in ${plane}: rows and columns swapped?`;
  const half = Math.max(2, Math.ceil(ours.data.length / 2));
  for (const dr of [-1, 0, 1])
    for (const dc of [-1, 0, 1]) {
      if ((dr === 0 && dc === 0) || (rows === 1 && dr !== 0)) continue;
      if (!follows((r, c) => [r + dr, c + dc], half)) continue;
      const shift = (d: number, axis: string) => (d === 0 ? axis : `${axis}${d > 0 ? '+' : '−'}1`);
      const index = rows === 1 ? `[${shift(dc, 'j')}]` : `[${shift(dr, 'i')}][${shift(dc, 'j')}]`;
      return `every entry ${rows === 1 ? '[j]' : '[i][j]'} is convgrad's ${index} where that exists: an offset by one (a stride, padding or loop bound off by one?)`;
    }
  return undefined;
}
