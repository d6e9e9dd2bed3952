// `convgrad check` for a network of layers: finite differences of the network's loss, TensorFlow.js
// (tfjs-network.ts: the network in TF's ops, float32) and PyTorch (the script of `convgrad torch`, run
// with --json), each compared with convgrad's values quantity by quantity, in the report of the single
// layer's check (check.ts).
import { networkResultDocument } from '../result/network-document.js';
import type { NetworkSolution } from '../trajectory/train-network.js';
import { parameterNames } from '../problem/network.js';
import type { Tensor } from '../tensor/tensor.js';
import { compareTensors } from './compare.js';
import { comparedRow, listed, type CheckReport, type CheckRow, type EngineReport } from './check.js';
import { networkFiniteDifferences } from './network-differences.js';
import { pytorchNetworkResult } from './pytorch.js';
import { tfjsNetworkResult, type TfjsNetworkValues } from './tfjs-network.js';
import { networkKinks, type NetworkKink } from './network-differences.js';
import { toDouble } from '../numbers/rational.js';
import { readNetworkDocument } from './result-reader.js';
import { DTYPE_TOLERANCES, type Tolerance } from './tolerance.js';
import { FLOOR_SCALE, networkValues, roundingFloors, type FloorDtype } from './network-floors.js';

export { networkValues };

/** The quantities check reports for a network, in the order a reader follows them: the prediction, the loss, every layer's parameters' gradients, the input's, every layer's parameters after the steps. */
export function networkCheckedQuantities(solution: NetworkSolution): string[] {
  const named = (group: string) => solution.network.layers.flatMap((layer, i) => parameterNames(layer).map((name) => `${group}.layers[${i}].${name}`));
  return ['forward.prediction', 'forward.loss', ...named('grad'), 'grad.input', ...named('updated')];
}

export interface NetworkRun {
  readonly report: EngineReport;
  /** Its values by path; a checked path it has no value for is not applicable to it (a difference has no forward pass). */
  readonly values: ReadonlyMap<string, Tensor<number>>;
  /** The paths it computes; the others are 'not applicable'. */
  readonly computes: (path: string) => boolean;
  readonly unsupported?: string;
  /** Quantities it does not compute for this network (the reason is in its note). */
  readonly unsupportedQuantities?: ReadonlySet<string>;
  /** Kinks of convgrad's values the engine's rounding moved off, and the quantities they reach: there it may take the kink's other side. */
  readonly kinks?: { readonly moved: readonly string[]; readonly reaches: (path: string) => boolean };
  /** An entry's own atol floor, by path: the float64 rounding its value cannot avoid (roundingFloors). */
  readonly floor?: (path: string) => ((flat: number) => number) | undefined;
}

export async function checkNetworkSolution(solution: NetworkSolution, version: string, options: { readonly allEntries?: boolean } = {}): Promise<CheckReport> {
  return checkNetworkAgainst(solution, networkValues(solution), await networkRuns(solution, version, options));
}

/** The engines run on the network: finite differences, TF.js, PyTorch. */
export async function networkRuns(solution: NetworkSolution, version: string, options: { readonly allEntries?: boolean } = {}): Promise<NetworkRun[]> {
  return [differencesRun(solution, options.allEntries ?? false), await tfjsNetworkRun(solution).catch((error: unknown) => failedRun(TFJS, error)), pytorchRun(solution, version)];
}

/** The rows of the report: convgrad's values (`ours`, by path) against each run's. Exported so that a test can plant a wrong value of convgrad's. */
export function checkNetworkAgainst(solution: NetworkSolution, ours: ReadonlyMap<string, Tensor<number>>, runs: readonly NetworkRun[]): CheckReport {
  const rows: CheckRow[] = [];
  for (const quantity of networkCheckedQuantities(solution)) {
    const mine = ours.get(quantity);
    if (mine === undefined) continue;
    for (const run of runs) {
      const engine = run.report.name;
      const theirs = run.values.get(quantity);
      if (run.report.failed) rows.push({ quantity, engine, verdict: 'failed' });
      else if (!run.report.ran) rows.push({ quantity, engine, verdict: 'not available' });
      else if (run.unsupported !== undefined || run.unsupportedQuantities?.has(quantity)) rows.push({ quantity, engine, verdict: 'not supported' });
      else if (!run.computes(quantity)) rows.push({ quantity, engine, verdict: 'not applicable' });
      // It ran and should have given this quantity: a result without it confirms nothing.
      else if (theirs === undefined) rows.push({ quantity, engine, verdict: 'failed' });
      else {
        const excused = run.kinks?.reaches(quantity) ?? false;
        rows.push(comparedRow(quantity, engine, compareTensors(quantity, mine, theirs, run.report.tolerance!, () => excused, run.floor?.(quantity)), excused ? run.kinks!.moved : []));
      }
    }
  }
  return { engines: runs.map((r) => r.report), rows, agree: rows.every((r) => r.verdict !== 'differs' && r.verdict !== 'failed') };
}

function differencesRun(solution: NetworkSolution, allEntries: boolean): NetworkRun {
  const fd = networkFiniteDifferences(solution, { allEntries });
  const sampled = fd.differenced.some((d) => d.entries.length < d.of);
  const counted = fd.differenced.map((d) => (d.entries.length === d.of ? `all ${d.of} of ${d.path}` : `${d.entries.length} of the ${d.of} of ${d.path}`));
  const notes = [
    `${fd.step} (${fd.tolerance.rule})`,
    `differenced ${counted.join(', ')}${sampled ? ' (an even sample of the larger ones; --all-entries differences every entry)' : ''}`,
    ...(fd.sites.length ? [`convgrad's values sit on kinks: ${listed(fd.sites)}`] : []),
    ...(fd.kinks.length ? [`at a kink (convgrad's value, PyTorch's side, is one of the one-sided derivatives): ${listed(fd.kinks)}`] : []),
    ...(fd.undecided.length ? [`not decided on a kink (several kinks meet, and PyTorch's choice mixes sides no difference along one entry reaches; PyTorch checks these): ${listed(fd.undecided)}`] : []),
  ];
  return {
    report: { name: 'finite differences', tolerance: { rtol: fd.tolerance.rtol, atol: fd.tolerance.atol }, note: notes.join('; '), ran: true },
    values: fd.grad,
    computes: (path) => fd.grad.has(path),
  };
}

const TFJS = 'TensorFlow.js (CPU, float32)';

/** TF.js on the network, as check runs it: its values, notes, float32 floors and the kinks its rounding left. */
export async function tfjsNetworkRun(solution: NetworkSolution): Promise<NetworkRun> {
  const outcome = await tfjsNetworkResult(solution.network);
  if ('unsupported' in outcome) return { report: { name: TFJS, note: `not supported by this engine: ${outcome.unsupported}`, ran: true }, values: new Map(), computes: () => false, unsupported: outcome.unsupported };
  const moved = movedKinks(solution, outcome);
  const deepest = moved.some((k) => k.layer === undefined) ? Infinity : Math.max(-Infinity, ...moved.map((k) => k.layer!));
  const kinkNote = moved.length
    ? [`its float32 values left kinks convgrad's exact values sit on (${listed(moved.map((k) => k.text))}): the gradients below them (and every parameter after a second step) may take the other side there`]
    : [];
  return {
    report: { name: TFJS, tolerance: DTYPE_TOLERANCES.float32, note: ['float32 arithmetic', ...outcome.notes, floorsNote('float32'), ...kinkNote].join('; '), ran: true },
    values: outcome.values,
    floor: roundingFloors(solution, 'float32'),
    ...(moved.length ? { kinks: { moved: moved.map((k) => k.text), reaches: (path: string) => reachedBelow(path, deepest, solution.network.steps) } } : {}),
    computes: (path) => outcome.values.has(path),
    unsupportedQuantities: new Set(outcome.skipped.keys()),
  };
}

/**
 * The kinks of convgrad's first forward pass that TF.js's float32 values left: a relu's input that is
 * not 0 there, tied max-pool entries that no longer tie (TF.js, as PyTorch, routes a tie to the first
 * of the window), a prediction that is not its target. Where TF.js stays on a kink it takes PyTorch's side.
 */
function movedKinks(solution: NetworkSolution, outcome: TfjsNetworkValues): NetworkKink[] {
  const input = solution.network.input.data.map((x) => Math.fround(toDouble(x)));
  const layerInput = (i: number) => (i === 0 ? input : outcome.outputs[i - 1].data);
  const prediction = outcome.values.get('forward.prediction')?.data ?? [];
  const target = solution.network.target.data.map((x) => Math.fround(toDouble(x)));
  return networkKinks(solution).filter((kink) => {
    if (kink.kind === 'target') return prediction[kink.cells[0]] !== target[solution.network.head === 'none' ? kink.cells[0] : 0];
    const values = kink.cells.map((cell) => layerInput(kink.layer!)[cell]);
    return kink.kind === 'zero' ? values[0] !== 0 : values.some((v) => v !== values[0]);
  });
}

/** Whether a kink at the input of layer `deepest` (Infinity: at the loss) reaches a quantity: the gradients below it; after one step more, every parameter; a forward value never. */
function reachedBelow(path: string, deepest: number, steps: number): boolean {
  if (path === 'grad.input') return true;
  const layer = /^(grad|updated)\.layers\[(\d+)\]/.exec(path);
  if (!layer) return false;
  return Number(layer[2]) < deepest || (layer[1] === 'updated' && steps > 1);
}

/** An engine that threw: the report goes on without it and says why, for a bug report; check then fails. */
function failedRun(name: string, error: unknown): NetworkRun {
  const message = error instanceof Error ? error.message : String(error);
  return { report: { name, note: `failed: ${message} (a bug in convgrad's use of this engine; please report it with the problem file)`, ran: false, failed: true }, values: new Map(), computes: () => false };
}

function pytorchRun(solution: NetworkSolution, version: string): NetworkRun {
  const name = 'PyTorch (float64)';
  const none = { values: new Map<string, Tensor<number>>(), computes: () => false };
  const outcome = pytorchNetworkResult(solution, version);
  if ('unavailable' in outcome) return { report: { name, note: outcome.unavailable, ran: false }, ...none };
  if ('failed' in outcome) return { report: { name, note: `failed: ${outcome.failed}`, ran: false, failed: true }, ...none };
  const read = readNetworkDocument(networkResultDocument(solution), outcome.result);
  const faults = read.faults.map((f) => `${f.path}: ${f.message}`);
  const tolerance: Tolerance = DTYPE_TOLERANCES.float64;
  return {
    report: { name, tolerance, note: [`the script of convgrad torch, run with ${outcome.python}`, floorsNote('float64'), ...(faults.length ? [`its result document has faults: ${listed(faults)}`] : [])].join('; '), ran: true },
    values: read.values,
    computes: () => true,
    floor: roundingFloors(solution),
  };
}

const formatFactor = (x: number) => Number(x.toPrecision(3)).toExponential().replace('e+', 'e');

/** The rounding floors' rule in words, for an engine computing in this dtype (roundingFloors). */
function floorsNote(dtype: FloorDtype): string {
  const [sum, products] = [1e-12, 1e-13].map((f) => formatFactor(f * FLOOR_SCALE[dtype]));
  const cancels = dtype === 'float32' ? `; below a batch norm, δ's size is at least that of the terms its backward cancels, max |γ|·max 1/√(σ² + ε)·max |∂L/∂y| (for the input's gradient too); a prediction that sums the last layer's n entries y (head sum), ${products}·n·max |y| (head mean: ${products}·max |y|)` : '';
  return `an entry's atol is raised to the ${dtype} rounding no engine avoids, from convgrad's values: ${sum}·the largest |entry| of its quantity (a sum that cancels to 0 keeps its terms' rounding); a parameter's gradient ${products}·n·max |δ|·max |a| (n products of the layer's δ and its input a)${cancels}; a parameter after the steps, that gradient floor carried through them (steps·lr·floor, or for Adam, AdamW, RMSprop and Adagrad steps·lr·min(2, floor/(|g| + eps)), which divide by the gradient's size)`;
}
