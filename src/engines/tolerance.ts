// How close another engine's number must be to convgrad's. One rule for every entry, the one
// torch.testing.assert_close and numpy.isclose apply, with convgrad's exact value as the expected one:
//
//   |theirs − convgrad| ≤ atol + rtol · |convgrad|
//
// Nothing is scaled behind the reader's back: the rtol and atol a report prints are the ones applied.

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** The precisions an engine may compute in, each with the tolerance that fits it (README, "Checking other engines"). */
export const DTYPES = ['float64', 'float32', 'tf32', 'float16', 'bfloat16'] as const;
export type Dtype = (typeof DTYPES)[number];

/**
 * Defaults by dtype, for problems of the size and magnitude `convgrad cases` writes, from
 * `npm run tolerances` (PyTorch on the 1000 cases of seed 1; README, "Checking other engines"): the
 * rtol that 99% of the cases need, and more for float64 and float32, whose worst case needs no more
 * than 1e-9 and 2e-5. The atol, a tenth of it, is what an entry that cancels to 0 keeps of the
 * rounding of its terms.
 */
export const DTYPE_TOLERANCES: Readonly<Record<Dtype, Tolerance>> = {
  float64: { rtol: 1e-9, atol: 1e-12 },
  float32: { rtol: 2e-4, atol: 2e-5 },
  tf32: { rtol: 5e-2, atol: 5e-3 },
  float16: { rtol: 5e-2, atol: 5e-3 },
  bfloat16: { rtol: 2e-1, atol: 2e-2 },
};

// |theirs − convgrad| ≤ atol + rtol · |convgrad|; a NaN or an infinity is never within it
export function withinTolerance(ours: number, theirs: number, tolerance: Tolerance): boolean {
  return Math.abs(theirs - ours) <= tolerance.atol + tolerance.rtol * Math.abs(ours);
}

/** "|Δ| ≤ 1e-12 + 1e-9·|convgrad|": the rule with its numbers, as every report prints it. */
export function formatTolerance(tolerance: Tolerance): string {
  return `|Δ| ≤ ${formatNumber(tolerance.atol)} + ${formatNumber(tolerance.rtol)}·|convgrad|`;
}

/** A tolerance as written: 1e-9, 0.0002 → 2e-4, 0.5. */
function formatNumber(x: number): string {
  return x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6) ? x.toExponential().replace('e+', 'e') : String(x);
}

/** 3.1e-17, 0, 2.5e-3, ∞: a difference in two significant digits. */
export function formatDifference(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return '∞';
  return x.toExponential(1).replace('e+', 'e');
}
