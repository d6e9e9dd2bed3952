// Another engine's numbers against convgrad's, entry by entry: which entries differ beyond the
// tolerance, the largest absolute and relative difference and where, and a hint when the differences
// follow a pattern. An entry a kink can reach may take the kink's other side, where the engine's own
// forward values left the kink (kinks.ts decides which).
import { parseRational, toDouble } from '../numbers/rational.js';
import { nestedIndex, type Nested, type Tensor } from '../tensor/tensor.js';
import type { ResultDocument } from '../result/result-document.js';
import { differenceHint } from './hints.js';
import { withinTolerance, type Tolerance } from './tolerance.js';


/** The quantities of the result document besides the trajectory, by path, in the order of the data flow. */
export const QUANTITIES = ['forward.conv', 'forward.output', 'forward.prediction', 'forward.loss', 'grad.kernel', 'grad.bias', 'grad.input', 'updated.kernel', 'updated.bias'] as const;
export type Quantity = (typeof QUANTITIES)[number];

export interface EntryDifference {
  /** [i][j]… within the quantity */
  readonly index: string;
  readonly ours: number;
  readonly theirs: number;
}

/** The largest difference of a quantity and the entry where it is. */
export interface Extreme {
  readonly value: number;
  readonly index: string;
}

export interface QuantityComparison {
  readonly path: string;
  readonly entries: number;
  /** Entries beyond the tolerance that no kink excuses. */
  readonly differences: readonly EntryDifference[];
  /** Entries beyond it on the other side of a kink the engine's forward values left. */
  readonly atKink: readonly EntryDifference[];
  /** max |theirs − convgrad| */
  readonly maxAbs: Extreme;
  /** max |theirs − convgrad| / |convgrad| (∞ where convgrad's value is 0 and theirs is not) */
  readonly maxRel: Extreme;
  /** A pattern the differences follow: a constant factor, a sign, a transpose, a 180° turn, an offset by one. */
  readonly hint?: string;
}

export function valueAt(doc: Partial<ResultDocument> | undefined, quantity: Quantity): Nested<number> | undefined {
  const [group, key] = quantity.split('.') as [keyof ResultDocument, string];
  const part = doc?.[group] as Record<string, Nested<number> | undefined> | undefined;
  return part?.[key];
}

/** A rectangular nested array (or a number) as a tensor: the shape from the first entry of each level. */
export function tensorOf(value: Nested<number>): Tensor<number> {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data: number[] = [];
  const walk = (v: Nested<number>) => (Array.isArray(v) ? v.forEach(walk) : data.push(v));
  walk(value);
  return { shape, data };
}

/**
 * A number as another engine may write it: a JSON number; a string holding an exact rational or
 * decimal ("63/25", "2.52"), read as its nearest double; NaN or ±Infinity, as Python's bare tokens
 * or as strings ("nan", "inf" as NumPy prints them). Anything else is no number: undefined.
 */
export function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const exact = parseRational(value);
  if (exact) return toDouble(exact);
  const word = /^([+-]?)(nan|inf|infinity)$/i.exec(value.trim());
  if (!word) return undefined;
  return word[2].toLowerCase() === 'nan' ? NaN : word[1] === '-' ? -Infinity : Infinity;
}

/**
 * One quantity of the same shape in both, entry by entry within the tolerance; `excused` says which
 * entries (by flat index) a kink the engine left can reach; `floor`, where given, raises an entry's
 * atol to the rounding floor of its own (network-check.ts).
 */
export function compareTensors(path: string, ours: Tensor<number>, theirs: Tensor<number>, tolerance: Tolerance, excused: (flat: number) => boolean = () => false, floor?: (flat: number) => number): QuantityComparison {
  const differences: EntryDifference[] = [];
  const atKink: EntryDifference[] = [];
  let maxAbs: Extreme = { value: 0, index: nestedIndex(ours.shape, 0) };
  let maxRel: Extreme = maxAbs;
  ours.data.forEach((value, flat) => {
    const other = theirs.data[flat];
    const abs = Number.isNaN(other) ? Infinity : Math.abs(other - value);
    const rel = abs === 0 ? 0 : value === 0 ? Infinity : abs / Math.abs(value);
    if (abs > maxAbs.value) maxAbs = { value: abs, index: nestedIndex(ours.shape, flat) };
    if (rel > maxRel.value) maxRel = { value: rel, index: nestedIndex(ours.shape, flat) };
    if (withinTolerance(value, other, floor ? { rtol: tolerance.rtol, atol: Math.max(tolerance.atol, floor(flat)) } : tolerance)) return;
    (excused(flat) ? atKink : differences).push({ index: nestedIndex(ours.shape, flat), ours: value, theirs: other });
  });
  const hint = differences.length > 0 ? differenceHint(ours, theirs, tolerance) : undefined;
  return { path, entries: ours.data.length, differences, atKink, maxAbs, maxRel, ...(hint ? { hint } : {}) };
}
