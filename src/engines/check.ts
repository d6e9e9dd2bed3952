// `convgrad check`: the problem computed by independent engines, each compared with convgrad's exact
// values quantity by quantity, within the engine's own tolerance.
import { resultDocument, type ResultDocument } from '../result/result-document.js';
import type { Solution } from '../trajectory/train.js';
import { compareTensors, tensorOf, valueAt, type EntryDifference, type Extreme, type Quantity, type QuantityComparison } from './compare.js';
import { finiteDifferences } from './finite-differences.js';
import { excusedReach, kinkSites, movedOffKink, excuser } from './kinks.js';
import { DTYPE_TOLERANCES, formatDifference, formatTolerance, type Tolerance } from './tolerance.js';
import { pytorchResult } from './pytorch.js';
import { tfjsResult } from './tfjs.js';

/** The quantities check reports, in the order a reader follows them. */
export const CHECKED: readonly Quantity[] = ['forward.prediction', 'forward.loss', 'grad.kernel', 'grad.bias', 'grad.input', 'updated.kernel', 'updated.bias'];

/**
 * 'at a kink': it differs, but the engine's own forward values left a kink convgrad's exact ones sit on.
 * 'failed': the engine was there but did not compute (its script died, it threw): never an agreement.
 */
export type Verdict = 'agrees' | 'differs' | 'at a kink' | 'failed' | 'not supported' | 'not available' | 'not applicable';

export interface CheckRow {
  /** The quantity's path in the result document: grad.kernel, or grad.layers[0].kernel for a network. */
  readonly quantity: string;
  readonly engine: string;
  readonly verdict: Verdict;
  readonly maxAbs?: Extreme;
  readonly maxRel?: Extreme;
  /** How many entries lie beyond the tolerance with no kink to excuse them, and the first of them with both values. */
  readonly differing?: number;
  readonly differences?: readonly EntryDifference[];
  /** Entries beyond it that a kink the engine's rounding left reaches: they take the kink's other side. */
  readonly atKink?: readonly EntryDifference[];
  /** The kinks the engine's forward values left, whose other side those entries took. */
  readonly kinks?: readonly string[];
  /** A pattern the differences follow. */
  readonly hint?: string;
}

export interface EngineReport {
  readonly name: string;
  readonly tolerance?: Tolerance;
  /** How it computed (the step size, the dtype), or why it did not run. */
  readonly note: string;
  readonly ran: boolean;
  /** It was there but did not compute: a failure, not a missing engine. */
  readonly failed?: boolean;
}

export interface CheckReport {
  readonly engines: readonly EngineReport[];
  readonly rows: readonly CheckRow[];
  /** Every engine that ran agrees within its tolerance on every quantity it computed, and none failed. */
  readonly agree: boolean;
}

const FLOAT64 = DTYPE_TOLERANCES.float64;
const FLOAT32 = DTYPE_TOLERANCES.float32;

interface EngineRun {
  readonly report: EngineReport;
  /** The quantities it computed; the others are 'not applicable' (a finite difference has no forward pass). */
  readonly result?: Partial<ResultDocument>;
  readonly quantities: readonly Quantity[];
  /** Quantities it cannot compute for this problem, with the reason. */
  readonly unsupported?: ReadonlyMap<Quantity, string>;
}

export async function checkSolution(solution: Solution, version: string, options: { readonly allEntries?: boolean } = {}): Promise<CheckReport> {
  const ours = resultDocument(solution);
  const sites = kinkSites(solution);
  const runs: EngineRun[] = [differencesRun(solution, options.allEntries ?? false), await tfjsRun(solution).catch((error: unknown) => failedRun('TensorFlow.js (CPU, float32)', error)), pytorchRun(solution, version)];
  const rows: CheckRow[] = [];
  for (const quantity of CHECKED) {
    const mine = valueAt(ours, quantity);
    if (mine === undefined) continue;
    for (const run of runs) {
      const name = run.report.name;
      if (run.report.failed) rows.push({ quantity, engine: name, verdict: 'failed' });
      else if (!run.report.ran) rows.push({ quantity, engine: name, verdict: 'not available' });
      else if (run.unsupported?.has(quantity)) rows.push({ quantity, engine: name, verdict: 'not supported' });
      else if (!run.quantities.includes(quantity)) rows.push({ quantity, engine: name, verdict: 'not applicable' });
      else {
        const theirs = valueAt(run.result, quantity);
        if (theirs === undefined) {
          rows.push({ quantity, engine: name, verdict: 'not supported' });
          continue;
        }
        // An entry a kink reaches may take its other side where the engine's own forward values left it; a value never.
        const field = (path: Quantity) => (valueAt(run.result, path) === undefined ? undefined : tensorOf(valueAt(run.result, path)!));
        const moved = sites.filter((site) => movedOffKink(site, field(site.field)));
        const mineAt = (path: string) => (valueAt(ours, path as Quantity) === undefined ? undefined : tensorOf(valueAt(ours, path as Quantity)!));
        const excused = excusedReach(sites, quantity, mineAt, (path) => field(path as Quantity), run.report.tolerance!);
        const c = compareTensors(quantity, tensorOf(mine), tensorOf(theirs), run.report.tolerance!, excuser(excused));
        rows.push(comparedRow(quantity, name, c, moved.map((site) => site.text)));
      }
    }
  }
  return { engines: runs.map((r) => r.report), rows, agree: rows.every((r) => r.verdict !== 'differs' && r.verdict !== 'failed') };
}

/** A row of the report from one quantity compared: its verdict, its largest differences, the first entries that differ. */
export function comparedRow(quantity: string, engine: string, c: QuantityComparison, kinks: readonly string[] = []): CheckRow {
  return {
    quantity,
    engine,
    verdict: c.differences.length > 0 ? 'differs' : c.atKink.length > 0 ? 'at a kink' : 'agrees',
    maxAbs: c.maxAbs,
    maxRel: c.maxRel,
    ...(c.differences.length > 0 ? { differing: c.differences.length, differences: c.differences.slice(0, 5) } : {}),
    ...(c.atKink.length > 0 ? { atKink: c.atKink.slice(0, 5), kinks } : {}),
    ...(c.hint ? { hint: c.hint } : {}),
  };
}

/** The first ten names, and how many more. */
export function listed(names: readonly string[]): string {
  return names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`;
}

function differencesRun(solution: Solution, allEntries: boolean): EngineRun {
  const fd = finiteDifferences(solution, { allEntries });
  const tensors = [['∂L/∂K', fd.differenced.kernel], ...(fd.differenced.bias.of > 0 ? [['∂L/∂b', fd.differenced.bias] as const] : []), ['∂L/∂X', fd.differenced.input]] as const;
  const sampled = tensors.some(([, d]) => d.entries.length < d.of);
  const counted = tensors.map(([name, d]) => (d.entries.length === d.of ? `all ${d.of} of ${name}` : `${d.entries.length} of the ${d.of} of ${name}`));
  const notes = [
    `${fd.step} (${fd.tolerance.rule})`,
    `differenced ${counted.join(', ')}${sampled ? ' (an even sample of the larger ones; --all-entries differences every entry)' : ''}`,
    ...(fd.kinks.length ? [`at a kink (convgrad's value, PyTorch's side, is one of the one-sided derivatives): ${listed(fd.kinks)}`] : []),
    ...(fd.undecided.length
      ? [`not decided where several kinks meet (PyTorch's choice mixes sides no difference along one entry reaches; PyTorch and TF.js check these): ${listed(fd.undecided)}`]
      : []),
  ];
  return {
    report: { name: 'finite differences', tolerance: { rtol: fd.tolerance.rtol, atol: fd.tolerance.atol }, note: notes.join('; '), ran: true },
    result: { grad: fd.grad } as Partial<ResultDocument>,
    quantities: ['grad.kernel', 'grad.bias', 'grad.input'],
  };
}

async function tfjsRun(solution: Solution): Promise<EngineRun> {
  const name = 'TensorFlow.js (CPU, float32)';
  const outcome = await tfjsResult(solution.problem);
  if ('unsupported' in outcome) {
    return { report: { name, note: `not supported by this engine: ${outcome.unsupported}`, ran: true }, quantities: [], unsupported: new Map(CHECKED.map((q) => [q, outcome.unsupported])) };
  }
  const updates = outcome.result.updated === undefined ? new Map<Quantity, string>([['updated.kernel', outcome.notes[0]], ['updated.bias', outcome.notes[0]]]) : new Map<Quantity, string>();
  return {
    report: { name, tolerance: FLOAT32, note: ['float32 arithmetic', ...outcome.notes].join('; '), ran: true },
    result: outcome.result,
    quantities: CHECKED,
    unsupported: updates,
  };
}

/** An engine that threw: the report goes on without it and says why, for a bug report; check then fails. */
function failedRun(name: string, error: unknown): EngineRun {
  const message = error instanceof Error ? error.message : String(error);
  return { report: { name, note: `failed: ${message} (a bug in convgrad's use of this engine; please report it with the problem file)`, ran: false, failed: true }, quantities: [] };
}

function pytorchRun(solution: Solution, version: string): EngineRun {
  const name = 'PyTorch (float64)';
  const outcome = pytorchResult(solution, version);
  if ('unavailable' in outcome) return { report: { name, note: outcome.unavailable, ran: false }, quantities: [] };
  if ('failed' in outcome) return { report: { name, note: `failed: ${outcome.failed}`, ran: false, failed: true }, quantities: [] };
  return { report: { name, tolerance: FLOAT64, note: `the script of convgrad torch, run with ${outcome.python}`, ran: true }, result: outcome.result, quantities: CHECKED };
}

/** The report as a table for a terminal: a row a quantity and engine, then the engines' notes. */
export function formatCheck(report: CheckReport, problemName: string): string {
  const header = ['quantity', 'engine', 'max |Δ|', 'max rel Δ', 'verdict'];
  const size = (e: Extreme | undefined) => (e === undefined ? '—' : formatDifference(e.value));
  const cells = report.rows.map((r) => [r.quantity, r.engine, size(r.maxAbs), size(r.maxRel), r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  const lines = [`convgrad check: ${problemName}`, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), ''];
  for (const engine of report.engines) lines.push(`${engine.name}${engine.tolerance ? ` (${formatTolerance(engine.tolerance)} for every entry)` : ''}: ${engine.note}`);
  const entry = (row: CheckRow, d: EntryDifference) => `  ${row.quantity}${d.index}: convgrad ${d.ours}, ${row.engine} ${d.theirs}`;
  const differing = report.rows.filter((r) => r.verdict === 'differs');
  const failed = report.engines.filter((e) => e.failed);
  for (const row of differing) {
    const where = row.maxAbs && row.maxAbs.value > 0 ? `; largest |Δ| ${formatDifference(row.maxAbs.value)} at ${row.quantity}${row.maxAbs.index}` : '';
    lines.push('', `${row.engine} differs on ${row.quantity} at ${row.differing} ${row.differing === 1 ? 'entry' : 'entries'}${where}:`, ...(row.differences ?? []).map((d) => entry(row, d)));
    if (row.hint) lines.push(`  hint: ${row.hint}`);
  }
  const atKink = report.rows.filter((r) => r.atKink !== undefined);
  for (const engine of new Set(atKink.map((r) => r.engine))) {
    const rows = atKink.filter((r) => r.engine === engine);
    lines.push(
      '',
      `${engine} takes the other side of a kink: convgrad's exact values sit on ${[...new Set(rows.flatMap((r) => r.kinks!))].join(', ')}, which its rounding moved off (the one-sided derivatives differ there; convgrad takes PyTorch's side), and these entries it reaches follow:`,
      ...rows.flatMap((row) => row.atKink!.map((d) => entry(row, d))),
    );
  }
  const agreement = atKink.length > 0 ? 'Every engine that ran agrees with convgrad, but for the side it took at a kink its rounding moved off.' : 'Every engine that ran agrees with convgrad.';
  const verdicts = [
    ...(differing.length > 0 ? [`${differing.length} ${differing.length === 1 ? 'comparison differs' : 'comparisons differ'}.`] : []),
    ...failed.map((e) => `${e.name} failed to compute, so it confirms nothing.`),
  ];
  lines.push('', report.agree ? agreement : verdicts.join(' '));
  return `${lines.join('\n')}\n`;
}
