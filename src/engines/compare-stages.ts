// `convgrad compare PROBLEM --vectors DIR`: another engine's intermediate tensors, as .npy files named
// as `convgrad vectors` names them, against convgrad's, stage by stage in the order of the data flow
// (the padded input, σ, the activation, the pooling, the prediction, the loss, δ, the gradients, each
// step's optimizer state and parameters). The first stage that differs is where a bug starts.
import { unknownField } from '../problem/parse-problem.js';
import { asDouble } from '../numbers/scalar.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Solution } from '../trajectory/train.js';
import { compareTensors, type EntryDifference, type QuantityComparison } from './compare.js';
import { quantityLine } from './compare-results.js';
import { kinkSites, movedOffKink, excuser, stageReach, type Reach } from './kinks.js';
import { readNpy } from './npy.js';
import type { Fault } from './result-reader.js';
import { shapeText } from './result-reader.js';
import { formatDifference, formatTolerance, type Tolerance } from './tolerance.js';
import { vectorTensors, type Described } from './vectors.js';
import { networkVectorTensors } from './network-vectors.js';
import type { NetworkSolution } from '../trajectory/train-network.js';

export interface StageComparison {
  /** The stages given, compared, in the order of the data flow, each with what it means. */
  readonly stages: readonly (QuantityComparison & { readonly meaning: string })[];
  /** convgrad's stages the other engine did not give. */
  readonly notGiven: readonly string[];
  /** Files that are no tensor of convgrad's, no .npy file, or in another shape. */
  readonly faults: readonly Fault[];
  /** The kinks the other engine's forward values (conv.npy, prediction.npy) left. */
  readonly moved: readonly string[];
}

/** `files`: the other engine's .npy files by name without the extension (delta, step2_kernel_exp_avg …). */
export function compareStages(solution: Solution, files: ReadonlyMap<string, Buffer>, tolerance: Tolerance): StageComparison {
  const ours = vectorTensors(solution);
  const { theirs, faults } = readStages(ours, files);
  // The other side of a kink, where the engine's own σ or prediction left it, for the entries it reaches.
  const evidence = { 'forward.conv': theirs.get('conv'), 'forward.prediction': theirs.get('prediction') };
  const moved = kinkSites(solution).filter((site) => movedOffKink(site, evidence[site.field]));
  return compareRead(ours, files, theirs, faults, tolerance, (name) => moved.map((site) => stageReach(site.cone, name)), moved.map((site) => site.text));
}

/** A network's stages (network-vectors.ts names them layer{i}_…) against the other engine's .npy files; no kink is excused. */
export function compareNetworkStages(solution: NetworkSolution, files: ReadonlyMap<string, Buffer>, tolerance: Tolerance): StageComparison {
  const ours = networkVectorTensors(solution);
  const { theirs, faults } = readStages(ours, files);
  return compareRead(ours, files, theirs, faults, tolerance, () => [], []);
}

/** The other engine's files read against convgrad's tensors: each in convgrad's shape (or the same without axes of size 1), or a fault. */
function readStages(ours: readonly Described[], files: ReadonlyMap<string, Buffer>): { theirs: Map<string, Tensor<number>>; faults: Fault[] } {
  const names = ours.map(([name]) => name);
  const faults: Fault[] = [];
  const theirs = new Map<string, Tensor<number>>();
  for (const [name, bytes] of files) {
    const mine = ours.find(([n]) => n === name)?.[1];
    if (!mine) {
      const hint = /\(did you mean "[^"]+"\?\)/.exec(unknownField(name, names))?.[0];
      faults.push({ path: `${name}.npy`, message: `not a tensor convgrad vectors writes for this problem${hint ? ` ${hint}` : ''}` });
      continue;
    }
    const read = readNpy(bytes);
    if ('error' in read) faults.push({ path: `${name}.npy`, message: read.error });
    else if (read.shape.join() !== mine.shape.join() && squeezed(read.shape).join() !== squeezed(mine.shape).join()) {
      faults.push({ path: `${name}.npy`, message: `shape ${shapeText(read.shape)}, convgrad's is ${shapeText(mine.shape)}` });
    } else theirs.set(name, { shape: mine.shape, data: read.data });
  }
  return { theirs, faults };
}

function compareRead(ours: readonly Described[], files: ReadonlyMap<string, Buffer>, theirs: ReadonlyMap<string, Tensor<number>>, faults: Fault[], tolerance: Tolerance, excusedFor: (name: string) => Reach[], moved: string[]): StageComparison {
  const stages = ours.flatMap(([name, tensor, meaning]) => {
    const other = theirs.get(name);
    if (!other) return [];
    const comparison = compareTensors(name, { shape: tensor.shape, data: tensor.data.map(asDouble) }, other, tolerance, excuser(excusedFor(name)));
    return [{ ...comparison, meaning }];
  });
  return { stages, notGiven: ours.map(([name]) => name).filter((name) => !files.has(name)), faults, moved };
}

/** The shape without its axes of size 1: [1][1][3][3] and [3][3] are the same tensor. */
function squeezed(shape: readonly number[]): number[] {
  return shape.filter((n) => n !== 1);
}

export function stagesAgree(comparison: StageComparison): boolean {
  return comparison.stages.length > 0 && comparison.faults.length === 0 && comparison.stages.every((s) => s.differences.length === 0);
}

const SHOWN = 10;

export function formatStages(comparison: StageComparison, names: { readonly problem: string; readonly dir: string }, tolerance: Tolerance, dtype: string): string {
  const entry = (name: string, d: EntryDifference) => `  ${name}${d.index}: convgrad ${d.ours}, ${names.dir}/${name}.npy ${d.theirs}${Number.isNaN(d.theirs) ? '' : ` (|Δ| ${formatDifference(Math.abs(d.theirs - d.ours))})`}`;
  const lines = [`convgrad compare: ${names.problem} against the stages in ${names.dir}/, ${dtype}: ${formatTolerance(tolerance)} for every entry`, ''];
  for (const stage of comparison.stages) {
    lines.push(`${quantityLine(stage)}  (${stage.meaning})`, ...stage.differences.slice(0, SHOWN).map((d) => entry(stage.path, d)));
    if (stage.differences.length > SHOWN) lines.push(`  … and ${stage.differences.length - SHOWN} more`);
    if (stage.hint) lines.push(`  hint: ${stage.hint}`);
  }
  for (const fault of comparison.faults) lines.push(`${names.dir}/${fault.path}: ${fault.message}`);
  const atKink = comparison.stages.flatMap((s) => s.atKink.map((d) => entry(s.path, d)));
  if (atKink.length > 0) {
    lines.push('', `At a kink: convgrad's exact values sit on ${comparison.moved.join(', ')}, which ${names.dir}/conv.npy or prediction.npy moved off; these entries it reaches take the other side:`, ...atKink);
  }
  if (comparison.notGiven.length > 0) lines.push('', `not given (compared where given): ${comparison.notGiven.join(', ')}`);
  const first = comparison.stages.find((s) => s.differences.length > 0);
  lines.push(
    '',
    comparison.stages.length === 0
      ? `${names.dir}/ holds none of the .npy files convgrad vectors writes: nothing to compare.`
      : first
        ? `The first stage that differs is ${first.path} (${first.meaning}); the stages given before it agree, so the bug starts there.`
        : comparison.faults.length > 0
          ? `The stages given agree, but ${comparison.faults.length} ${comparison.faults.length === 1 ? 'file' : 'files'} could not be compared.`
          : `Every one of the ${comparison.stages.length} stages given agrees with convgrad.`,
  );
  return `${lines.join('\n')}\n`;
}
