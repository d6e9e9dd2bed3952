// Finite differences of a network's loss: central differences in float64 on the parameters of every
// layer and on the input, sampled as the single layer's (finite-differences.ts: at most ENTRY_SAMPLE
// entries a tensor, evenly spread, unless every entry is asked for). An engine that knows no
// derivative rule: each difference runs the network forward twice (four times on a kink).
import { asDouble, isExact, type Scalar } from '../numbers/scalar.js';
import { runForward } from '../model/passes.js';
import type { NamedTensors } from '../ops/stage.js';
import { windowCells } from '../ops/pool/pool.js';
import { parameterNames } from '../problem/network.js';
import { nestedIndex, offset, type Tensor } from '../tensor/tensor.js';
import type { NetworkSolution } from '../trajectory/train-network.js';
import { ENTRY_SAMPLE } from './finite-differences.js';
import { withinTolerance, type Tolerance } from './tolerance.js';

/** One tensor differenced: its path in the result document, the flat entries differenced and how many it has. */
export interface Differenced {
  readonly path: string;
  readonly entries: readonly number[];
  readonly of: number;
}

export interface NetworkDifferenceResult {
  /** By path (grad.layers[0].kernel, grad.input): the differences, convgrad's value where an entry was not differenced. */
  readonly grad: ReadonlyMap<string, Tensor<number>>;
  readonly differenced: readonly Differenced[];
  readonly step: string;
  readonly tolerance: Tolerance & { readonly rule: string };
  /** The kinks convgrad's values sit on (a relu's input at 0, a max-pool tie, l1 at y = t). */
  readonly sites: readonly string[];
  /** Entries on a kink where convgrad's value is one of the one-sided derivatives. */
  readonly kinks: readonly string[];
  /** Entries on a kink that no one-sided difference decides (several kinks meet): left at convgrad's value. */
  readonly undecided: readonly string[];
}

/** Where an entry is shifted: layer `layer`'s parameter `name`, or the input (layer undefined). */
interface Where {
  readonly layer?: number;
  readonly name?: string;
  readonly flat: number;
}

const doubles = (t: Tensor<Scalar>): Tensor<number> => ({ shape: t.shape, data: t.data.map(asDouble) });

/** How many entries the differences take: a sample of every parameter tensor and of the input (or all). */
export function networkDifferencedCount(sizes: readonly number[], all: boolean): number {
  return sizes.reduce((n, count) => n + (all ? count : Math.min(count, ENTRY_SAMPLE)), 0);
}

function sample(count: number, all: boolean): number[] {
  if (all || count <= ENTRY_SAMPLE) return Array.from({ length: count }, (_, k) => k);
  return Array.from({ length: ENTRY_SAMPLE }, (_, k) => Math.round((k * (count - 1)) / (ENTRY_SAMPLE - 1)));
}

/**
 * A kink convgrad's first forward pass sits on: at layer `layer`'s input (flat NCHW cells: one at 0
 * for a relu, the tied cells of a max-pool window), or at the prediction (layer undefined; one entry
 * equal to its target).
 */
export interface NetworkKink {
  /** "layers[1] input[0][0][1][2] = 0 (relu)" */
  readonly text: string;
  readonly layer?: number;
  readonly kind: 'zero' | 'tie' | 'target';
  readonly cells: readonly number[];
}

/**
 * The kinks convgrad's first forward pass sits on: a relu's or leaky relu's input at 0, two largest
 * of a max-pool window tied, an l1 (or smooth l1 with β = 0) prediction equal to its target. Where
 * there is none, the loss is smooth at the point in every direction the differences take.
 */
export function networkKinks(solution: NetworkSolution): NetworkKink[] {
  const { network, first } = solution;
  const kinks: NetworkKink[] = [];
  const zero = (x: Scalar) => (isExact(x) ? x.n === 0n : x === 0);
  const same = (a: Scalar, b: Scalar) => (isExact(a) && isExact(b) ? a.equals(b) : asDouble(a) === asDouble(b));
  network.layers.forEach((layer, i) => {
    const input = first.forward.stages[i].input;
    if (layer.type === 'activation' && (layer.activation.type === 'relu' || layer.activation.type === 'leaky_relu')) {
      input.data.forEach((x, flat) => {
        if (zero(x)) kinks.push({ text: `layers[${i}] input${nestedIndex(input.shape, flat)} = 0 (${layer.written})`, layer: i, kind: 'zero', cells: [flat] });
      });
    }
    if (layer.type === 'pool' && layer.pool.type === 'max') {
      const output = first.forward.stages[i].output;
      const [batch, channels, rows, cols] = output.shape;
      for (let n = 0; n < batch; n++)
        for (let c = 0; c < channels; c++)
          for (let r = 0; r < rows; r++)
            for (let q = 0; q < cols; q++) {
              const cells = windowCells(layer.pool, r, q).map(([a, b]) => offset(input.shape, [n, c, a, b]));
              const best = output.data[offset(output.shape, [n, c, r, q])];
              const tied = cells.filter((cell) => same(input.data[cell], best));
              if (tied.length > 1) kinks.push({ text: `layers[${i}] max-pool window [${n}][${c}][${r}][${q}] tied`, layer: i, kind: 'tie', cells: tied });
            }
    }
  });
  const l = network.loss;
  if (l.type === 'l1' || (l.type === 'smooth_l1' && l.beta.equals(0))) {
    const y = first.forward.prediction;
    y.data.forEach((v, flat) => {
      const t = network.target.data[network.head === 'none' ? flat : 0];
      if (same(v, t)) kinks.push({ text: `prediction${nestedIndex(y.shape, flat)} = target (${l.type})`, kind: 'target', cells: [flat] });
    });
  }
  return kinks;
}

/** The kinks convgrad's first forward pass sits on, said as "layers[1] input[0][0][1][2] = 0 (relu)". */
export function networkKinkSites(solution: NetworkSolution): string[] {
  return networkKinks(solution).map((k) => k.text);
}

// ∂L/∂θ ≈ (L(θ + h) − L(θ − h)) / 2h, every L in float64
export function networkFiniteDifferences(solution: NetworkSolution, options: { readonly allEntries?: boolean } = {}): NetworkDifferenceResult {
  const { network, model, first } = solution;
  const all = options.allEntries ?? false;
  const input = doubles(network.input);
  const parameters: NamedTensors[] = first.parameters.map((named) => Object.fromEntries(Object.entries(named).map(([name, t]) => [name, doubles(t)])));
  const lossWith = (where: Where, by: number): number => {
    const shift = (t: Tensor<Scalar>): Tensor<number> => ({ shape: t.shape, data: t.data.map((v, k) => (k === where.flat ? asDouble(v) + by : asDouble(v))) });
    const shifted = where.layer === undefined ? parameters : parameters.map((named, i) => (i === where.layer ? { ...named, [where.name!]: shift(named[where.name!]) } : named));
    return asDouble(runForward(model, where.layer === undefined ? shift(input) : input, shifted).loss);
  };
  const here = asDouble(runForward(model, input, parameters).loss);
  // L's float64 rounding, some 1e-16 of the largest of |L| and the prediction's entries (a loss of
  // differences of large predictions keeps their rounding), divided by h ≥ 1e-6.
  const largest = Math.max(1, Math.abs(here), ...first.forward.prediction.data.map((x) => Math.abs(asDouble(x))));
  const tolerance = { rtol: 1e-5, atol: 1e-8 * largest, rule: "atol 1e-8·max(1, |L|, max |y|): L's float64 rounding over h" };
  const sites = networkKinkSites(solution);
  const kinks: string[] = [];
  const undecided: string[] = [];
  const derivative = (where: Where, theta: number, ours: number, name: string): number => {
    const h = 1e-6 * Math.max(1, Math.abs(theta));
    const at = (k: number) => lossWith(where, k * h);
    const central = (at(1) - at(-1)) / (2 * h);
    if (withinTolerance(ours, central, tolerance) || sites.length === 0) return central;
    // On a kink the loss has a slope from each side, and convgrad takes PyTorch's: its value must be
    // one of the one-sided derivatives d± = 2·s(±h) − s(±2h), s(t) the slope over t. Where the two
    // differ and convgrad's is neither, several kinks meet (PyTorch's choice mixes sides no
    // difference along one entry reaches): undecided, and said so. Where they agree there is no kink
    // along this entry, and the central difference stands.
    const slope = (k: number) => (at(k) - here) / (k * h);
    const [right, left] = [2 * slope(1) - slope(2), 2 * slope(-1) - slope(-2)];
    if (withinTolerance(right, left, tolerance)) return central;
    if (withinTolerance(ours, right, tolerance) || withinTolerance(ours, left, tolerance)) kinks.push(name);
    else undecided.push(name);
    return ours;
  };
  const grad = new Map<string, Tensor<number>>();
  const differenced: Differenced[] = [];
  const difference = (path: string, values: Tensor<Scalar>, ours: Tensor<Scalar>, where: (flat: number) => Where) => {
    const picked = sample(values.data.length, all);
    const chosen = new Set(picked);
    const data = ours.data.map((g, flat) => (chosen.has(flat) ? derivative(where(flat), asDouble(values.data[flat]), asDouble(g), `${path}${nestedIndex(values.shape, flat)}`) : asDouble(g)));
    grad.set(path, { shape: values.shape, data });
    differenced.push({ path, entries: picked, of: values.data.length });
  };
  network.layers.forEach((layer, i) => {
    for (const name of parameterNames(layer)) difference(`grad.layers[${i}].${name}`, first.parameters[i][name], first.backward.stages[i].parameters[name], (flat) => ({ layer: i, name, flat }));
  });
  difference('grad.input', network.input, first.backward.input, (flat) => ({ flat }));
  return { grad, differenced, step: 'h = 1e-6·max(1, |θ|), in float64', tolerance, sites, kinks, undecided };
}
