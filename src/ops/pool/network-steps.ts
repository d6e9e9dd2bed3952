// A pooling layer in a network's derivation: each window to its largest entry or its mean, and back,
// δ routed to the window's winner (max) or spread evenly over the window (avg).
import type { PoolLayer } from '../../problem/network.js';
import type { LayerSteps } from '../../derivation/network/layer-steps.js';
import type { LayerView, NetworkContext } from '../../derivation/network/context.js';
import { deltaName, outputName, outputTensorName, tensorChains } from '../../derivation/network/names.js';
import { math, text } from '../../derivation/blocks.js';
import { chain, pairTex } from '../../derivation/tex.js';
import type { Chain, Step } from '../../derivation/step.js';
import type { Pooled } from './pool.js';

function settings(view: LayerView) {
  const { pool } = view.layer as PoolLayer;
  return { size: math(`${pool.size[0]} \\times ${pool.size[1]}`), stride: math(pairTex(pool.stride)) };
}

function rule(view: LayerView): Chain {
  const { pool } = view.layer as PoolLayer;
  const [a, x] = [outputName(view.l), outputName(view.l - 1)];
  return pool.type === 'max' ? chain(`${a}_{ij}`, `\\max_{(u,v) \\in R_{ij}} ${x}_{uv}`) : chain(`${a}_{ij}`, `\\frac{1}{${pool.size[0] * pool.size[1]}} \\sum_{(u,v) \\in R_{ij}} ${x}_{uv}`);
}

function forward(ctx: NetworkContext, view: LayerView): Step[] {
  const { pool } = view.layer as PoolLayer;
  return [
    {
      rule: 'network.layer.forward',
      title: { key: pool.type === 'max' ? 'net.step.max-pool' : 'net.step.avg-pool', params: { l: math(`${view.l}`) } },
      blocks: [
        text({ key: pool.type === 'max' ? 'net.pool.max' : 'net.pool.avg', params: settings(view) }),
        { kind: 'chains', chains: [rule(view)] },
        text({ key: 'net.layer.output', params: { name: math(outputTensorName(view.l)) } }),
        { kind: 'chains', chains: tensorChains(ctx, outputTensorName(view.l), view.output) },
      ],
    },
  ];
}

function backward(ctx: NetworkContext, view: LayerView): Step[] {
  const { pool } = view.layer as PoolLayer;
  const l = view.l;
  const winners = (view.saved as Pooled).winners;
  // Where a max's window has a tie, PyTorch's CPU kernel routes δ to the first largest entry, row by row.
  return [
    {
      rule: 'network.layer.backward',
      title: { key: pool.type === 'max' ? 'net.step.max-pool.back' : 'net.step.avg-pool.back', params: { l: math(`${l}`) } },
      blocks: [
        text({ key: pool.type === 'max' ? 'net.pool.max.backward' : 'net.pool.avg.backward', params: { ...settings(view), delta: math(deltaName(l)), previous: math(deltaName(l - 1)), count: math(`${winners?.length ?? 0}`) } }),
        { kind: 'chains', chains: tensorChains(ctx, deltaName(l - 1), view.backward.input) },
      ],
    },
  ];
}

export const poolNetworkSteps: LayerSteps = {
  forward,
  backward,
  formulas: (view) => {
    const { pool } = view.layer as PoolLayer;
    const [d, previous] = [deltaName(view.l), deltaName(view.l - 1)];
    const back = pool.type === 'max' ? chain(`${previous}_{uv}`, `\\sum_{ij \\,:\\, (u,v) \\text{ wins } R_{ij}} ${d}_{ij}`) : chain(`${previous}_{uv}`, `\\frac{1}{${pool.size[0] * pool.size[1]}} \\sum_{ij \\,:\\, (u,v) \\in R_{ij}} ${d}_{ij}`);
    return [rule(view), back];
  },
};
