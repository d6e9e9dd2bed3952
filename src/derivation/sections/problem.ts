// Section 1: what is given, with a name for every entry.
import { rationalTex, symbolTex } from '../../expr/to-tex.js';
import { makeGrid } from '../../model/grid.js';
import { inputSym, kernelSym } from '../../model/conv.js';
import { channelsPerGroup } from '../../model/geometry.js';
import { activationTex, lossTex } from '../formulas.js';
import { chain, matrixTex, pairTex } from '../tex.js';
import { planeChains } from '../planes.js';
import type { DerivationContext } from '../context.js';
import type { Block, Section, Text } from '../step.js';

const math = (tex: string) => ({ math: tex });
const shapeTex = (shape: readonly number[]) => shape.join(' \\times ');

export function problemSection(ctx: DerivationContext): Section {
  const { problem, geometry: g, naming } = ctx;
  const single = g.batch === 1 && g.inChannels === 1 && g.outChannels === 1;
  const inputShape = problem.input.shape.slice(4 - problem.inputForm);
  const kernelShape = problem.kernel.shape.slice(4 - problem.kernelForm);
  // One plane each: the entries' names beside their values. Several: the values plane by plane.
  const names = (name: 'x' | 'k', rows: number, cols: number) =>
    matrixTex(makeGrid(rows, cols, (i, j) => symbolTex(name === 'x' ? inputSym(naming, 0, 0, i, j) : kernelSym(naming, 0, 0, i, j))), (tex) => tex, ctx.elision.lines);
  const tensors = single
    ? [
        chain('X', names('x', g.input.rows, g.input.cols), ctx.matrix(makeGrid(g.input.rows, g.input.cols, (i, j) => problem.input.data[i * g.input.cols + j]))),
        chain('K', names('k', g.kernel.rows, g.kernel.cols), ctx.matrix(makeGrid(g.kernel.rows, g.kernel.cols, (i, j) => problem.kernel.data[i * g.kernel.cols + j]))),
      ]
    : [...planeChains(ctx, 'input', 'X', problem.input), ...planeChains(ctx, 'kernel', 'K', problem.kernel)];
  const bias = problem.bias?.values;
  const texts: Text[] = [
    { key: single ? 'problem.symbols' : 'problem.symbols.channels' },
    ...(bias ? [{ key: 'problem.bias', params: { bias: math(bias.length === 1 ? `b = ${rationalTex(bias[0])}` : `b = (${bias.map(rationalTex).join(', ')})`) } } as const] : []),
    { key: 'problem.layer', params: { stride: math(`s = ${pairTex(problem.stride)}`), padding: math(`p = ${paddingTex(ctx)}`), dilation: math(`d = ${pairTex(problem.dilation)}`) } },
    ...(g.groups > 1 ? [{ key: 'problem.groups', params: { groups: math(`${g.groups}`), perGroup: math(`${channelsPerGroup(g)}`) } } as const] : []),
    ...(problem.paddingMode !== 'zeros' ? [{ key: 'problem.padding-mode', params: { mode: math(`\\texttt{${problem.paddingMode}}`) } } as const] : []),
    ...(problem.activation.type !== 'none' ? [{ key: 'problem.activation', params: { formula: math(`a = ${activationTex(problem.activation)}`) } } as const] : []),
    ...(problem.pool ? [{ key: problem.pool.type === 'max' ? 'problem.pool.max' : 'problem.pool.avg', params: { size: math(`${problem.pool.size[0]} \\times ${problem.pool.size[1]}`), stride: math(pairTex(problem.pool.stride)) } } as const] : []),
    ...headAndLoss(ctx),
    optimizerText(ctx),
  ];
  const blocks: Block[] = [
    { kind: 'text', text: { key: 'problem.tensors', params: { inputShape: math(shapeTex(inputShape)), kernelShape: math(shapeTex(kernelShape)) } } },
    { kind: 'chains', chains: tensors },
    ...texts.map((text): Block => ({ kind: 'text', text })),
  ];
  return { id: 'problem', title: { key: 'section.problem' }, steps: [{ rule: 'problem.statement', title: { key: 'step.problem.statement' }, blocks }] };
}

function headAndLoss(ctx: DerivationContext): Text[] {
  const { problem } = ctx;
  if (problem.head !== 'none') {
    const target = math(`T = ${rationalTex(problem.target.data[0])}`);
    const head: Text = { key: problem.head === 'sum' ? 'problem.head.sum' : 'problem.head.mean' };
    if (problem.loss.type === 'mse') return [head, { key: 'problem.loss.mse', params: { target } }];
    return [head, { key: 'problem.loss.single', params: { formula: math(`L = ${lossTex(problem.loss, 'S', 'T')}`), target } }];
  }
  const formula = math(`l(y, t) = ${lossTex(problem.loss, 'y', 't')}`);
  return [{ key: 'problem.head.none' }, { key: problem.reduction === 'mean' ? 'problem.loss.mean' : 'problem.loss.sum', params: { formula, count: math(`${problem.target.data.length}`) } }];
}

/** 1, (1, 2), or (top, bottom, left, right) when the sides differ; "same" and "valid" named as written. */
function paddingTex(ctx: DerivationContext): string {
  const p = ctx.geometry.padding;
  const sides = p.top === p.bottom && p.left === p.right ? pairTex([p.top, p.left]) : `(${p.top}, ${p.bottom}, ${p.left}, ${p.right})`;
  const spec = ctx.problem.paddingSpec;
  return spec === 'explicit' ? sides : `\\texttt{${spec}} = ${sides}`;
}

/** One step of plain SGD, or the optimizer and the number of steps. */
function optimizerText(ctx: DerivationContext): Text {
  const o = ctx.problem.optimizer;
  const plain = o.type === 'sgd' && o.momentum.equals(0) && o.weight_decay.equals(0);
  const lr = math(`\\eta = ${rationalTex(o.lr)}`);
  if (plain && ctx.problem.steps === 1) return { key: 'problem.optimizer.sgd', params: { lr } };
  const names: Record<typeof o.type, string> = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop' };
  return { key: 'problem.optimizer', params: { name: { text: names[o.type] }, steps: math(`${ctx.problem.steps}`), lr } };
}
