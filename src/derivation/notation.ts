// The legend: every symbol a document uses, once, with what it means. One symbol, one meaning: the bias is
// b and nothing else; the optimizer's state goes by PyTorch's names (the momentum buffer buf, exp_avg m,
// exp_avg_sq v); Huber's and smooth L1's thresholds are written by their field names, since δ is ∂L/∂σ.
import type { Optimizer } from '../problem/problem.js';
import { optimizerRules } from '../optim/optimizers.js';
import { hasPadding } from '../ops/conv2d/geometry.js';
import type { DerivationContext } from './context.js';
import type { StringKey } from '../strings/strings.js';
import type { LegendEntry } from './step.js';

/** Which parts the document has, so that the legend names only the symbols it uses. */
export interface LegendScope {
  /** The optimizer's update is shown. */
  readonly optimizer: boolean;
  /** The "why" section (the convolution matrix M) is there. */
  readonly why: boolean;
}

export function legendEntries(ctx: DerivationContext, scope: LegendScope): LegendEntry[] {
  const { problem, geometry: g, naming } = ctx;
  const entries: LegendEntry[] = [{ symbol: 'x_{ij},\\ k_{mn}', meaning: { key: 'legend.entries' } }];
  if (naming.input.channel || naming.kernel.out || naming.kernel.channel) entries.push({ symbol: 'x^{(c)}_{ij},\\ k^{(o,c)}_{mn}', meaning: { key: 'legend.channels' } });
  if (naming.input.batch) entries.push({ symbol: 'x^{(\\nu,c)}_{ij}', meaning: { key: 'legend.batch' } });
  if (problem.bias) entries.push({ symbol: 'b', meaning: { key: naming.kernel.out ? 'legend.bias.channels' : 'legend.bias' } });
  entries.push({ symbol: 's,\\ p,\\ d', meaning: { key: 'legend.layer' } }, { symbol: "H \\times W,\\ k_h \\times k_w,\\ H' \\times W'", meaning: { key: 'legend.sizes' } });
  if (hasPadding(g)) entries.push({ symbol: '\\tilde X,\\ \\tilde x_{uv}', meaning: { key: g.paddingMode === 'zeros' ? 'legend.padded' : 'legend.padded.copies' } });
  entries.push({ symbol: '\\sigma_{ij}', meaning: { key: problem.bias ? 'legend.sigma.bias' : 'legend.sigma' } });
  if (problem.activation.type !== 'none') entries.push({ symbol: "f,\\ f',\\ a_{ij}", meaning: { key: 'legend.activation' } });
  if (problem.pool) entries.push({ symbol: 'z_{ij},\\ R_{ij}', meaning: { key: 'legend.pool' } });
  entries.push(
    problem.head === 'none' ? { symbol: 'y_{ij},\\ T_{ij},\\ l', meaning: { key: 'legend.prediction.map' } } : { symbol: 'S,\\ T', meaning: { key: 'legend.prediction' } },
    { symbol: 'L', meaning: { key: 'legend.loss' } },
    { symbol: '\\delta_{ij}', meaning: { key: 'legend.delta' } },
  );
  if (problem.activation.type !== 'none') entries.push({ symbol: '\\odot', meaning: { key: 'legend.odot' } });
  entries.push({ symbol: 'A \\star B', meaning: { key: 'legend.star' } });
  if (g.stride.some((s) => s > 1)) entries.push({ symbol: '\\delta^{\\uparrow s}', meaning: { key: 'legend.spread' } });
  if (g.dilation.some((d) => d > 1)) entries.push({ symbol: 'K^{\\uparrow d}', meaning: { key: 'legend.spread-kernel' } });
  entries.push(
    { symbol: '\\tilde\\delta', meaning: { key: g.stride.some((s) => s > 1) ? 'legend.delta-padded.spread' : 'legend.delta-padded' } },
    { symbol: '\\operatorname{rot}_{180}(K)', meaning: { key: 'legend.rot' } },
  );
  if (scope.why) entries.push({ symbol: 'M', meaning: { key: 'legend.matrix' } });
  if (scope.optimizer) entries.push(...optimizerEntries(problem.optimizer));
  return entries;
}

function optimizerEntries(o: Optimizer): LegendEntry[] {
  const entries: LegendEntry[] = [{ symbol: '\\theta,\\ \\eta,\\ g_t', meaning: { key: 'legend.optim' } }, { symbol: "\\theta',\\ K',\\ b'", meaning: { key: 'legend.updated' } }];
  return [...entries, ...optimizerRules(o).legend(o)];
}

/** A symbol's meaning in one problem, and the meaning that holds for every problem where several share a legend. */
const GENERAL: Partial<Record<StringKey, StringKey>> = {
  'legend.padded': 'legend.padded.either',
  'legend.padded.copies': 'legend.padded.either',
  'legend.sigma': 'legend.sigma.bias',
  'legend.bias': 'legend.bias.channels',
  // δ̃ of δ spread by the stride: with stride 1 the spread δ is δ itself.
  'legend.delta-padded': 'legend.delta-padded.spread',
  'legend.optim.decay': 'legend.optim.decay.either',
  'legend.optim.decay.decoupled': 'legend.optim.decay.either',
};

/**
 * One legend for several problems (an exercise sheet): every symbol any of them uses, once, in the
 * order they first appear; a symbol whose meaning differs between them (a border of zeros in one,
 * of copies in another) takes the meaning that holds for all.
 */
export function mergeLegends(legends: readonly (readonly LegendEntry[])[]): LegendEntry[] {
  const meanings = new Map<string, Set<StringKey>>();
  for (const entry of legends.flat()) {
    if (!meanings.has(entry.symbol)) meanings.set(entry.symbol, new Set());
    meanings.get(entry.symbol)!.add(entry.meaning.key);
  }
  return [...meanings].map(([symbol, keys]) => {
    const general = new Set([...keys].map((k) => (keys.size > 1 ? (GENERAL[k] ?? k) : k)));
    if (general.size > 1) throw new Error(`internal error: the legend gives ${symbol} the meanings ${[...general].join(', ')}`);
    return { symbol, meaning: { key: [...general][0] } };
  });
}
