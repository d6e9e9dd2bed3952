// A bias right before a batch norm (model/network.ts, biasCancelledByBatchNorm): the batch norm
// subtracts each channel's batch mean, so a shift of a whole channel cancels and the bias's gradient,
// Σ δ over its channel, is 0 exactly. Said with its reason, each channel's sum set equal to 0.
import type { Block, Chain } from '../step.js';
import { math, text, value } from '../blocks.js';
import { chain, partial } from '../tex.js';
import type { LayerView, NetworkContext } from './context.js';
import { deltaName, entryTex, layered } from './names.js';

/**
 * The reason, then ∂L/∂b_o = Σ_{indices} δ_{ν,o,…} = 0 for the channels shown; `indices` the summed
 * ones (ν,i,j). `sums: false` gives the reason alone, where the layer's steps write the sums already.
 */
export function cancelledBias(ctx: NetworkContext, view: LayerView, indices: string, name = layered('b', view.l), sums = true): Block[] {
  const bias = view.backward.parameters.bias;
  const [first, ...rest] = indices.split(',');
  const chains: Chain[] = bias.data.slice(0, ctx.elision.detail === 'full' ? undefined : 6).map((zero, o) => {
    const entry = entryTex(name, bias.shape, o);
    return chain(partial('L', entry), `\\sum_{${indices}} ${deltaName(view.l)}_{${first},${o + 1},${rest.join(',')}}`, value(zero));
  });
  const reason = text({ key: 'net.bias-before-batch-norm', params: { bias: math(name) } });
  return sums ? [reason, { kind: 'chains', chains, groupSize: 1 }] : [reason];
}
