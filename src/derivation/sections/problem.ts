// Section 1: what is given, with a name for every entry.
import { rationalTex, symbolTex } from '../../expr/to-tex.js';
import { sym } from '../../expr/expr.js';
import { makeGrid } from '../../model/grid.js';
import { chain, matrixTex, pairTex, valueMatrix } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Block, Section, Text } from '../step.js';

const math = (tex: string) => ({ math: tex });

export function problemSection(ctx: DerivationContext): Section {
  const { problem, geometry: g } = ctx;
  const names = (name: 'x' | 'k', rows: number, cols: number) => matrixTex(makeGrid(rows, cols, (i, j) => symbolTex(sym(name, i + 1, j + 1))), (tex) => tex);
  const texts: Text[] = [
    { key: 'problem.symbols' },
    ...(problem.bias ? [{ key: 'problem.bias', params: { bias: math(`b = ${rationalTex(problem.bias.value)}`) } } as const] : []),
    { key: 'problem.layer', params: {
      stride: math(`s = ${pairTex(problem.stride)}`),
      padding: math(`p = ${paddingTex(ctx)}`),
      dilation: math(`d = ${pairTex(problem.dilation)}`),
    } },
    { key: problem.head === 'sum' ? 'problem.head.sum' : 'problem.head.mean' },
    { key: 'problem.loss.mse', params: { target: math(`T = ${rationalTex(problem.target)}`) } },
    { key: 'problem.optimizer.sgd', params: { lr: math(`\\eta = ${rationalTex(problem.optimizer.lr)}`) } },
  ];
  const blocks: Block[] = [
    { kind: 'text', text: { key: 'problem.tensors', params: {
      inputShape: math(`${g.input.rows} \\times ${g.input.cols}`),
      kernelShape: math(`${g.kernel.rows} \\times ${g.kernel.cols}`),
    } } },
    { kind: 'chains', chains: [
      chain('X', names('x', g.input.rows, g.input.cols), valueMatrix(problem.input)),
      chain('K', names('k', g.kernel.rows, g.kernel.cols), valueMatrix(problem.kernel)),
    ] },
    ...texts.map((text): Block => ({ kind: 'text', text })),
  ];
  return { id: 'problem', title: { key: 'section.problem' }, steps: [{ rule: 'problem.statement', title: { key: 'step.problem.statement' }, blocks }] };
}

/** 1, (1, 2), or (top, bottom, left, right) when the sides differ; "same" and "valid" named as written. */
function paddingTex(ctx: DerivationContext): string {
  const p = ctx.geometry.padding;
  const sides = p.top === p.bottom && p.left === p.right ? pairTex([p.top, p.left]) : `(${p.top}, ${p.bottom}, ${p.left}, ${p.right})`;
  const spec = ctx.problem.paddingSpec.kind;
  return spec === 'explicit' ? sides : `\\texttt{${spec}} = ${sides}`;
}
