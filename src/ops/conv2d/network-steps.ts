// A conv2d layer in a network's derivation: each output entry the sum of products it is, then back —
// ∂L/∂K as the layer's input correlated with δ, ∂L/∂b as δ summed, and δ^{(l-1)} as the full
// correlation of δ with the turned kernel, each shown entry by entry as the products it adds up.
import { get, offset, unravel, type Tensor } from '../../tensor/tensor.js';
import type { Scalar } from '../../numbers/scalar.js';
import { cellText, FIGURE_LIMIT } from '../../derivation/figures.js';
import { coloured } from '../../derivation/palette.js';
import type { Conv2dLayer } from '../../problem/network.js';
import { biasCancelledByBatchNorm, conv2dGeometry } from '../../model/network.js';
import { cancelledBias } from '../../derivation/network/cancelled-bias.js';
import { channelsPerGroup, inputChannel, paddedSource, tap, type ConvGeometry } from './geometry.js';
import type { NetworkContext, LayerView } from '../../derivation/network/context.js';
import type { LayerSteps } from '../../derivation/network/layer-steps.js';
import { deltaName, entryTex, layered, outputName, outputTensorName, tensorChains, windowIndex } from '../../derivation/network/names.js';
import { plainSum, productSum, type Product } from '../../derivation/network/sums.js';
import { math, text } from '../../derivation/blocks.js';
import { chain, pairTex, partial } from '../../derivation/tex.js';
import type { Block, Chain, FigureCell, Panel, Step } from '../../derivation/step.js';

const kernelName = (l: number) => layered('k', l);
/** The input row and column (1-based) that output entry (i, j) meets through kernel entry (m, n). */
const rows = (layer: Conv2dLayer) => windowIndex('i', 'm', layer.stride[0], layer.dilation[0], layer.padding.top);
const cols = (layer: Conv2dLayer) => windowIndex('j', 'n', layer.stride[1], layer.dilation[1], layer.padding.left);

function geometryOf(view: LayerView): ConvGeometry {
  return conv2dGeometry(view.layer as Conv2dLayer, view.input.shape);
}

/** The products of output entry (n, o, i, j): kernel entry times the input entry its tap reads (a zero of the padding adds nothing). */
function outputProducts(view: LayerView, g: ConvGeometry, [n, o, i, j]: readonly number[]): Product[] {
  const kernel = view.parameters.kernel;
  const products: Product[] = [];
  for (let c = 0; c < channelsPerGroup(g); c++) {
    const channel = inputChannel(g, o, c);
    for (let m = 0; m < g.kernel.rows; m++) {
      for (let q = 0; q < g.kernel.cols; q++) {
        const source = paddedSource(g, ...tap(g, i, j, m, q));
        if (!source) continue;
        const at = [n, channel, source[0], source[1]];
        products.push({
          a: entryTex(kernelName(view.l), kernel.shape, ((o * channelsPerGroup(g) + c) * g.kernel.rows + m) * g.kernel.cols + q, 'kernel'),
          b: entryTex(outputName(view.l - 1), view.input.shape, offset(view.input.shape, at)),
          x: get(kernel, o, c, m, q),
          y: get(view.input, n, channel, source[0], source[1]),
          group: `${c}`,
        });
      }
    }
  }
  return products;
}


/** The settings a reader needs to redo the sums: stride, padding, dilation, groups, padding mode. */
function settingsText(layer: Conv2dLayer): Block {
  const p = layer.padding;
  const padding = p.top === p.bottom && p.left === p.right ? pairTex([p.top, p.left]) : `(${p.top}, ${p.bottom}, ${p.left}, ${p.right})`;
  return text({
    key: layer.groups > 1 ? 'net.conv2d.settings.groups' : 'net.conv2d.settings',
    params: { stride: math(`s = ${pairTex(layer.stride)}`), padding: math(`p = ${padding}`), dilation: math(`d = ${pairTex(layer.dilation)}`), groups: math(`${layer.groups}`), mode: { text: layer.paddingMode } },
  });
}

/**
 * The receptive field of one output entry through two convolutions (the second reading the first's
 * output, through elementwise layers only): the entry in a^{(l)}, the window it reads of a^{(l-1)},
 * and the cells of the earlier convolution's input that window reads in turn. First sample and
 * channels; drawn where every plane fits a figure.
 */
function receptiveField(ctx: NetworkContext, view: LayerView): Block[] {
  if (!ctx.figures) return [];
  let k = view.l - 2;
  while (k >= 0 && ctx.layers[k].layer.type === 'activation') k--;
  if (k < 0 || ctx.layers[k].layer.type !== 'conv2d') return [];
  const earlier = ctx.layers[k];
  const [g, h] = [geometryOf(view), geometryOf(earlier)];
  const planes = [view.output.shape, view.input.shape, earlier.input.shape];
  if (planes.some((shape) => shape[2] > FIGURE_LIMIT || shape[3] > FIGURE_LIMIT)) return [];
  // The middle entry: its window and the windows of that window's cells.
  const [i, j] = [Math.floor(g.output.rows / 2), Math.floor(g.output.cols / 2)];
  const window = new Set<string>();
  for (let m = 0; m < g.kernel.rows; m++) for (let q = 0; q < g.kernel.cols; q++) {
    const source = paddedSource(g, ...tap(g, i, j, m, q));
    if (source) window.add(source.join(','));
  }
  const field = new Set<string>();
  for (const cell of window) {
    const [r, c] = cell.split(',').map(Number);
    for (let m = 0; m < h.kernel.rows; m++) for (let q = 0; q < h.kernel.cols; q++) {
      const source = paddedSource(h, ...tap(h, r, c, m, q));
      if (source) field.add(source.join(','));
    }
  }
  const panel = (caption: string, t: Tensor<Scalar>, shaded: Set<string>, colour: number): Panel => {
    const [, , rows, cols] = t.shape;
    const cells: FigureCell[] = [];
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) cells.push({ text: cellText(get(t, 0, 0, r, c)), ...(shaded.has(`${r},${c}`) ? { fill: colour } : {}) });
    return { caption: coloured(caption, colour), colour, rows, cols, cells };
  };
  const entry = entryTex(outputName(view.l), view.output.shape, offset(view.output.shape, [0, 0, i, j]));
  const panels = [
    panel(`${outputTensorName(earlier.l - 1)}`, earlier.input, field, 1),
    panel(`${outputTensorName(view.l - 1)}`, view.input, window, 0),
    panel(entry, view.output, new Set([`${i},${j}`]), 0),
  ];
  return [{ kind: 'figure', panels, notes: [{ key: 'net.figure.receptive', params: { entry: math(entry), window: math(outputTensorName(view.l - 1)), field: math(outputTensorName(earlier.l - 1)) } }] }];
}

function forward(ctx: NetworkContext, view: LayerView): Step[] {
  const g = geometryOf(view);
  const layer = view.layer as Conv2dLayer;
  const l = view.l;
  const bias = view.parameters.bias;
  const perEntry = channelsPerGroup(g) * g.kernel.rows * g.kernel.cols;
  const shown = ctx.elision.entries(view.output.data.length, view.output.data.length * perEntry);
  const chains = shown.map((flat) => {
    const index = unravel(view.output.shape, flat);
    const o = index[1];
    const addend = bias ? { name: entryTex(layered('b', l), bias.shape, o), value: bias.data[o] } : undefined;
    return productSum(ctx, entryTex(outputName(l), view.output.shape, flat), outputProducts(view, g, index), view.output.data[flat], addend);
  });
  const rule = `${layered('a', l)}_{o,i,j} = ${bias ? `${layered('b', l)}_o + ` : ''}\\sum_{c,m,n} ${kernelName(l)}_{o,c,m,n} \\, ${outputName(l - 1)}_{c,\\, ${rows(layer)},\\, ${cols(layer)}}`;
  return [
    {
      rule: 'network.layer.forward',
      title: { key: 'net.step.conv2d', params: { l: math(`${l}`) } },
      blocks: [
        text({ key: 'net.conv2d.forward', params: { rule: math(rule) } }),
        settingsText(layer),
        ...(chains.length > 0 ? [text({ key: shown.length < view.output.data.length ? 'net.entries.some' : 'net.entries.all', params: { shown: math(`${shown.length}`), total: math(`${view.output.data.length}`) } }), { kind: 'chains', chains, groupSize: 1 } as Block] : []),
        text({ key: 'net.layer.output', params: { name: math(outputTensorName(l)) } }),
        { kind: 'chains', chains: tensorChains(ctx, outputTensorName(l), view.output) },
        ...receptiveField(ctx, view),
      ],
    },
  ];
}

/** The products of ∂L/∂k_{o,c,m,q}: δ at every output entry of channel o times the input entry the tap (m, q) reads there. */
function kernelGradientProducts(view: LayerView, g: ConvGeometry, [o, c, m, q]: readonly number[]): Product[] {
  const products: Product[] = [];
  const channel = inputChannel(g, o, c);
  for (let n = 0; n < g.batch; n++) {
    for (let i = 0; i < g.output.rows; i++) {
      for (let j = 0; j < g.output.cols; j++) {
        const source = paddedSource(g, ...tap(g, i, j, m, q));
        if (!source) continue;
        products.push({
          a: entryTex(deltaName(view.l), view.upstream.shape, offset(view.upstream.shape, [n, o, i, j])),
          b: entryTex(outputName(view.l - 1), view.input.shape, offset(view.input.shape, [n, channel, source[0], source[1]])),
          x: get(view.upstream, n, o, i, j),
          y: get(view.input, n, channel, source[0], source[1]),
          group: `${n}`,
        });
      }
    }
  }
  return products;
}

/** The products of δ^{(l-1)}_{n,c,u,v}: every (output entry, kernel entry) whose tap reads input cell (u, v), directly or through a padded copy. */
function inputGradientProducts(view: LayerView, g: ConvGeometry, [n, c, u, v]: readonly number[]): Product[] {
  const kernel = view.parameters.kernel;
  const products: Product[] = [];
  for (let o = 0; o < g.outChannels; o++) {
    for (let k = 0; k < channelsPerGroup(g); k++) {
      if (inputChannel(g, o, k) !== c) continue;
      for (let i = 0; i < g.output.rows; i++) {
        for (let j = 0; j < g.output.cols; j++) {
          for (let m = 0; m < g.kernel.rows; m++) {
            for (let q = 0; q < g.kernel.cols; q++) {
              const source = paddedSource(g, ...tap(g, i, j, m, q));
              if (!source || source[0] !== u || source[1] !== v) continue;
              products.push({
                a: entryTex(deltaName(view.l), view.upstream.shape, offset(view.upstream.shape, [n, o, i, j])),
                b: entryTex(kernelName(view.l), kernel.shape, offset(kernel.shape, [o, k, m, q]), 'kernel'),
                x: get(view.upstream, n, o, i, j),
                y: get(kernel, o, k, m, q),
                group: `${o}`,
              });
            }
          }
        }
      }
    }
  }
  return products;
}

function backward(ctx: NetworkContext, view: LayerView): Step[] {
  const g = geometryOf(view);
  const l = view.l;
  const kernel = view.parameters.kernel;
  const grads = view.backward.parameters;
  const blocks: Block[] = [];
  // ∂L/∂K: the layer's input correlated with δ
  const layer = view.layer as Conv2dLayer;
  const kernelRule = `${partial('L', `${kernelName(l)}_{o,c,m,n}`)} = \\sum_{\\nu,i,j} ${deltaName(l)}_{\\nu,o,i,j} \\, ${outputName(l - 1)}_{\\nu,c,\\, ${rows(layer)},\\, ${cols(layer)}}`;
  const perKernelEntry = g.batch * g.output.rows * g.output.cols;
  const kernelShown = ctx.elision.entries(kernel.data.length, kernel.data.length * perKernelEntry);
  const kernelChains = kernelShown.map((flat) =>
    productSum(ctx, partial('L', entryTex(kernelName(l), kernel.shape, flat, 'kernel')), kernelGradientProducts(view, g, unravel(kernel.shape, flat)), grads.kernel.data[flat]),
  );
  blocks.push(
    text({ key: 'net.conv2d.kernel-gradient', params: { rule: math(kernelRule) } }),
    ...(kernelChains.length > 0 ? [{ kind: 'chains', chains: kernelChains, groupSize: 1 } as Block] : []),
    { kind: 'chains', chains: tensorChains(ctx, (sub) => partial('L', `${layered('K', l)}${sub}`), grads.kernel, 'kernel') },
  );
  // ∂L/∂b_o = Σ δ over sample and position
  if (grads.bias && biasCancelledByBatchNorm(ctx.network, l - 1)) blocks.push(...cancelledBias(ctx, view, '\\nu,i,j'));
  else if (grads.bias) {
    const bias: Chain[] = grads.bias.data.slice(0, ctx.elision.detail === 'full' ? undefined : 6).map((value, o) => {
      const cells: number[] = [];
      for (let n = 0; n < g.batch; n++) for (let i = 0; i < g.output.rows; i++) for (let j = 0; j < g.output.cols; j++) cells.push(offset(view.upstream.shape, [n, o, i, j]));
      return plainSum(ctx, partial('L', entryTex(layered('b', l), grads.bias.shape, o)), cells.map((f) => entryTex(deltaName(l), view.upstream.shape, f)), cells.map((f) => view.upstream.data[f]), value);
    });
    blocks.push(text({ key: 'net.conv2d.bias-gradient' }), { kind: 'chains', chains: bias, groupSize: 1 });
  }
  // δ^{(l-1)}: the full correlation of δ with the turned kernel, entry by entry as the products it adds up
  const upstreamRule = `${deltaName(l - 1)}_{\\nu,c,u,v} = \\sum_{o,i,j,m,n \\,:\\, ${rows(layer)} = u,\\ ${cols(layer)} = v} ${deltaName(l)}_{\\nu,o,i,j} \\, ${kernelName(l)}_{o,c,m,n}`;
  const input = view.backward.input;
  const perInputEntry = g.outChannels * g.kernel.rows * g.kernel.cols;
  const corners = ctx.elision.entries(input.data.length, input.data.length * perInputEntry);
  // Where only some entries are shown, one is the first plane's middle, which the most windows read (the corners are read by one).
  const middle = offset(input.shape, [0, 0, Math.floor(g.input.rows / 2), Math.floor(g.input.cols / 2)]);
  const inputShown = corners.length < input.data.length && !corners.includes(middle) ? [corners[0], middle, ...corners.slice(1)] : corners;
  const inputChains = inputShown.map((flat) => productSum(ctx, entryTex(deltaName(l - 1), input.shape, flat), inputGradientProducts(view, g, unravel(input.shape, flat)), input.data[flat]));
  blocks.push(
    text({ key: l === 1 ? 'net.conv2d.input-gradient.first' : 'net.conv2d.input-gradient', params: { rule: math(upstreamRule) } }),
    ...(inputChains.length > 0 ? [{ kind: 'chains', chains: inputChains, groupSize: 1 } as Block] : []),
    { kind: 'chains', chains: tensorChains(ctx, deltaName(l - 1), input) },
  );
  return [{ rule: 'network.layer.backward', title: { key: 'net.step.conv2d.back', params: { l: math(`${l}`) } }, blocks }];
}

/** The layer's rules in symbols, for the formula sheet. */
function formulas(view: LayerView): Chain[] {
  const l = view.l;
  const layer = view.layer as Conv2dLayer;
  const hasBias = view.parameters.bias !== undefined;
  // Over the batch too where it has more than one sample.
  const [sum, nu] = view.input.shape[0] > 1 ? ['\\nu,i,j', '\\nu,'] : ['i,j', ''];
  return [
    chain(`${layered('a', l)}_{${nu}o,i,j}`, `${hasBias ? `${layered('b', l)}_o + ` : ''}\\sum_{c,m,n} ${kernelName(l)}_{o,c,m,n} \\, ${outputName(l - 1)}_{${nu}c,\\, ${rows(layer)},\\, ${cols(layer)}}`),
    chain(partial('L', `${kernelName(l)}_{o,c,m,n}`), `\\sum_{${sum}} ${deltaName(l)}_{${nu}o,i,j} \\, ${outputName(l - 1)}_{${nu}c,\\, ${rows(layer)},\\, ${cols(layer)}}`),
    ...(hasBias ? [chain(partial('L', `${layered('b', l)}_o`), `\\sum_{${sum}} ${deltaName(l)}_{${nu}o,i,j}`)] : []),
    chain(`${deltaName(l - 1)}`, `\\operatorname{full}\\left(\\delta^{(${l})\\,\\uparrow s} \\star \\operatorname{rot}_{180}(${layered('K', l)})\\right)`),
  ];
}

export const conv2dNetworkSteps: LayerSteps = { forward, backward, formulas };
