// A transposed convolution in a network's derivation: each input entry spreads its products with the
// kernel over the output (stride s apart), so an output entry is the sum of the products that land
// on it; back, δ^{(l-1)} is the ordinary strided convolution of δ with the same kernel — the
// transposed convolution is the convolution's input gradient, and its input gradient the convolution.
import { get, offset, unravel } from '../../tensor/tensor.js';
import { convTranspose2dGeometry, landing, outChannelsPerGroup, outputChannel } from './geometry.js';
import type { ConvTranspose2dLayer } from '../../problem/network.js';
import type { LayerSteps } from '../../derivation/network/layer-steps.js';
import type { LayerView, NetworkContext } from '../../derivation/network/context.js';
import { deltaName, entryTex, layered, outputName, outputTensorName, tensorChains, windowIndex } from '../../derivation/network/names.js';
import { plainSum, productSum, type Product } from '../../derivation/network/sums.js';
import { biasCancelledByBatchNorm } from '../../model/network.js';
import { cancelledBias } from '../../derivation/network/cancelled-bias.js';
import { math, text } from '../../derivation/blocks.js';
import { chain, pairTex, partial } from '../../derivation/tex.js';
import type { Block, Chain, Step } from '../../derivation/step.js';

const kernelName = (l: number) => layered('k', l);
/** The output row and column (1-based) that input entry (i, j) reaches through kernel entry (m, n). */
const rows = (layer: ConvTranspose2dLayer) => windowIndex('i', 'm', layer.stride[0], layer.dilation[0], layer.padding[0]);
const cols = (layer: ConvTranspose2dLayer) => windowIndex('j', 'n', layer.stride[1], layer.dilation[1], layer.padding[1]);


/** Every (input entry, kernel entry) pair and the output cell it lands on (the op's own index arithmetic), inside the output. */
function landings(view: LayerView): { n: number; c: number; i: number; j: number; o: number; oLocal: number; m: number; q: number; u: number; v: number }[] {
  const layer = view.layer as ConvTranspose2dLayer;
  const g = convTranspose2dGeometry({ input: view.input.shape, kernel: layer.kernel.shape, stride: layer.stride, padding: layer.padding, outputPadding: layer.outputPadding, dilation: layer.dilation, groups: layer.groups });
  const out = [];
  for (let n = 0; n < g.batch; n++)
    for (let c = 0; c < g.inChannels; c++)
      for (let oLocal = 0; oLocal < outChannelsPerGroup(g); oLocal++)
        for (let i = 0; i < g.input.rows; i++)
          for (let j = 0; j < g.input.cols; j++)
            for (let m = 0; m < g.kernel.rows; m++)
              for (let q = 0; q < g.kernel.cols; q++) {
                const [u, v] = landing(g, i, j, m, q);
                if (u < 0 || v < 0 || u >= g.output.rows || v >= g.output.cols) continue;
                out.push({ n, c, i, j, o: outputChannel(g, c, oLocal), oLocal, m, q, u, v });
              }
  return out;
}

function settingsText(layer: ConvTranspose2dLayer): Block {
  return text({ key: 'net.conv-transpose.settings', params: { stride: math(`s = ${pairTex(layer.stride)}`), padding: math(`p = ${pairTex(layer.padding)}`), outputPadding: math(pairTex(layer.outputPadding)), dilation: math(`d = ${pairTex(layer.dilation)}`), groups: math(`${layer.groups}`) } });
}

function forward(ctx: NetworkContext, view: LayerView): Step[] {
  const l = view.l;
  const layer = view.layer as ConvTranspose2dLayer;
  const { kernel, bias } = view.parameters;
  const all = landings(view);
  // Where only some entries are shown, one of them is where most products land (the overlaps a stride leaves), not only the corners.
  const counts = new Array<number>(view.output.data.length).fill(0);
  for (const p of all) counts[offset(view.output.shape, [p.n, p.o, p.u, p.v])]++;
  const corners = ctx.elision.entries(view.output.data.length, all.length);
  const busiest = counts.indexOf(Math.max(...counts));
  const shown = corners.length < view.output.data.length && !corners.includes(busiest) ? [corners[0], busiest, ...corners.slice(1)] : corners;
  const chains = shown.map((flat) => {
    const [n, o, u, v] = unravel(view.output.shape, flat);
    const products: Product[] = all
      .filter((p) => p.n === n && p.o === o && p.u === u && p.v === v)
      .map((p) => ({
        a: entryTex(outputName(l - 1), view.input.shape, offset(view.input.shape, [p.n, p.c, p.i, p.j])),
        b: entryTex(kernelName(l), kernel.shape, offset(kernel.shape, [p.c, p.oLocal, p.m, p.q]), 'kernel'),
        x: get(view.input, p.n, p.c, p.i, p.j),
        y: get(kernel, p.c, p.oLocal, p.m, p.q),
        group: `${p.c}`,
      }));
    const addend = bias ? { name: entryTex(layered('b', l), bias.shape, o), value: bias.data[o] } : undefined;
    return productSum(ctx, entryTex(outputName(l), view.output.shape, flat), products, view.output.data[flat], addend);
  });
  const rule = `${outputName(l)}_{o,u,v} = ${bias ? `${layered('b', l)}_o + ` : ''}\\sum_{c,i,j,m,n \\,:\\, ${rows(layer)} = u,\\ ${cols(layer)} = v} ${outputName(l - 1)}_{c,i,j} \\, ${kernelName(l)}_{c,o,m,n}`;
  return [
    {
      rule: 'network.layer.forward',
      title: { key: 'net.step.conv-transpose', params: { l: math(`${l}`) } },
      blocks: [
        text({ key: 'net.conv-transpose.forward', params: { rule: math(rule) } }),
        settingsText(layer),
        ...(chains.length > 0 ? [text({ key: shown.length < view.output.data.length ? 'net.entries.some' : 'net.entries.all', params: { shown: math(`${shown.length}`), total: math(`${view.output.data.length}`) } }), { kind: 'chains', chains, groupSize: 1 } as Block] : []),
        text({ key: 'net.layer.output', params: { name: math(outputTensorName(l)) } }),
        { kind: 'chains', chains: tensorChains(ctx, outputTensorName(l), view.output) },
      ],
    },
  ];
}

function backward(ctx: NetworkContext, view: LayerView): Step[] {
  const l = view.l;
  const layer = view.layer as ConvTranspose2dLayer;
  const { kernel } = view.parameters;
  const grads = view.backward.parameters;
  const all = landings(view);
  const d = view.upstream;
  const blocks: Block[] = [];
  // ∂L/∂k_{c,o,m,n} = Σ_{ν,i,j} x_{ν,c,i,j} δ_{ν,o,u,v} over the landings of (m, n)
  const kernelShown = ctx.elision.entries(kernel.data.length, all.length);
  const kernelChains = kernelShown.map((flat) => {
    const [c, oLocal, m, q] = unravel(kernel.shape, flat);
    const products: Product[] = all
      .filter((p) => p.c === c && p.oLocal === oLocal && p.m === m && p.q === q)
      .map((p) => ({
        a: entryTex(outputName(l - 1), view.input.shape, offset(view.input.shape, [p.n, p.c, p.i, p.j])),
        b: entryTex(deltaName(l), d.shape, offset(d.shape, [p.n, p.o, p.u, p.v])),
        x: get(view.input, p.n, p.c, p.i, p.j),
        y: get(d, p.n, p.o, p.u, p.v),
        group: `${p.n}`,
      }));
    return productSum(ctx, partial('L', entryTex(kernelName(l), kernel.shape, flat, 'kernel')), products, grads.kernel.data[flat]);
  });
  blocks.push(
    text({ key: 'net.conv-transpose.kernel-gradient', params: { rule: math(`${partial('L', `${kernelName(l)}_{c,o,m,n}`)} = \\sum_{\\nu,i,j} ${outputName(l - 1)}_{\\nu,c,i,j} \\, ${deltaName(l)}_{\\nu,o,\\, ${rows(layer)},\\, ${cols(layer)}}`) } }),
    ...(kernelChains.length > 0 ? [{ kind: 'chains', chains: kernelChains, groupSize: 1 } as Block] : []),
    { kind: 'chains', chains: tensorChains(ctx, (sub) => partial('L', `${layered('K', l)}${sub}`), grads.kernel, 'kernel') },
  );
  if (grads.bias && biasCancelledByBatchNorm(ctx.network, l - 1)) blocks.push(...cancelledBias(ctx, view, '\\nu,u,v'));
  else if (grads.bias) {
    const [batch, , rows, cols] = d.shape;
    const bias: Chain[] = grads.bias.data.slice(0, ctx.elision.detail === 'full' ? undefined : 6).map((value, o) => {
      const cells: number[] = [];
      for (let n = 0; n < batch; n++) for (let u = 0; u < rows; u++) for (let v = 0; v < cols; v++) cells.push(offset(d.shape, [n, o, u, v]));
      return plainSum(ctx, partial('L', entryTex(layered('b', l), grads.bias.shape, o)), cells.map((f) => entryTex(deltaName(l), d.shape, f)), cells.map((f) => d.data[f]), value);
    });
    blocks.push(text({ key: 'net.conv2d.bias-gradient' }), { kind: 'chains', chains: bias, groupSize: 1 });
  }
  // δ^{(l-1)}_{ν,c,i,j} = Σ_{o,m,n} δ_{ν,o,u,v} k_{c,o,m,n}: the strided convolution of δ with K
  const input = view.backward.input;
  const inputShown = ctx.elision.entries(input.data.length, all.length);
  const inputChains = inputShown.map((flat) => {
    const [n, c, i, j] = unravel(input.shape, flat);
    const products: Product[] = all
      .filter((p) => p.n === n && p.c === c && p.i === i && p.j === j)
      .map((p) => ({
        a: entryTex(deltaName(l), d.shape, offset(d.shape, [p.n, p.o, p.u, p.v])),
        b: entryTex(kernelName(l), kernel.shape, offset(kernel.shape, [p.c, p.oLocal, p.m, p.q]), 'kernel'),
        x: get(d, p.n, p.o, p.u, p.v),
        y: get(kernel, p.c, p.oLocal, p.m, p.q),
        group: `${p.o}`,
      }));
    return productSum(ctx, entryTex(deltaName(l - 1), input.shape, flat), products, input.data[flat]);
  });
  blocks.push(
    text({ key: l === 1 ? 'net.conv-transpose.input-gradient.first' : 'net.conv-transpose.input-gradient', params: { rule: math(`${deltaName(l - 1)}_{\\nu,c,i,j} = \\sum_{o,m,n} ${deltaName(l)}_{\\nu,o,\\, ${rows(layer)},\\, ${cols(layer)}} \\, ${kernelName(l)}_{c,o,m,n}`) } }),
    ...(inputChains.length > 0 ? [{ kind: 'chains', chains: inputChains, groupSize: 1 } as Block] : []),
    { kind: 'chains', chains: tensorChains(ctx, deltaName(l - 1), input) },
  );
  return [{ rule: 'network.layer.backward', title: { key: 'net.step.conv-transpose.back', params: { l: math(`${l}`) } }, blocks }];
}

export const convTranspose2dNetworkSteps: LayerSteps = {
  forward,
  backward,
  formulas: (view) => {
    const l = view.l;
    const layer = view.layer as ConvTranspose2dLayer;
    // Over the batch too where it has more than one sample.
    const nu = view.input.shape[0] > 1 ? '\\nu,' : '';
    const hasBias = view.parameters.bias !== undefined;
    return [
      chain(`${outputName(l)}_{o,u,v}`, `${hasBias ? `${layered('b', l)}_o + ` : ''}\\sum_{${rows(layer)} = u,\\ ${cols(layer)} = v} ${outputName(l - 1)}_{c,i,j} \\, ${kernelName(l)}_{c,o,m,n}`),
      chain(partial('L', `${kernelName(l)}_{c,o,m,n}`), `\\sum_{${nu}i,j} ${outputName(l - 1)}_{${nu}c,i,j} \\, ${deltaName(l)}_{${nu}o,\\, ${rows(layer)},\\, ${cols(layer)}}`),
      ...(hasBias ? [chain(partial('L', `${layered('b', l)}_o`), `\\sum_{${nu}u,v} ${deltaName(l)}_{${nu}o,u,v}`)] : []),
      chain(deltaName(l - 1), `\\operatorname{conv2d}(${deltaName(l)}, ${layered('K', l)};\\ s, p, d)`),
    ];
  },
};
