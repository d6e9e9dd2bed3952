// Where convgrad's exact values sit on a kink of a piecewise rule (model/kinks.ts finds them: relu
// and leaky_relu at σ = 0, max-pool ties, l1 and smooth_l1 with β = 0 at y = t), as places in the
// result document where an engine's own values can be read. There the two one-sided derivatives
// differ and convgrad takes PyTorch's side; an engine whose rounding moves the value off the kink
// (0.1 + 0.2 − 0.3 is 5.6e-17 in float64) takes the side rounding chose. Whether it did is read from
// the engine's own forward values, and the other side may then change only what the kink reaches:
// its cone of dependence through the layer. One rule for check, compare and the PyTorch script.
import { asDouble } from '../numbers/scalar.js';
import { kinksOf } from '../model/kinks.js';
import { routedCells } from '../ops/pool/pool.js';
import { channelsPerGroup, inputChannel, paddedSource, tap } from '../ops/conv2d/geometry.js';
import { offset, unravel, type Tensor } from '../tensor/tensor.js';
import { outputForm } from '../problem/problem.js';
import type { Solution } from '../trajectory/train.js';
import { withinTolerance, type Tolerance } from './tolerance.js';

/** Flat (row-major) indices into a tensor, or every entry of it. */
export type Reach = readonly number[] | 'all';

/**
 * What a kink can change: the first step's gradients on the way down (by the names `convgrad vectors`
 * gives them: grad_prediction, grad_pooled, grad_activation, activation_slope, delta, grad_kernel,
 * grad_bias, grad_padded_input, grad_input), and the parameters after each step, flat over the
 * kernel's entries and then the bias's, with all the optimizer derives from them entry by entry.
 */
export interface Cone {
  readonly stages: Readonly<Record<string, Reach>>;
  /** Index t − 1: the parameters (and their gradients and optimizer state) of step t. */
  readonly parameters: readonly Reach[];
  readonly kernelSize: number;
}

export interface KinkSite {
  /** σ[0][1] = 0 (relu), a[0][0] = a[1][1] (max pool), y[1][0] = t (l1) */
  readonly text: string;
  readonly field: 'forward.conv' | 'forward.prediction';
  /** The entries of the field, in the problem's own form, that sit on the kink. */
  readonly entries: readonly (readonly number[])[];
  /** Their value on the kink, one for all or one an entry; none for a tie, where they equal each other. */
  readonly on?: number | readonly number[];
  /** How many kinks the site judges together (past MAX_SITES of a kind); one where absent. */
  readonly kinks?: number;
  /** Ties judged together: consecutive groups of the entries, of these sizes. */
  readonly tieSizes?: readonly number[];
  readonly cone: Cone;
}

/**
 * Kinks of one kind judged one by one, at most: past it (a relu over a map with a zero border has
 * thousands) they are judged as one site, which reaches all they reach together, and is left when one
 * of them is: the work and the PyTorch script's data then grow with the tensors, not with the kinks.
 */
export const MAX_SITES = 64;

/** The kinks of the first step's forward pass that convgrad's exact values sit on, each with its cone. */
export function kinkSites(solution: Solution): KinkSite[] {
  const { problem } = solution;
  const { forward } = solution.first;
  const form = outputForm(problem);
  const index = (flat: number, shape: readonly number[]) => unravel(shape, flat).slice(shape.length - form);
  const name = (symbol: string, entry: readonly number[]) => `${symbol}${entry.map((k) => `[${k}]`).join('')}`;
  const kinks = kinksOf(problem, forward);
  const activation = problem.activation.type;
  const map = problem.head === 'none';
  // y_k reaches the cells its pooling window routes to; S reaches everything.
  const lossCone = (flats: readonly number[]) => {
    const cells = !map ? 'all' : forward.pooling ? [...new Set(flats.flatMap((flat) => routedCells(problem.pool!, forward.pooling!, flat, forward.activated.shape)))] : flats;
    return coneOf(solution, cells === 'all' ? {} : { grad_prediction: flats, grad_pooled: flats, grad_activation: cells }, cells);
  };
  return [
    ...judged({
      groups: kinks.activation.map((flat) => [flat]),
      field: 'forward.conv',
      entry: (flat) => index(flat, forward.sigma.shape),
      on: () => 0,
      cone: (flats) => coneOf(solution, { activation_slope: flats }, flats),
      one: ([entry]) => `${name('σ', entry)} = 0 (${activation})`,
      many: `entries of σ = 0 (${activation})`,
    }),
    // A tie of a is read where σ is on the document: the tied σ tie too.
    ...judged({
      groups: kinks.poolTies,
      field: 'forward.conv',
      entry: (cell) => index(cell, forward.activated.shape),
      cone: (cells) => coneOf(solution, { grad_activation: cells }, cells),
      one: (entries) => `${entries.map((e) => name('a', e)).join(' = ')} (max pool)`,
      many: 'ties of a (max pool)',
    }),
    ...judged({
      groups: kinks.loss.map((flat) => [flat]),
      field: 'forward.prediction',
      entry: (flat) => (map ? index(flat, forward.prediction.shape) : []),
      on: (flat) => asDouble(problem.target.data[map ? flat : 0]),
      cone: lossCone,
      one: ([entry]) => `${name(map ? 'y' : 'S', entry)} = ${map ? 't' : 'T'} (${problem.loss.type})`,
      many: `entries of y = t (${problem.loss.type})`,
    }),
  ];
}

/** One kind of kink: each kink's cells (one, or the tied cells of a tie), where they are read, and how they are named. */
interface KinkKind {
  readonly groups: readonly (readonly number[])[];
  readonly field: KinkSite['field'];
  readonly entry: (flat: number) => number[];
  /** The value on the kink at a cell; none for a tie. */
  readonly on?: (flat: number) => number;
  readonly cone: (flats: readonly number[]) => Cone;
  readonly one: (entries: readonly (readonly number[])[]) => string;
  readonly many: string;
}

/** A site for each kink of a kind, or past MAX_SITES one site that judges them together. */
function judged(kind: KinkKind): KinkSite[] {
  const site = (groups: readonly (readonly number[])[]): KinkSite => {
    const flats = groups.flat();
    const entries = flats.map(kind.entry);
    const together = groups.length > 1;
    const text = together ? `${groups.length.toLocaleString('en-US')} ${kind.many}` : kind.one(entries);
    const on = kind.on === undefined ? {} : { on: together ? flats.map(kind.on) : kind.on(flats[0]) };
    const merged = !together ? {} : { kinks: groups.length, ...(kind.on === undefined ? { tieSizes: groups.map((g) => g.length) } : {}) };
    return { text, field: kind.field, entries, ...on, ...merged, cone: kind.cone(flats) };
  };
  return kind.groups.length > MAX_SITES ? [site(kind.groups)] : kind.groups.map((group) => site([group]));
}

const GRADIENT_STAGES = ['grad_prediction', 'grad_pooled', 'grad_activation', 'activation_slope', 'delta', 'grad_kernel', 'grad_bias', 'grad_padded_input', 'grad_input'];

/**
 * The cone of σ entries whose δ a kink changes (`above`: what it changes on the way down to them).
 * δ_{n,o,i,j} reaches ∂L/∂k_{o,·,·,·} (every entry of its output channel's kernel), ∂L/∂b_o, and
 * ∂L/∂x at every input entry under its window (through the padding's copies too). The optimizer
 * works entry by entry, so step 1 changes those parameters only; from step 2 on, those parameters
 * change σ_{·,o} and so the prediction: with head none (every loss term reads one entry) only their
 * own channel's δ, with head sum or mean (S reads every entry) every δ and every parameter.
 */
function coneOf(solution: Solution, above: Record<string, readonly number[]>, cells: readonly number[] | 'all'): Cone {
  const { problem } = solution;
  const kernelSize = problem.kernel.data.length;
  const steps = solution.steps.length;
  if (cells === 'all') {
    return { stages: Object.fromEntries(GRADIENT_STAGES.map((s) => [s, 'all'])), parameters: new Array<Reach>(steps).fill('all'), kernelSize };
  }
  const { geometry: g, sigma } = solution.first.forward;
  const paddedShape = [g.batch, g.inChannels, g.padded.rows, g.padded.cols];
  const [padded, input, channels] = [new Set<number>(), new Set<number>(), new Set<number>()];
  for (const cell of cells) {
    const [n, o, i, j] = unravel(sigma.shape, cell);
    channels.add(o);
    for (let c = 0; c < channelsPerGroup(g); c++)
      for (let m = 0; m < g.kernel.rows; m++)
        for (let q = 0; q < g.kernel.cols; q++) {
          const channel = inputChannel(g, o, c);
          const [r, s] = tap(g, i, j, m, q);
          padded.add(offset(paddedShape, [n, channel, r, s]));
          const source = paddedSource(g, r, s);
          if (source) input.add(offset(problem.input.shape, [n, channel, ...source]));
        }
  }
  const perChannel = kernelSize / g.outChannels;
  const outs = [...channels].sort((a, b) => a - b);
  const kernel = outs.flatMap((o) => Array.from({ length: perChannel }, (_, k) => o * perChannel + k));
  const bias = problem.bias ? outs : [];
  const parameters = [...kernel, ...bias.map((o) => kernelSize + o)];
  const sorted = (set: Set<number> | readonly number[]) => [...set].sort((a, b) => a - b);
  return {
    stages: { ...Object.fromEntries(Object.entries(above).map(([k, v]) => [k, sorted(v)])), delta: sorted(cells), grad_kernel: kernel, grad_bias: bias, grad_padded_input: sorted(padded), grad_input: sorted(input) },
    parameters: Array.from({ length: steps }, (_, t) => (t === 0 || problem.head === 'none' ? parameters : 'all')),
    kernelSize,
  };
}

/** The kernel's or the bias's share of a flat parameter reach. */
function part(reach: Reach, which: 'kernel' | 'bias', kernelSize: number): Reach {
  if (reach === 'all') return 'all';
  return which === 'kernel' ? reach.filter((k) => k < kernelSize) : reach.filter((k) => k >= kernelSize).map((k) => k - kernelSize);
}

/**
 * What a kink reaches of one quantity of the result document (grad.kernel, updated.bias,
 * trajectory[2].loss …): the gradients and all that follows from them; a forward value never.
 */
export function documentReach(cone: Cone, path: string): Reach {
  const last = cone.parameters.length - 1;
  const grad = /^grad\.(kernel|bias|input)$/.exec(path);
  if (grad) return cone.stages[`grad_${grad[1]}`] ?? [];
  const updated = /^updated\.(kernel|bias)$/.exec(path);
  if (updated) return part(cone.parameters[last], updated[1] as 'kernel' | 'bias', cone.kernelSize);
  const step = /^trajectory\[(\d+)\]\.(loss|kernel|bias)$/.exec(path);
  if (!step) return [];
  const t = Number(step[1]);
  if (step[2] === 'loss') return t >= 1 ? 'all' : [];
  return t <= last ? part(cone.parameters[t], step[2] as 'kernel' | 'bias', cone.kernelSize) : [];
}

/** What a kink reaches of one tensor of `convgrad vectors` (delta, step2_kernel_exp_avg, trajectory_loss …). */
export function stageReach(cone: Cone, name: string): Reach {
  const last = cone.parameters.length;
  if (name in cone.stages) return cone.stages[name];
  if (name === 'trajectory_loss') return Array.from({ length: last - 1 }, (_, k) => k + 1);
  const updated = /^updated_(kernel|bias)$/.exec(name);
  if (updated) return part(cone.parameters[last - 1], updated[1] as 'kernel' | 'bias', cone.kernelSize);
  const step = /^step(\d+)_(?:grad_)?(loss|kernel|bias)(?:_\w+)?$/.exec(name);
  if (!step) return [];
  const t = Number(step[1]);
  if (step[2] === 'loss') return t >= 2 ? 'all' : [];
  return t >= 1 && t <= last ? part(cone.parameters[t - 1], step[2] as 'kernel' | 'bias', cone.kernelSize) : [];
}

/**
 * What the kinks may excuse at one path of the result document, with the evidence the rule asks
 * for: each kink's own entries left by the engine's forward values (movedOffKink), and for what
 * follows from the gradients (the update, the later steps) the engine's first gradients differing
 * from convgrad's somewhere the kink reaches: it took the other side. `ours` and `theirs` give a
 * quantity of each document by path.
 */
export function excusedReach(sites: readonly KinkSite[], path: string, ours: (path: string) => Tensor<number> | undefined, theirs: (path: string) => Tensor<number> | undefined, tolerance: Tolerance): Reach[] {
  const moved = sites.filter((site) => movedOffKink(site, theirs(site.field)));
  const tookOtherSide = (site: KinkSite) =>
    ['grad.kernel', 'grad.bias', 'grad.input'].some((gradient) => {
      const [mine, other] = [ours(gradient), theirs(gradient)];
      const reach = documentReach(site.cone, gradient);
      if (mine === undefined || other === undefined) return false;
      const differs = (flat: number) => !withinTolerance(mine.data[flat], other.data[flat], tolerance);
      return reach === 'all' ? mine.data.some((_, flat) => differs(flat)) : reach.some(differs);
    });
  return moved.filter((site) => path.startsWith('grad.') || tookOtherSide(site)).map((site) => documentReach(site.cone, path));
}

export function reaches(reach: Reach, flat: number): boolean {
  return reach === 'all' || reach.includes(flat);
}

/** Does any of these reaches hold a flat index: one set built once, then a lookup an entry. */
export function excuser(excused: readonly Reach[]): (flat: number) => boolean {
  if (excused.includes('all')) return () => true;
  const flats = new Set((excused as (readonly number[])[]).flat());
  return (flat) => flats.has(flat);
}

/**
 * Did the engine's forward values leave the kink: an entry off the value, or a tie broken? `field`
 * is the engine's forward.conv or forward.prediction, in the problem's form (or 4-D: the flat index
 * is the same). A value that is no finite number is no evidence.
 */
export function movedOffKink(site: KinkSite, field: Tensor<number> | undefined): boolean {
  if (field === undefined) return false;
  const values = site.entries.map((entry) => field.data[offset(field.shape.slice(field.shape.length - entry.length), entry)]);
  if (!values.every((v) => Number.isFinite(v))) return false;
  const { on } = site;
  if (on !== undefined) return values.some((v, k) => v !== (typeof on === 'number' ? on : on[k]));
  // A tie is broken where its entries differ: each group of tieSizes, or all of them.
  let start = 0;
  for (const size of site.tieSizes ?? [values.length]) {
    if (values.slice(start, start + size).some((v) => v !== values[start])) return true;
    start += size;
  }
  return false;
}
