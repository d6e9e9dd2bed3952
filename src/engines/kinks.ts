// Where convgrad's exact values sit on a kink of a piecewise rule (model/kinks.ts finds them: relu
// and leaky_relu at σ = 0, max-pool ties, l1 and smooth_l1 with β = 0 at y = t), as places in the
// result document where an engine's own values can be read. There the two one-sided derivatives
// differ and convgrad takes PyTorch's side; an engine whose rounding moves the value off the kink
// (0.1 + 0.2 − 0.3 is 5.6e-17 in float64) takes the side rounding chose. Whether it did is read from
// the engine's own forward values, so a difference is only ever put down to a kink with that evidence.
import { asDouble } from '../numbers/scalar.js';
import { kinksOf } from '../model/kinks.js';
import { unravel } from '../model/tensor.js';
import { outputForm } from '../problem/problem.js';
import type { ResultDocument } from '../result/result-document.js';
import type { Solution } from '../trajectory/train.js';
import { valueAt, type Nested } from './compare.js';

export interface KinkSite {
  /** σ[0][1] = 0 (relu), a[0][0] = a[1][1] (max pool), y[1][0] = t (l1) */
  readonly text: string;
  readonly field: 'forward.conv' | 'forward.prediction';
  /** The entries of the field, in the problem's own form, that sit on the kink. */
  readonly entries: readonly (readonly number[])[];
  /** Their value on the kink; none for a tie, where they equal each other. */
  readonly on?: number;
}

/** The kinks of the first step's forward pass that convgrad's exact values sit on. */
export function kinkSites(solution: Solution): KinkSite[] {
  const { problem } = solution;
  const { forward } = solution.first;
  const form = outputForm(problem);
  const index = (flat: number, shape: readonly number[]) => unravel(shape, flat).slice(shape.length - form);
  const name = (symbol: string, entry: readonly number[]) => `${symbol}${entry.map((k) => `[${k}]`).join('')}`;
  const sites: KinkSite[] = [];

  const kinks = kinksOf(problem, forward);
  for (const flat of kinks.activation) {
    const entry = index(flat, forward.sigma.shape);
    sites.push({ text: `${name('σ', entry)} = 0 (${problem.activation.type})`, field: 'forward.conv', entries: [entry], on: 0 });
  }
  // A tie of a is read where σ is on the document: the tied σ tie too.
  for (const tied of kinks.poolTies) {
    const entries = tied.map((cell) => index(cell, forward.activated.shape));
    sites.push({ text: `${entries.map((e) => name('a', e)).join(' = ')} (max pool)`, field: 'forward.conv', entries });
  }
  const map = problem.head === 'none';
  for (const flat of kinks.loss) {
    const entry = map ? index(flat, forward.prediction.shape) : [];
    sites.push({ text: `${name(map ? 'y' : 'S', entry)} = ${map ? 't' : 'T'} (${problem.loss.type})`, field: 'forward.prediction', entries: [entry], on: asDouble(problem.target.data[map ? flat : 0]) });
  }
  return sites;
}

/** Did the engine's forward values leave the kink: an entry off the value, or a tie broken? */
export function movedOffKink(site: KinkSite, theirs: Partial<ResultDocument> | undefined): boolean {
  const field = valueAt(theirs, site.field);
  if (field === undefined) return false;
  const values = site.entries.map((entry) => entry.reduce<Nested>((v, k) => (Array.isArray(v) ? v[k] : v), field));
  if (values.some((v) => typeof v !== 'number')) return false;
  return site.on === undefined ? values.some((v) => v !== values[0]) : values.some((v) => v !== site.on);
}

/**
 * Does a result path follow from the gradient, so that the side of a kink can change it: the
 * gradients, the updated parameters and the trajectory after the first step's loss.
 */
export function followsGradient(path: string): boolean {
  return /^(grad|updated)\.|^trajectory\[\d+\]\.(kernel|bias)$|^trajectory\[[1-9]\d*\]\.loss$/.test(path);
}
