// Where convgrad's exact values sit on a kink of a piecewise rule: relu and leaky_relu at σ = 0, a tie
// for the largest entry of a max-pool window, l1 (and smooth_l1 with β = 0) at y = t. There the two
// one-sided derivatives differ and convgrad takes PyTorch's side; an engine whose rounding moves the
// value off the kink (0.1 + 0.2 − 0.3 is 5.6e-17 in float64) takes the side rounding chose. Whether it
// did is read from the engine's own forward values, so a difference is only ever put down to a kink
// with that evidence.
import { compare, isExact, asDouble, ZERO } from '../numbers/scalar.js';
import { offset, unravel } from '../model/tensor.js';
import { windowCells } from '../model/pool.js';
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
  const { forward } = solution.steps[0];
  const form = outputForm(problem);
  const index = (flat: number, shape: readonly number[]) => unravel(shape, flat).slice(shape.length - form);
  const name = (symbol: string, entry: readonly number[]) => `${symbol}${entry.map((k) => `[${k}]`).join('')}`;
  const sites: KinkSite[] = [];

  const f = problem.activation;
  if (f.type === 'relu' || (f.type === 'leaky_relu' && !f.slope.equals(1))) {
    forward.sigma.data.forEach((s, flat) => {
      if (compare(s, ZERO) !== 0) return;
      const entry = index(flat, forward.sigma.shape);
      sites.push({ text: `${name('σ', entry)} = 0 (${f.type})`, field: 'forward.conv', entries: [entry], on: 0 });
    });
  }

  const pool = problem.pool;
  if (pool?.type === 'max') {
    // A tie of activated entries whose σ tie too (always so for a monotonic f), read where σ is on the document.
    const a = forward.activated;
    const [batch, channels, rows, cols] = forward.pooled.shape;
    for (let n = 0; n < batch; n++)
      for (let c = 0; c < channels; c++)
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) {
            const cells = windowCells(pool, i, j).map(([r, s]) => offset(a.shape, [n, c, r, s]));
            const best = cells.reduce((b, cell) => (compare(a.data[cell], a.data[b]) > 0 ? cell : b));
            const tied = cells.filter((cell) => compare(a.data[cell], a.data[best]) === 0 && compare(forward.sigma.data[cell], forward.sigma.data[best]) === 0);
            // relu's zeros tie with no effect: the gradient through each is 0 on either side (σ = 0 is a site of its own).
            if (tied.length < 2 || (f.type === 'relu' && compare(a.data[best], ZERO) === 0)) continue;
            const entries = tied.map((cell) => index(cell, a.shape));
            sites.push({ text: `${entries.map((e) => name('a', e)).join(' = ')} (max pool)`, field: 'forward.conv', entries });
          }
  }

  const loss = problem.loss;
  if (loss.type === 'l1' || (loss.type === 'smooth_l1' && loss.beta.equals(0))) {
    forward.prediction.data.forEach((y, flat) => {
      const t = problem.target.data[problem.head === 'none' ? flat : 0];
      if (!isExact(y) || compare(y, t) !== 0) return;
      const entry = problem.head === 'none' ? index(flat, forward.prediction.shape) : [];
      sites.push({ text: `${name(problem.head === 'none' ? 'y' : 'S', entry)} = ${problem.head === 'none' ? 't' : 'T'} (${loss.type})`, field: 'forward.prediction', entries: [entry], on: asDouble(t) });
    });
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
