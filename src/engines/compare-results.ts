// `convgrad compare PROBLEM --with DOC`: another engine's whole result document against convgrad's.
// Strict: every quantity must be there, in convgrad's shape, with numbers for entries; a missing,
// misshapen or unknown field is a fault, and an empty document fails. Each quantity is summed up
// (how many entries differ, the largest absolute and relative difference and where, a hint where the
// differences follow a pattern), and a kink the engine's forward values left excuses only the
// entries it reaches.
import type { ResultDocument } from '../result/result-document.js';
import { compareTensors, tensorOf, type EntryDifference, type QuantityComparison } from './compare.js';
import { excusedReach, movedOffKink, excuser, type KinkSite } from './kinks.js';
import { documentQuantities, networkDocumentQuantities, readNetworkDocument, readResultDocument, type Fault, type ReadDocument } from './result-reader.js';
import type { NetworkResultDocument } from '../result/network-document.js';
import type { Nested, Tensor } from '../tensor/tensor.js';
import { formatDifference, formatTolerance, withinTolerance, type Tolerance } from './tolerance.js';

export interface ResultComparison {
  /** Every quantity of convgrad's document by path, in the order of the data flow. */
  readonly paths: readonly string[];
  readonly quantities: readonly QuantityComparison[];
  /** What is missing, misshapen, no number or unknown, by path. */
  readonly faults: readonly Fault[];
  /** The kinks convgrad's exact values sit on that the other engine's forward values left. */
  readonly moved: readonly string[];
}

export function compareResults(ours: ResultDocument, theirs: unknown, tolerance: Tolerance, sites: readonly KinkSite[]): ResultComparison {
  return compareQuantities(documentQuantities(ours), readResultDocument(ours, theirs), tolerance, sites);
}

/** A network's result document against convgrad's: the same, quantity by quantity (no kink is excused yet). */
export function compareNetworkResults(ours: NetworkResultDocument, theirs: unknown, tolerance: Tolerance): ResultComparison {
  return compareQuantities(networkDocumentQuantities(ours), readNetworkDocument(ours, theirs), tolerance, []);
}

function compareQuantities(quantities: readonly [string, Nested<number>][], read: ReadDocument, tolerance: Tolerance, sites: readonly KinkSite[]): ResultComparison {
  const paths = quantities.map(([path]) => path);
  const moved = sites.filter((site) => movedOffKink(site, read.values.get(site.field)));
  const mine = new Map(quantities.map(([path, value]) => [path, tensorOf(value)]));
  const compared = quantities.flatMap(([path, value]) => {
    const other = read.values.get(path);
    if (!other) return [];
    const excused = excusedReach(sites, path, (p) => mine.get(p), (p) => read.values.get(p), tolerance);
    return [compareTensors(path, tensorOf(value), other, tolerance, excuser(excused))];
  });
  const faults = read.faults.map((fault) => transposeHint(fault, mine, tolerance));
  return { paths, quantities: compared, faults, moved: moved.map((site) => site.text) };
}

export function resultsAgree(comparison: ResultComparison): boolean {
  return comparison.faults.length === 0 && comparison.quantities.every((q) => q.differences.length === 0);
}

/** A quantity whose last two axes are convgrad's swapped, with convgrad's entries transposed, says so. */
function transposeHint(fault: Fault, mine: ReadonlyMap<string, Tensor<number>>, tolerance: Tolerance): Fault {
  const theirs = fault.misshapen;
  const expected = mine.get(fault.path);
  if (!theirs || expected === undefined) return fault;
  const d = expected.shape.length;
  if (d < 2 || theirs.shape.length !== d || theirs.shape[d - 2] !== expected.shape[d - 1] || theirs.shape[d - 1] !== expected.shape[d - 2]) return fault;
  const [rows, cols] = [expected.shape[d - 2], expected.shape[d - 1]];
  const transposed = expected.data.every((value, flat) => {
    const [p, r, c] = [Math.floor(flat / (rows * cols)), Math.floor(flat / cols) % rows, flat % cols];
    return withinTolerance(value, theirs.data[(p * cols + c) * rows + r], tolerance);
  });
  return transposed ? { ...fault, message: `${fault.message}: its entries are convgrad's transposed (rows and columns swapped)` } : fault;
}

/** Faults, and entries at a kink, said one by one at most: the rest counted. */
const FAULTS_SHOWN = 20;
const SHOWN = 10;

/** The report for a terminal: a line per quantity, the entries that differ, the faults, a verdict. */
export function formatComparison(comparison: ResultComparison, names: { readonly problem: string; readonly theirs: string }, tolerance: Tolerance, dtype: string): string {
  const { theirs } = names;
  const entry = (path: string, d: EntryDifference) =>
    `  ${path}${d.index}: convgrad ${d.ours}, ${theirs} ${d.theirs}${Number.isNaN(d.theirs) ? '' : ` (|Δ| ${formatDifference(Math.abs(d.theirs - d.ours))})`}`;
  const lines = [`convgrad compare: ${names.problem} against ${theirs}, ${dtype}: ${formatTolerance(tolerance)} for every entry`, ''];
  // Quantities and faults in the order of the data flow: a fault where its quantity would stand.
  const rank = (path: string) => {
    const at = comparison.paths.findIndex((p) => path === p || path.startsWith(`${p}[`) || p.startsWith(`${path}.`) || p.startsWith(`${path}[`));
    const group = comparison.paths.findIndex((p) => p.split(/[.[]/)[0] === path.split(/[.[]/)[0]);
    return at >= 0 ? at : group >= 0 ? group : comparison.paths.length;
  };
  const items = [...comparison.quantities.map((q) => ({ path: q.path, q })), ...comparison.faults.map((f) => ({ path: f.path, f }))];
  items.sort((a, b) => rank(a.path) - rank(b.path));
  // At most FAULTS_SHOWN faults said one by one (a document of a million unknown fields is said in a screenful).
  let faultsShown = 0;
  for (const item of items) {
    if ('f' in item) {
      if (faultsShown++ < FAULTS_SHOWN) lines.push(`${item.f.path === '' ? theirs : item.f.path}: ${item.f.message}`);
      continue;
    }
    const { q } = item;
    lines.push(quantityLine(q));
    lines.push(...q.differences.slice(0, SHOWN).map((d) => entry(q.path, d)));
    if (q.differences.length > SHOWN) lines.push(`  … and ${q.differences.length - SHOWN} more`);
    if (q.hint) lines.push(`  hint: ${q.hint}`);
  }
  if (faultsShown > FAULTS_SHOWN) lines.push(`… and ${(faultsShown - FAULTS_SHOWN).toLocaleString('en-US')} more fields missing, misshapen, unknown or no number`);
  const atKink = comparison.quantities.flatMap((q) => q.atKink.map((d) => entry(q.path, d)));
  if (atKink.length > 0) {
    lines.push(
      '',
      `At a kink: convgrad's exact values sit on ${comparison.moved.join(', ')}, which ${theirs}'s forward values moved off (the one-sided derivatives differ there); these entries it reaches take the other side:`,
      ...atKink.slice(0, FAULTS_SHOWN),
      ...(atKink.length > FAULTS_SHOWN ? [`  … and ${(atKink.length - FAULTS_SHOWN).toLocaleString('en-US')} more`] : []),
    );
  }
  const differing = comparison.quantities.filter((q) => q.differences.length > 0);
  const entries = differing.reduce((n, q) => n + q.differences.length, 0);
  const reasons = [
    ...(entries > 0 ? [`${entries} ${entries === 1 ? 'entry differs' : 'entries differ'} in ${differing.map((q) => q.path).join(', ')}`] : []),
    ...(comparison.faults.length > 0 ? [`${comparison.faults.length} ${comparison.faults.length === 1 ? 'field is' : 'fields are'} missing, misshapen, unknown or no number`] : []),
  ];
  const kinkNote = atKink.length > 0 ? `, but for ${atKink.length} ${atKink.length === 1 ? 'entry' : 'entries'} on the other side of a kink its forward values left` : '';
  lines.push(
    '',
    reasons.length === 0
      ? `${theirs} agrees with convgrad on all ${comparison.quantities.length} quantities${kinkNote}.`
      : `${theirs} does not agree with convgrad: ${reasons.join('; ')}.`,
  );
  return `${lines.join('\n')}\n`;
}

/** grad.kernel: 1 of 8 entries differs; largest |Δ| 1 at grad.kernel[1][0][0][0], largest rel Δ 0.5 at grad.kernel[1][0][0][0] */
export function quantityLine(q: QuantityComparison): string {
  const where = (e: { value: number; index: string }) => (e.value === 0 ? '0' : `${formatDifference(e.value)} at ${q.path}${e.index}`);
  const sizes = `largest |Δ| ${where(q.maxAbs)}, largest rel Δ ${where(q.maxRel)}`;
  const verdict =
    q.differences.length > 0
      ? `${q.differences.length} of ${q.entries} ${q.entries === 1 ? 'entry differs' : q.differences.length === 1 ? 'entries differs' : 'entries differ'}`
      : q.atKink.length > 0
        ? `agrees but for ${q.atKink.length} ${q.atKink.length === 1 ? 'entry' : 'entries'} on the other side of a kink`
        : `agrees (${q.entries} ${q.entries === 1 ? 'entry' : 'entries'})`;
  return `${q.path}: ${verdict}; ${sizes}`;
}
