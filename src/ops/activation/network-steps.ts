// An activation layer in a network's derivation: a^{(l)} = f(a^{(l-1)}) entry by entry, and back,
// δ^{(l-1)} = δ^{(l)} ⊙ f'(a^{(l-1)}), with f' at every entry (PyTorch's side at a kink).
import type { ActivationLayer } from '../../problem/network.js';
import type { LayerSteps } from '../../derivation/network/layer-steps.js';
import type { LayerView, NetworkContext } from '../../derivation/network/context.js';
import { deltaName, outputName, outputTensorName, tensorChains } from '../../derivation/network/names.js';
import { math, text } from '../../derivation/blocks.js';
import { chain } from '../../derivation/tex.js';
import type { Chain, Step } from '../../derivation/step.js';
import { activationSlopeTex, activationTex } from './activations.js';

function rules(view: LayerView): Chain[] {
  const f = (view.layer as ActivationLayer).activation;
  const x = outputName(view.l - 1);
  const a = outputName(view.l);
  return [chain(a, activationTex(f, x)), chain(`f'(${x})`, activationSlopeTex(f, x, a))];
}

function forward(ctx: NetworkContext, view: LayerView): Step[] {
  return [
    {
      rule: 'network.layer.forward',
      title: { key: 'net.step.activation', params: { l: math(`${view.l}`), name: { text: (view.layer as ActivationLayer).written } } },
      blocks: [
        text({ key: 'net.activation.forward' }),
        { kind: 'chains', chains: rules(view).map((c) => ({ ...c, line: 'rule' })) },
        text({ key: 'net.layer.output', params: { name: math(outputTensorName(view.l)) } }),
        { kind: 'chains', chains: tensorChains(ctx, outputTensorName(view.l), view.output) },
      ],
    },
  ];
}

function backward(ctx: NetworkContext, view: LayerView): Step[] {
  const l = view.l;
  const slope = view.backward.records.slope;
  return [
    {
      rule: 'network.layer.backward',
      title: { key: 'net.step.activation.back', params: { l: math(`${l}`), name: { text: (view.layer as ActivationLayer).written } } },
      blocks: [
        text({ key: 'net.activation.backward', params: { rule: math(`${deltaName(l - 1)} = ${deltaName(l)} \\odot f'(${outputTensorName(l - 1)})`) } }),
        { kind: 'chains', chains: tensorChains(ctx, (sub) => `f'(${outputTensorName(l - 1)}${sub})`, slope) },
        { kind: 'chains', chains: tensorChains(ctx, deltaName(l - 1), view.backward.input) },
      ],
    },
  ];
}

export const activationNetworkSteps: LayerSteps = {
  forward,
  backward,
  formulas: (view) => [...rules(view), chain(deltaName(view.l - 1), `${deltaName(view.l)} \\odot f'(${outputTensorName(view.l - 1)})`)],
};
