// `convgrad check`: the problem computed by independent engines, each compared with convgrad's exact
// values quantity by quantity, within the engine's own tolerance.
import { resultDocument, type ResultDocument } from '../result/result-document.js';
import type { Solution } from '../trajectory/train.js';
import { compareQuantity, formatDifference, valueAt, type EntryDifference, type Quantity, type Tolerance } from './compare.js';
import { finiteDifferences } from './finite-differences.js';
import { followsGradient, kinkSites, movedOffKink } from './kinks.js';
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
  readonly quantity: Quantity;
  readonly engine: string;
  readonly verdict: Verdict;
  readonly maxAbs?: number;
  readonly maxRel?: number;
  /** The first entries beyond the tolerance, with both values. */
  readonly differences?: readonly EntryDifference[];
  /** At a kink: the kinks the engine's rounding left, whose side it then took. */
  readonly kinks?: readonly string[];
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

const FLOAT64: Tolerance = { rtol: 1e-9, atol: 1e-12 };
const FLOAT32: Tolerance = { rtol: 2e-4, atol: 2e-5 };

interface EngineRun {
  readonly report: EngineReport;
  /** The quantities it computed; the others are 'not applicable' (a finite difference has no forward pass). */
  readonly result?: Partial<ResultDocument>;
  readonly quantities: readonly Quantity[];
  /** Quantities it cannot compute for this problem, with the reason. */
  readonly unsupported?: ReadonlyMap<Quantity, string>;
}

export async function checkSolution(solution: Solution, version: string): Promise<CheckReport> {
  const ours = resultDocument(solution);
  const sites = kinkSites(solution);
  const runs: EngineRun[] = [differencesRun(solution), await tfjsRun(solution).catch((error: unknown) => failedRun('TensorFlow.js (CPU, float32)', error)), pytorchRun(solution, version)];
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
        const comparison = compareQuantity(mine, theirs, run.report.tolerance!);
        const differs = comparison.differences.length > 0;
        // Gradients and what follows from them may take the other side of a kink the engine left; values never.
        const left = differs && followsGradient(quantity) ? sites.filter((site) => movedOffKink(site, run.result)).map((site) => site.text) : [];
        rows.push({
          quantity,
          engine: name,
          verdict: !differs ? 'agrees' : left.length > 0 ? 'at a kink' : 'differs',
          maxAbs: comparison.maxAbs,
          maxRel: comparison.maxRel,
          ...(differs ? { differences: comparison.differences.slice(0, 5) } : {}),
          ...(left.length > 0 ? { kinks: left } : {}),
        });
      }
    }
  }
  return { engines: runs.map((r) => r.report), rows, agree: rows.every((r) => r.verdict !== 'differs' && r.verdict !== 'failed') };
}

function differencesRun(solution: Solution): EngineRun {
  const fd = finiteDifferences(solution);
  const sampled = fd.sampled.kernel.length < solution.problem.kernel.data.length || fd.sampled.input.length < solution.problem.input.data.length;
  const notes = [fd.step, ...(sampled ? [`a sample of at most 64 entries a tensor`] : []), ...(fd.kinks.length ? [`at a kink (one-sided slopes differ, PyTorch's side taken): ${fd.kinks.join(', ')}`] : [])];
  return {
    report: { name: 'finite differences', tolerance: fd.exact ? { rtol: 1e-6, atol: 1e-9 } : { rtol: 1e-5, atol: 1e-7 }, note: notes.join('; '), ran: true },
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
  const cells = report.rows.map((r) => [r.quantity, r.engine, r.maxAbs === undefined ? '—' : formatDifference(r.maxAbs), r.maxRel === undefined ? '—' : formatDifference(r.maxRel), r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  const lines = [`convgrad check: ${problemName}`, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), ''];
  for (const engine of report.engines) {
    const tolerance = engine.tolerance ? ` (|Δ| ≤ ${formatDifference(engine.tolerance.rtol)}·|value| + ${formatDifference(engine.tolerance.atol)}·scale)` : '';
    lines.push(`${engine.name}${tolerance}: ${engine.note}`);
  }
  const differing = report.rows.filter((r) => r.verdict === 'differs');
  const failed = report.engines.filter((e) => e.failed);
  for (const row of differing) {
    lines.push('', `${row.engine} differs on ${row.quantity}:`, ...(row.differences ?? []).map((d) => `  ${row.quantity}${d.index}: convgrad ${d.ours}, ${row.engine} ${d.theirs}`));
  }
  const atKink = report.rows.filter((r) => r.verdict === 'at a kink');
  for (const engine of new Set(atKink.map((r) => r.engine))) {
    const rows = atKink.filter((r) => r.engine === engine);
    lines.push(
      '',
      `${engine} takes the other side of a kink: convgrad's exact values sit on ${[...new Set(rows.flatMap((r) => r.kinks!))].join(', ')}, which its rounding moved off (the one-sided derivatives differ there; convgrad takes PyTorch's side):`,
      ...rows.flatMap((row) => (row.differences ?? []).map((d) => `  ${row.quantity}${d.index}: convgrad ${d.ours}, ${engine} ${d.theirs}`)),
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
