// Section 1: what is given. Every setting the answers depend on is named with its value, and nothing
// is said that the problem does not do (no bias sentence without a bias, S the sum of what it sums).
import { rationalTex, symbolTex } from '../../expr/to-tex.js';
import { makeGrid } from '../../tensor/grid.js';
import { inputSym, kernelSym } from '../../ops/conv2d/symbols.js';
import { channelsPerGroup } from '../../ops/conv2d/geometry.js';
import type { StringKey } from '../../strings/strings.js';
import { activationTex } from '../../ops/activation/activations.js';
import { lossTex } from '../../ops/loss/tex.js';
import { legendEntries } from '../notation.js';
import { chain, matrixTex, pairTex } from '../tex.js';
import { planeChains } from '../planes.js';
import type { DerivationContext } from '../context.js';
import type { Block, Chain, Inline, Section, Step, Text } from '../step.js';
import { optimizerRules } from '../../optim/optimizers.js';
import { math } from '../blocks.js';

const shapeTex = (shape: readonly number[]) => shape.join(' \\times ');

/** The problem and, in a document, the legend of its symbols. */
export function problemSection(ctx: DerivationContext, options: { legend: boolean; optimizer: boolean; why: boolean } = { legend: true, optimizer: true, why: true }): Section {
  const steps: Step[] = [statementStep(ctx)];
  if (options.legend) steps.push(legendStep(ctx, options));
  return { id: 'problem', title: { key: 'section.problem' }, steps };
}

export function legendStep(ctx: DerivationContext, options: { optimizer: boolean; why: boolean }): Step {
  return { rule: 'problem.legend', title: { key: 'step.problem.legend' }, blocks: [{ kind: 'legend', entries: legendEntries(ctx, options) }] };
}

export function statementStep(ctx: DerivationContext): Step {
  const { problem, geometry: g, naming } = ctx;
  const single = g.batch === 1 && g.inChannels === 1 && g.outChannels === 1;
  const inputShape = problem.input.shape.slice(4 - problem.inputForm);
  const kernelShape = problem.kernel.shape.slice(4 - problem.kernelForm);
  // One plane each: the entries' names beside their values. Several: the values plane by plane. X and K share lines where they fit.
  const names = (name: 'x' | 'k', rows: number, cols: number) =>
    matrixTex(makeGrid(rows, cols, (i, j) => symbolTex(name === 'x' ? inputSym(naming, 0, 0, i, j) : kernelSym(naming, 0, 0, i, j))), (tex) => tex, ctx.elision.lines);
  const tensors: Chain[] = single
    ? [
        { ...chain('X', names('x', g.input.rows, g.input.cols), ctx.matrix(makeGrid(g.input.rows, g.input.cols, (i, j) => problem.input.data[i * g.input.cols + j]))), line: 'given' },
        { ...chain('K', names('k', g.kernel.rows, g.kernel.cols), ctx.matrix(makeGrid(g.kernel.rows, g.kernel.cols, (i, j) => problem.kernel.data[i * g.kernel.cols + j]))), line: 'given' },
      ]
    : [...planeChains(ctx, 'input', 'X', problem.input), ...planeChains(ctx, 'kernel', 'K', problem.kernel)].map((c) => ({ ...c, line: 'given' }));
  const blocks: Block[] = [
    { kind: 'text', text: { key: 'problem.tensors', params: { inputShape: math(shapeTex(inputShape)), kernelShape: math(shapeTex(kernelShape)) } } },
    { kind: 'chains', chains: tensors },
    // A map prediction is compared with a target map: its values are part of the problem.
    ...(problem.head === 'none' ? [{ kind: 'text', text: { key: 'problem.target' } } as const, { kind: 'chains', chains: planeChains(ctx, 'output', 'T', problem.target) } as const] : []),
    { kind: 'paragraph', texts: statementTexts(ctx) },
  ];
  return { rule: 'problem.statement', title: { key: 'step.problem.statement' }, blocks };
}

/** The sentences of the statement, in the order the layer computes. */
export function statementTexts(ctx: DerivationContext): Text[] {
  const { problem, geometry: g } = ctx;
  const bias = problem.bias?.values;
  return [
    { key: 'problem.conv', params: { stride: math(`s = ${pairTex(problem.stride)}`), padding: math(`p = ${paddingTex(ctx)}`), dilation: math(`d = ${pairTex(problem.dilation)}`) } },
    ...(g.groups > 1 ? [{ key: 'problem.groups', params: { groups: math(`${g.groups}`), perGroup: math(`${channelsPerGroup(g)}`) } } as const] : []),
    ...(problem.paddingMode !== 'zeros' ? [{ key: 'problem.padding-mode', params: { mode: math(`\\texttt{${problem.paddingMode}}`) } } as const] : []),
    bias ? { key: bias.length === 1 ? 'problem.bias' : 'problem.bias.channels', params: { bias: math(bias.length === 1 ? `b = ${rationalTex(bias[0])}` : `b = (${bias.map(rationalTex).join(', ')})`) } } : { key: 'problem.no-bias' },
    ...(problem.activation.type !== 'none' ? [{ key: 'problem.activation', params: { formula: math(`f(\\sigma) = ${activationTex(problem.activation)}`) } } as const] : []),
    ...(problem.pool
      ? [{ key: problem.pool.type === 'max' ? 'problem.pool.max' : 'problem.pool.avg', params: { size: math(`${problem.pool.size[0]} \\times ${problem.pool.size[1]}`), stride: math(pairTex(problem.pool.stride)) } } as const]
      : []),
    ...headAndLoss(ctx),
    optimizerText(ctx),
  ];
}

/** The map the head reads, as a word and a symbol: the convolution output σ, the activated map a, the pooled map z. */
export function mapWords(ctx: DerivationContext): { mapName: Inline; map: Inline } {
  const { problem } = ctx;
  const [word, symbol]: [StringKey, string] = problem.pool ? ['map.pooled', 'z'] : problem.activation.type !== 'none' ? ['map.activated', 'a'] : ['map.conv', '\\sigma'];
  return { mapName: { word }, map: math(symbol) };
}

function headAndLoss(ctx: DerivationContext): Text[] {
  const { problem } = ctx;
  const loss = problem.loss;
  const threshold: Text[] =
    loss.type === 'smooth_l1' ? [{ key: 'problem.loss.threshold', params: { threshold: math(`\\texttt{beta} = ${rationalTex(loss.beta)}`) } }]
    : loss.type === 'huber' ? [{ key: 'problem.loss.threshold', params: { threshold: math(`\\texttt{delta} = ${rationalTex(loss.delta)}`) } }]
    : [];
  const words = mapWords(ctx);
  if (problem.head !== 'none') {
    const target = math(`T = ${rationalTex(problem.target.data[0])}`);
    const head: Text = { key: problem.head === 'sum' ? 'problem.head.sum' : 'problem.head.mean', params: words };
    // One prediction: the mean and the sum over it are the same number, but a reduction that was asked for is still named.
    const reduction: Text[] = problem.reduction === 'sum' ? [{ key: 'problem.reduction.single' }] : [];
    const lossText: Text = loss.type === 'mse' ? { key: 'problem.loss.mse', params: { target } } : { key: 'problem.loss.single', params: { formula: math(`L = ${lossTex(loss, 'S', 'T')}`), target } };
    return [head, lossText, ...threshold, ...reduction];
  }
  const formula = math(`l(y, T) = ${lossTex(loss, 'y', 'T')}`);
  return [
    { key: 'problem.head.none', params: words },
    { key: problem.reduction === 'mean' ? 'problem.loss.mean' : 'problem.loss.sum', params: { formula, count: math(`${problem.target.data.length}`) } },
    ...threshold,
  ];
}

/** 1, (1, 2), or (top, bottom, left, right) when the sides differ; "same" and "valid" named as written. */
export function paddingTex(ctx: DerivationContext): string {
  const p = ctx.geometry.padding;
  const sides = p.top === p.bottom && p.left === p.right ? pairTex([p.top, p.left]) : `(${p.top}, ${p.bottom}, ${p.left}, ${p.right})`;
  const spec = ctx.problem.paddingSpec;
  return spec === 'explicit' ? sides : `\\texttt{${spec}} = ${sides}`;
}

/** The optimizer, its steps and every setting its rule uses, each with its value. */
function optimizerText(ctx: DerivationContext): Text {
  const o = ctx.problem.optimizer;
  return { key: 'problem.optimizer', params: { steps: math(`${ctx.problem.steps}`), name: { word: optimizerRules(o).nameKey(o) }, settings: math(optimizerRules(o).settingsTex(o)) } };
}
