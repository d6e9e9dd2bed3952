// `convgrad check` for a network of layers: finite differences of the network's loss and PyTorch
// (the script of `convgrad torch`, run with --json), each compared with convgrad's values quantity by
// quantity, in the report of the single layer's check (check.ts). TensorFlow.js is not built for
// networks: it says so, and confirms nothing.
import { networkResultDocument } from '../result/network-document.js';
import type { NetworkSolution } from '../trajectory/train-network.js';
import { parameterNames } from '../problem/network.js';
import type { Tensor } from '../tensor/tensor.js';
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';
import { compareTensors } from './compare.js';
import { comparedRow, listed, type CheckReport, type CheckRow, type EngineReport } from './check.js';
import { networkFiniteDifferences } from './network-differences.js';
import { pytorchNetworkResult } from './pytorch.js';
import { readNetworkDocument } from './result-reader.js';
import { DTYPE_TOLERANCES, type Tolerance } from './tolerance.js';

/** Why TF.js does not check a network. */
export const TFJS_NETWORKS = 'convgrad does not build networks of layers in TensorFlow.js (yet); finite differences and PyTorch check them';

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
  /** An entry's own atol floor, by path: the float64 rounding its value cannot avoid (roundingFloors). */
  readonly floor?: (path: string) => ((flat: number) => number) | undefined;
}

export function checkNetworkSolution(solution: NetworkSolution, version: string, options: { readonly allEntries?: boolean } = {}): CheckReport {
  return checkNetworkAgainst(solution, networkValues(solution), networkRuns(solution, version, options));
}

/** convgrad's values by path, as the engines' are read. */
export function networkValues(solution: NetworkSolution): Map<string, Tensor<number>> {
  const doc = networkResultDocument(solution);
  return new Map(readNetworkDocument(doc, doc).values);
}

/** The engines run on the network: finite differences, TF.js (not supported), PyTorch. */
export function networkRuns(solution: NetworkSolution, version: string, options: { readonly allEntries?: boolean } = {}): NetworkRun[] {
  return [differencesRun(solution, options.allEntries ?? false), tfjsRun(), pytorchRun(solution, version)];
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
      else if (run.unsupported !== undefined) rows.push({ quantity, engine, verdict: 'not supported' });
      else if (!run.computes(quantity)) rows.push({ quantity, engine, verdict: 'not applicable' });
      // It ran and should have given this quantity: a result without it confirms nothing.
      else if (theirs === undefined) rows.push({ quantity, engine, verdict: 'failed' });
      else rows.push(comparedRow(quantity, engine, compareTensors(quantity, mine, theirs, run.report.tolerance!, undefined, run.floor?.(quantity))));
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

function tfjsRun(): NetworkRun {
  return { report: { name: 'TensorFlow.js (CPU, float32)', note: `not supported by this engine: ${TFJS_NETWORKS}`, ran: true }, values: new Map(), computes: () => false, unsupported: TFJS_NETWORKS };
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
    report: { name, tolerance, note: [`the script of convgrad torch, run with ${outcome.python}`, FLOORS, ...(faults.length ? [`its result document has faults: ${listed(faults)}`] : [])].join('; '), ran: true },
    values: read.values,
    computes: () => true,
    floor: roundingFloors(solution),
  };
}

const FLOORS =
  "an entry's atol is raised to the float64 rounding no engine avoids, from convgrad's values: 1e-12·the largest |entry| of its quantity (a sum that cancels to 0 keeps its terms' rounding); a parameter's gradient 1e-13·n·max |δ|·max |a| (n products of the layer's δ and its input a); a parameter after the steps, that gradient floor carried through them (steps·lr·floor, or for Adam, AdamW, RMSprop and Adagrad steps·lr·min(2, floor/(|g| + eps)), which divide by the gradient's size)";

/** torch.optim's eps by default, for the optimizers that divide by a gradient's size. */
const ADAPTIVE_EPS: Readonly<Record<string, number>> = { adam: 1e-8, adamw: 1e-8, rmsprop: 1e-8, adagrad: 1e-10 };

/**
 * The float64 rounding floor of every entry PyTorch gives (the rule of the parity test,
 * test/network-torch.test.ts, which 320 random networks need): the noise of sums that cancel, and
 * how an optimizer's step carries a gradient's noise into a parameter.
 */
export function roundingFloors(solution: NetworkSolution): (path: string) => ((flat: number) => number) | undefined {
  const { network, first } = solution;
  const ours = networkValues(solution);
  const largest = (values: readonly number[]) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const base = (path: string) => 1e-12 * Math.max(1, largest(ours.get(path)?.data ?? []));
  // Layer i's parameter gradients are sums of products of δ⁽ⁱ⁾ (the gradient at its output) and its input.
  const gradientNoise = (i: number) => {
    const delta = first.backward.stages[i + 1].input.data.map(asDouble);
    const input = first.forward.stages[i].input.data.map(asDouble);
    return 1e-13 * delta.length * Math.max(1, largest(delta)) * Math.max(1, largest(input));
  };
  const settings = network.optimizer as unknown as Readonly<Record<string, unknown>>;
  const lr = asDouble(network.optimizer.lr);
  const eps = ADAPTIVE_EPS[network.optimizer.type] === undefined ? undefined : isExact(settings.eps as Scalar) || typeof settings.eps === 'number' ? asDouble(settings.eps as Scalar) : ADAPTIVE_EPS[network.optimizer.type];
  return (path) => {
    const layer = /^(grad|updated)\.layers\[(\d+)\]\.(\w+)$/.exec(path);
    if (!layer) {
      const floor = base(path);
      return () => floor;
    }
    const [, group, i, name] = layer;
    const gradientFloor = Math.max(base(`grad.layers[${i}].${name}`), gradientNoise(Number(i)));
    if (group === 'grad') return () => gradientFloor;
    const gradient = ours.get(`grad.layers[${i}].${name}`)?.data ?? [];
    const own = base(path);
    return (flat) => own + network.steps * lr * (eps === undefined ? gradientFloor : Math.min(2, gradientFloor / (Math.abs(gradient[flat] ?? 0) + eps)));
  };
}
