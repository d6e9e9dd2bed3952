// Comparing another engine's numbers with convgrad's, quantity by quantity and entry by entry.
import type { ResultDocument } from '../result/result-document.js';

/** The quantities of the result document another engine can be compared on, by path. */
export const QUANTITIES = ['forward.conv', 'forward.output', 'forward.prediction', 'forward.loss', 'grad.kernel', 'grad.bias', 'grad.input', 'updated.kernel', 'updated.bias'] as const;
export type Quantity = (typeof QUANTITIES)[number];

export type Nested = number | Nested[];

export interface Tolerance {
  /** |a − b| ≤ rtol · max(|a|, |b|) + atol · max(1, the largest |entry| of convgrad's quantity) */
  readonly rtol: number;
  readonly atol: number;
}

export interface EntryDifference {
  /** [i][j]… within the quantity */
  readonly index: string;
  readonly ours: number;
  readonly theirs: number;
}

export interface QuantityComparison {
  readonly maxAbs: number;
  readonly maxRel: number;
  /** Entries beyond the tolerance (or a shape that differs, as one entry). */
  readonly differences: readonly EntryDifference[];
}

export function valueAt(doc: Partial<ResultDocument> | undefined, quantity: Quantity): Nested | undefined {
  const [group, key] = quantity.split('.') as [keyof ResultDocument, string];
  const part = doc?.[group] as Record<string, Nested | undefined> | undefined;
  return part?.[key];
}

function flatten(value: Nested, index = ''): { index: string; value: number }[] {
  return Array.isArray(value) ? value.flatMap((v, i) => flatten(v, `${index}[${i}]`)) : [{ index, value }];
}

function shape(value: Nested): number[] {
  return Array.isArray(value) ? [value.length, ...(value.length > 0 ? shape(value[0]) : [])] : [];
}

export function compareQuantity(ours: Nested, theirs: Nested, tolerance: Tolerance): QuantityComparison {
  if (JSON.stringify(shape(ours)) !== JSON.stringify(shape(theirs))) {
    return { maxAbs: Infinity, maxRel: Infinity, differences: [{ index: `shape [${shape(theirs).join(', ')}], expected [${shape(ours).join(', ')}]`, ours: NaN, theirs: NaN }] };
  }
  const a = flatten(ours);
  const b = flatten(theirs);
  const scale = a.reduce((m, e) => Math.max(m, Math.abs(e.value)), 1);
  let maxAbs = 0;
  let maxRel = 0;
  const differences: EntryDifference[] = [];
  a.forEach(({ index, value }, k) => {
    const other = b[k].value;
    const abs = typeof other === 'number' && Number.isFinite(other) ? Math.abs(value - other) : Infinity;
    const size = Math.max(Math.abs(value), Math.abs(other));
    const rel = abs === 0 ? 0 : size === 0 ? Infinity : abs / size;
    maxAbs = Math.max(maxAbs, abs);
    maxRel = Math.max(maxRel, rel);
    if (!(abs <= tolerance.rtol * size + tolerance.atol * scale)) differences.push({ index, ours: value, theirs: other });
  });
  return { maxAbs, maxRel, differences };
}

/** 3.1e-17, 0, 2.5e-3: a difference in two significant digits. */
export function formatDifference(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return '∞';
  return x.toExponential(1).replace('e+', 'e');
}

export interface ResultComparison {
  /** Every quantity compared: its path and how far apart. */
  readonly quantities: readonly { readonly path: string; readonly maxAbs: number; readonly maxRel: number; readonly differences: readonly EntryDifference[] }[];
  /** Quantities convgrad has and the other document does not. */
  readonly missing: readonly string[];
}

/** Another engine's result document against convgrad's: every quantity both have, and each step of the trajectory. */
export function compareResults(ours: ResultDocument, theirs: Partial<ResultDocument>, tolerance: Tolerance): ResultComparison {
  const quantities: ResultComparison['quantities'][number][] = [];
  const missing: string[] = [];
  const visit = (path: string, mine: Nested | undefined, other: Nested | undefined) => {
    if (mine === undefined) return;
    if (other === undefined) missing.push(path);
    else quantities.push({ path, ...compareQuantity(mine, other, tolerance) });
  };
  for (const quantity of QUANTITIES) visit(quantity, valueAt(ours, quantity), valueAt(theirs, quantity));
  ours.trajectory.forEach((step, i) => {
    const other = Array.isArray(theirs.trajectory) ? theirs.trajectory[i] : undefined;
    for (const key of ['loss', 'kernel', 'bias'] as const) visit(`trajectory[${i}].${key}`, step[key] as Nested | undefined, other?.[key] as Nested | undefined);
  });
  return { quantities, missing };
}
