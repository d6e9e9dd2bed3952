// A linear layer in a network's derivation: each output the sum of products it is, then back —
// ∂L/∂W = δᵀ a^{(l-1)}, ∂L/∂b = δ summed over the samples, δ^{(l-1)} = δ W — entry by entry as the
// products they add up, then as matrices.
import type { LayerSteps } from '../../derivation/network/layer-steps.js';
import type { LayerView, NetworkContext } from '../../derivation/network/context.js';
import { deltaName, entryTex, layered, outputName, outputTensorName, tensorChains } from '../../derivation/network/names.js';
import { plainSum, productSum, type Product } from '../../derivation/network/sums.js';
import { math, text } from '../../derivation/blocks.js';
import { chain, partial } from '../../derivation/tex.js';
import type { Block, Chain, Step } from '../../derivation/step.js';

const weightName = (l: number) => layered('w', l);

/** Entries of a [rows][cols] tensor by (row, col). */
const at = (view: { data: readonly unknown[]; shape: readonly number[] }, r: number, c: number) => r * view.shape[1] + c;

// a_{ν,o} = b_o + Σ_i w_{o,i} x_{ν,i}
function forward(ctx: NetworkContext, view: LayerView): Step[] {
  const l = view.l;
  const { weight, bias } = view.parameters;
  const [, inputs] = view.input.shape;
  const shown = ctx.elision.entries(view.output.data.length, view.output.data.length * inputs);
  const chains = shown.map((flat) => {
    const [n, o] = [Math.floor(flat / view.output.shape[1]), flat % view.output.shape[1]];
    const products: Product[] = Array.from({ length: inputs }, (_, i) => ({
      a: entryTex(weightName(l), weight.shape, at(weight, o, i), 'matrix'),
      b: entryTex(outputName(l - 1), view.input.shape, at(view.input, n, i)),
      x: weight.data[at(weight, o, i)],
      y: view.input.data[at(view.input, n, i)],
    }));
    const addend = bias ? { name: entryTex(layered('b', l), bias.shape, o), value: bias.data[o] } : undefined;
    return productSum(ctx, entryTex(outputName(l), view.output.shape, flat), products, view.output.data[flat], addend);
  });
  const rule = `${outputName(l)}_{\\nu,o} = ${bias ? `${layered('b', l)}_o + ` : ''}\\sum_{i} ${weightName(l)}_{o,i} \\, ${outputName(l - 1)}_{\\nu,i}`;
  return [
    {
      rule: 'network.layer.forward',
      title: { key: 'net.step.linear', params: { l: math(`${l}`) } },
      blocks: [
        text({ key: 'net.linear.forward', params: { rule: math(rule), inputs: math(`${inputs}`), outputs: math(`${view.output.shape[1]}`) } }),
        ...(chains.length > 0 ? [{ kind: 'chains', chains, groupSize: 1 } as Block] : []),
        text({ key: 'net.layer.output', params: { name: math(outputTensorName(l)) } }),
        { kind: 'chains', chains: tensorChains(ctx, outputTensorName(l), view.output) },
      ],
    },
  ];
}

function backward(ctx: NetworkContext, view: LayerView): Step[] {
  const l = view.l;
  const { weight } = view.parameters;
  const grads = view.backward.parameters;
  const [batch, outputs] = view.upstream.shape;
  const inputs = view.input.shape[1];
  const d = view.upstream;
  // ∂L/∂w_{o,i} = Σ_ν δ_{ν,o} x_{ν,i}
  const weightShown = ctx.elision.entries(weight.data.length, weight.data.length * batch);
  const weightChains = weightShown.map((flat) => {
    const [o, i] = [Math.floor(flat / inputs), flat % inputs];
    const products: Product[] = Array.from({ length: batch }, (_, n) => ({
      a: entryTex(deltaName(l), d.shape, at(d, n, o)),
      b: entryTex(outputName(l - 1), view.input.shape, at(view.input, n, i)),
      x: d.data[at(d, n, o)],
      y: view.input.data[at(view.input, n, i)],
    }));
    return productSum(ctx, partial('L', entryTex(weightName(l), weight.shape, flat, 'matrix')), products, grads.weight.data[flat]);
  });
  const blocks: Block[] = [
    text({ key: 'net.linear.weight-gradient', params: { rule: math(`${partial('L', `${weightName(l)}_{o,i}`)} = \\sum_{\\nu} ${deltaName(l)}_{\\nu,o} \\, ${outputName(l - 1)}_{\\nu,i}`), matrix: math(`${partial('L', layered('W', l))} = (${deltaName(l)})^{\\mathsf T} ${outputTensorName(l - 1)}`) } }),
    ...(weightChains.length > 0 ? [{ kind: 'chains', chains: weightChains, groupSize: 1 } as Block] : []),
    { kind: 'chains', chains: tensorChains(ctx, partial('L', layered('W', l)), grads.weight, 'matrix') },
  ];
  // ∂L/∂b_o = Σ_ν δ_{ν,o}
  if (grads.bias) {
    const bias: Chain[] = grads.bias.data.map((value, o) => {
      const cells = Array.from({ length: batch }, (_, n) => at(d, n, o));
      return plainSum(ctx, partial('L', entryTex(layered('b', l), grads.bias.shape, o)), cells.map((f) => entryTex(deltaName(l), d.shape, f)), cells.map((f) => d.data[f]), value);
    });
    blocks.push(text({ key: 'net.linear.bias-gradient' }), { kind: 'chains', chains: bias.map((c) => ({ ...c, line: 'bias' })) });
  }
  // δ^{(l-1)}_{ν,i} = Σ_o δ_{ν,o} w_{o,i}
  const input = view.backward.input;
  const inputShown = ctx.elision.entries(input.data.length, input.data.length * outputs);
  const inputChains = inputShown.map((flat) => {
    const [n, i] = [Math.floor(flat / inputs), flat % inputs];
    const products: Product[] = Array.from({ length: outputs }, (_, o) => ({
      a: entryTex(deltaName(l), d.shape, at(d, n, o)),
      b: entryTex(weightName(l), weight.shape, at(weight, o, i), 'matrix'),
      x: d.data[at(d, n, o)],
      y: weight.data[at(weight, o, i)],
    }));
    return productSum(ctx, entryTex(deltaName(l - 1), input.shape, flat), products, input.data[flat]);
  });
  blocks.push(
    text({ key: 'net.linear.input-gradient', params: { rule: math(`${deltaName(l - 1)}_{\\nu,i} = \\sum_{o} ${deltaName(l)}_{\\nu,o} \\, ${weightName(l)}_{o,i}`), matrix: math(`${deltaName(l - 1)} = ${deltaName(l)} \\, ${layered('W', l)}`) } }),
    ...(inputChains.length > 0 ? [{ kind: 'chains', chains: inputChains, groupSize: 1 } as Block] : []),
    { kind: 'chains', chains: tensorChains(ctx, deltaName(l - 1), input) },
  );
  return [{ rule: 'network.layer.backward', title: { key: 'net.step.linear.back', params: { l: math(`${l}`) } }, blocks }];
}

export const linearNetworkSteps: LayerSteps = {
  forward,
  backward,
  formulas: (view) => {
    const l = view.l;
    const hasBias = view.parameters.bias !== undefined;
    return [
      chain(outputTensorName(l), `${outputTensorName(l - 1)} \\, (${layered('W', l)})^{\\mathsf T}${hasBias ? ` + ${layered('b', l)}` : ''}`),
      chain(partial('L', layered('W', l)), `(${deltaName(l)})^{\\mathsf T} ${outputTensorName(l - 1)}`),
      ...(hasBias ? [chain(partial('L', `${layered('b', l)}_o`), `\\sum_{\\nu} ${deltaName(l)}_{\\nu,o}`)] : []),
      chain(deltaName(l - 1), `${deltaName(l)} \\, ${layered('W', l)}`),
    ];
  },
};
