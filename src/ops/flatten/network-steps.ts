// A flatten layer in a network's derivation: the maps laid out in one row a sample, channel by
// channel, row by row (nn.Flatten); back, δ folded into the maps' shape. No arithmetic: a reshape.
import type { LayerSteps } from '../../derivation/network/layer-steps.js';
import type { LayerView, NetworkContext } from '../../derivation/network/context.js';
import { deltaName, outputName, outputTensorName, tensorChains } from '../../derivation/network/names.js';
import { math, text } from '../../derivation/blocks.js';
import { chain } from '../../derivation/tex.js';
import type { Chain, Step } from '../../derivation/step.js';

// a^{(l)}_{ν, (c·H + i)·W + j} = a^{(l-1)}_{ν,c,i,j}   (0-based)
function rule(view: LayerView): Chain {
  const [, , rows, cols] = view.input.shape;
  if (view.input.shape.length !== 4) return chain(outputName(view.l), outputName(view.l - 1));
  return chain(`${outputName(view.l)}_{\\nu,\\, ${rows * cols}(c-1) + ${cols}(i-1) + j}`, `${outputName(view.l - 1)}_{\\nu,c,i,j}`);
}

function forward(ctx: NetworkContext, view: LayerView): Step[] {
  return [
    {
      rule: 'network.layer.forward',
      title: { key: 'net.step.flatten', params: { l: math(`${view.l}`) } },
      blocks: [
        text({ key: 'net.flatten.forward', params: { features: math(`${view.output.shape[1]}`) } }),
        { kind: 'chains', chains: [rule(view)] },
        { kind: 'chains', chains: tensorChains(ctx, outputTensorName(view.l), view.output) },
      ],
    },
  ];
}

function backward(ctx: NetworkContext, view: LayerView): Step[] {
  return [
    {
      rule: 'network.layer.backward',
      title: { key: 'net.step.flatten.back', params: { l: math(`${view.l}`) } },
      blocks: [
        text({ key: 'net.flatten.backward', params: { delta: math(deltaName(view.l)), previous: math(deltaName(view.l - 1)) } }),
        { kind: 'chains', chains: tensorChains(ctx, deltaName(view.l - 1), view.backward.input) },
      ],
    },
  ];
}

export const flattenNetworkSteps: LayerSteps = {
  forward,
  backward,
  formulas: (view) => [rule(view), chain(deltaName(view.l - 1), `\\operatorname{reshape}(${deltaName(view.l)})`)],
};
