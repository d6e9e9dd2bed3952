// The head in the derivation: the map to the prediction, and ∂L/∂(map) from ∂L/∂S.
import type { StageSteps } from '../../derivation/stage-steps.js';
import { sym, type Sym } from '../../expr/expr.js';
import { scalarTex, shownExactly, symbolTex, termGroup } from '../../expr/to-tex.js';
import { outputSym } from '../conv2d/symbols.js';
import { unravel } from '../../tensor/tensor.js';
import { elidePieces } from '../../derivation/elide.js';
import { planeChains } from '../../derivation/planes.js';
import { chain, operandTex, partial, rounded, withValues } from '../../derivation/tex.js';
import type { DerivationContext } from '../../derivation/context.js';
import type { Block, Step, Text } from '../../derivation/step.js';
import { headSlope } from './head.js';
import { enclose, math, text, value } from '../../derivation/blocks.js';


/** The name of the map the head reads: z after pooling, a after an activation, σ otherwise. */
export function headInput(ctx: DerivationContext): 'p' | 'a' | 'sigma' {
  return ctx.problem.pool ? 'p' : ctx.problem.activation.type !== 'none' ? 'a' : 'sigma';
}

export function headForwardStep(ctx: DerivationContext): Step {
  const { problem, naming } = ctx;
  const name = headInput(ctx);
  const map = ctx.step.forward.pooled;
  if (problem.head === 'none') {
    return {
      rule: 'head.reduce',
      title: { key: 'step.head.reduce' },
      blocks: [text({ key: 'head.none', params: { equation: math(`y = ${symbolTex(sym(name))}`) } })],
    };
  }
  const count = map.data.length;
  const entries: Sym[] = map.data.map((_, flat) => {
    const [n, o, i, j] = unravel(map.shape, flat);
    return outputSym(name, naming, n, o, i, j);
  });
  const terms = ctx.elision.terms;
  const groups = entries.map((s) => termGroup(s));
  const pieces = (tex: (s: Sym) => string) => elidePieces(entries.map((s, i) => (i === 0 ? tex(s) : `+ ${tex(s)}`)), terms, '+ \\cdots', groups);
  const mean = problem.head === 'mean';
  const wrap = (p: string[]) => (mean ? enclose(`\\frac{1}{${count}} (`, p, ')') : p);
  const prediction = ctx.step.forward.prediction.data[0];
  const predictionChain = chain(
    'S',
    wrap(pieces((s) => symbolTex(s))),
    rounded(wrap(pieces((s) => operandTex(ctx.value(s)!))), !map.data.every(shownExactly)),
    rounded(scalarTex(prediction), !shownExactly(prediction)),
  );
  const blocks: Block[] = [
    text(mean ? { key: 'head.mean', params: { count: math(`${count}`) } } : { key: 'head.sum' }),
    { kind: 'chains', chains: [predictionChain] },
  ];
  return { rule: 'head.reduce', title: { key: 'step.head.reduce' }, blocks };
}

// ∂L/∂z_ij = ∂L/∂S · ∂S/∂z_ij, the same for every entry of the map the head reads
export function headBackwardStep(ctx: DerivationContext): Step {
  const { gradients } = ctx.step;
  const name = headInput(ctx);
  const weight = headSlope(ctx.problem.head, gradients.pooled.data.length);
  const dLdS = gradients.prediction.data[0];
  const each = gradients.pooled.data[0];
  const entry = symbolTex(sym(name, [], []));
  const isDelta = name === 'sigma';
  const params = { map: math(entry), weight: math(scalarTex(weight)) };
  const intro: Text = isDelta
    ? { key: ctx.problem.head === 'sum' ? 'chain.delta.sum' : 'chain.delta.mean', params }
    : { key: ctx.problem.head === 'sum' ? 'chain.head.sum' : 'chain.head.mean', params };
  const lhs = isDelta ? '\\delta_{ij}' : partial('L', `${entry}_{ij}`);
  return {
    rule: isDelta ? 'chain.delta' : 'chain.head',
    title: { key: isDelta ? 'step.chain.delta' : 'step.chain.head' },
    blocks: [
      text(intro),
      { kind: 'chains', chains: [
        { ...chain(lhs, `${partial('L', 'S')} \\cdot ${partial('S', `${entry}_{ij}`)}`, withValues(`${operandTex(dLdS)} \\cdot ${operandTex(weight)}`, [dLdS]), value(each)), line: 'head', ...(isDelta ? { entry: { tensor: 'delta' } as const } : {}) },
        ...planeChains(ctx, 'output', (sup) => (isDelta ? `\\delta${sup}` : partial('L', `${entry}${sup}`)), gradients.pooled).map((c) => ({ ...c, line: 'head' })),
      ] },
    ],
  };
}

export const headSteps: StageSteps = {
  forward: (ctx) => [headForwardStep(ctx)],
  // head none: the prediction is the map, and ∂L/∂y is already its gradient
  backward: (ctx) => (ctx.problem.head === 'none' ? [] : [headBackwardStep(ctx)]),
};
