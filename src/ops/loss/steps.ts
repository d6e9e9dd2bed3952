// The loss in the derivation: l(y, t) and L, and ∂L/∂y with PyTorch's side at a kink.
import { evaluate } from '../../expr/evaluate.js';
import { sub, type Sym } from '../../expr/expr.js';
import { powerTex, scalarTex, shownExactly, symbolTex, toTex } from '../../expr/to-tex.js';
import { outputSym } from '../conv2d/symbols.js';
import { mseExpr, S, T } from './loss.js';
import { kinksOf } from '../../model/kinks.js';
import { get, unravel } from '../../tensor/tensor.js';
import { elidePieces } from '../../derivation/elide.js';
import { lossCase, lossSlopeCase, lossSlopeTex, lossTex } from './tex.js';
import { planeChains } from '../../derivation/planes.js';
import { chain, operandTex, partial, rounded, valueSumPieces, withValues } from '../../derivation/tex.js';
import type { DerivationContext } from '../../derivation/context.js';
import type { Block, Step } from '../../derivation/step.js';
import { differentiate } from '../../expr/differentiate.js';
import { chainsBlock, elidedNote, enclose, math, sharing, shownIndices, text, value } from '../../derivation/blocks.js';


export function lossStep(ctx: DerivationContext): Step {
  const { problem, naming } = ctx;
  const { forward } = ctx.step;
  const L = forward.loss;
  if (problem.head !== 'none') {
    const [y, t] = [forward.prediction.data[0], problem.target.data[0]];
    const exactChain =
      problem.loss.type === 'mse'
        ? chain('L', toTex(mseExpr()), withValues(toTex(mseExpr(), { value: ctx.value }), [y, t]), withValues(powerTex(operandTex(evaluate(sub(S, T), ctx.value)), '2'), [y, t]), rounded(scalarTex(L), !shownExactly(L)))
        : chain('L', lossTex(problem.loss, 'S', 'T'), withValues(lossTex(problem.loss, operandTex(y), operandTex(t), lossCase(problem.loss, y, t)), [y, t]), rounded(scalarTex(L), !shownExactly(L)));
    return { rule: 'loss.reduce', title: { key: 'step.loss.mse' }, blocks: [text({ key: problem.loss.type === 'mse' ? 'loss.mse' : 'loss.single' }), { kind: 'chains', chains: [exactChain] }] };
  }
  const shown = shownIndices(ctx, forward.prediction.shape);
  const chains = shown.map(([n, o, i, j]) => {
    const [y, t] = [outputSym('y', naming, n, o, i, j), outputSym('t', naming, n, o, i, j)];
    const l = get(forward.elementLosses, n, o, i, j);
    const lhs = `l${superscriptOf(y)}_{${y.indices.join('')}}`;
    const at = lossCase(problem.loss, ctx.value(y)!, ctx.value(t)!);
    return chain(lhs, lossTex(problem.loss, symbolTex(y), symbolTex(t), at), withValues(lossTex(problem.loss, operandTex(ctx.value(y)!), operandTex(ctx.value(t)!), at), [ctx.value(y)!, ctx.value(t)!]), rounded(scalarTex(l), !shownExactly(l)));
  });
  const count = forward.prediction.data.length;
  const mean = problem.reduction === 'mean';
  const values = valueSumPieces(forward.elementLosses.data, ctx.elision.terms);
  const total = chain(
    'L',
    `${mean ? `\\frac{1}{${count}}` : ''}\\sum_{i,j} l_{ij}`,
    rounded(mean ? enclose(`\\frac{1}{${count}} (`, values, ')') : values, !forward.elementLosses.data.every(shownExactly)),
    rounded(scalarTex(L), !shownExactly(L)),
  );
  return {
    rule: 'loss.reduce',
    title: { key: 'step.loss.mse' },
    blocks: [
      text({ key: mean ? 'loss.map.mean' : 'loss.map.sum', params: { count: math(`${count}`) } }),
      ...elidedNote(shown.length, count),
      ...chainsBlock(sharing(chains, 'losses')),
      { kind: 'chains', chains: [total] },
    ],
  };
}

function superscriptOf(s: Sym): string {
  return s.channel.length === 0 ? '' : `^{(${s.channel.join(',')})}`;
}

// ∂L/∂S (one prediction) or ∂L/∂y = w · ∂l/∂y for every entry of a map prediction
export function lossSlopeStep(ctx: DerivationContext): Step {
  const { problem, naming } = ctx;
  const { forward, gradients } = ctx.step;
  if (problem.head !== 'none') {
    const slope = gradients.prediction.data[0];
    const [y, t] = [forward.prediction.data[0], problem.target.data[0]];
    const formula =
      problem.loss.type === 'mse'
        ? chain(partial('L', 'S'), toTex(differentiate(mseExpr(), S)), withValues(toTex(differentiate(mseExpr(), S), { value: ctx.value }), [y, t]), value(slope))
        : chain(partial('L', 'S'), lossSlopeTex(problem.loss, 'S', 'T'), withValues(lossSlopeTex(problem.loss, operandTex(y), operandTex(t), lossSlopeCase(problem.loss, y, t)), [y, t]), value(slope));
    return {
      rule: 'chain.loss-prediction',
      title: { key: 'step.chain.loss-prediction' },
      blocks: [text({ key: problem.loss.type === 'mse' ? 'chain.loss-prediction' : 'chain.loss-prediction.general' }), { kind: 'chains', chains: [formula] }, ...lossKinkNote(ctx)],
    };
  }
  const count = forward.prediction.data.length;
  const mean = problem.reduction === 'mean';
  const weight = mean ? `\\frac{1}{${count}}` : '1';
  const shown = shownIndices(ctx, forward.prediction.shape);
  const chains = shown.map(([n, o, i, j]) => {
    const [y, t] = [outputSym('y', naming, n, o, i, j), outputSym('t', naming, n, o, i, j)];
    const g = get(gradients.prediction, n, o, i, j);
    // The case of a piecewise loss that holds at this entry, in symbols and in numbers (the cases are in the statement).
    const at = lossSlopeCase(problem.loss, ctx.value(y)!, ctx.value(t)!);
    const symbolic = lossSlopeTex(problem.loss, symbolTex(y), symbolTex(t), at);
    const numbers = lossSlopeTex(problem.loss, operandTex(ctx.value(y)!), operandTex(ctx.value(t)!), at);
    const shown = [ctx.value(y)!, ctx.value(t)!];
    const line = mean
      ? chain(partial('L', symbolTex(y)), `${weight} \\cdot ${wrap(symbolic)}`, withValues(`${weight} \\cdot ${wrap(numbers)}`, shown), value(g))
      : chain(partial('L', symbolTex(y)), symbolic, withValues(numbers, shown), value(g));
    // With neither activation nor pooling the prediction is σ, and this line is δ at its entry.
    return problem.activation.type === 'none' && !problem.pool ? { ...line, entry: { tensor: 'delta', index: [n, o, i, j] } as const } : line;
  });
  return {
    rule: 'chain.loss-prediction',
    title: { key: 'step.chain.loss-prediction' },
    blocks: [
      text(mean ? { key: 'chain.loss-map.mean', params: { weight: math(weight), count: math(`${count}`) } } : { key: 'chain.loss-map.sum' }),
      ...elidedNote(shown.length, count),
      ...chainsBlock(sharing(chains, 'loss-slopes')),
      { kind: 'chains', chains: planeChains(ctx, 'output', (sup) => partial('L', `y${sup}`), gradients.prediction) },
      ...lossKinkNote(ctx),
    ],
  };
}

/**
 * The predictions exactly equal to their targets under l1 (or smooth_l1 with β = 0), on the kink of
 * |y − T|: −1 from the left, 1 from the right; PyTorch takes sign(0) = 0 for l1 and −1 for smooth_l1.
 */
function lossKinkNote(ctx: DerivationContext): Block[] {
  const { problem, naming } = ctx;
  const { prediction } = ctx.step.forward;
  const map = problem.head === 'none';
  const on = kinksOf(problem, ctx.step.forward).loss;
  if (on.length === 0) return [];
  const names = on.map((flat) => (map ? symbolTex(outputSym('y', naming, ...(unravel(prediction.shape, flat) as [number, number, number, number]))) : 'S'));
  const taken = problem.loss.type === 'l1' ? '0' : '-1';
  return [text({ key: map ? 'loss.kink.map' : 'loss.kink', params: { entries: math(elidePieces(names, ctx.elision.terms, '\\dots').join(', ')), count: math(`${on.length}`), taken: math(taken) } })];
}

/** A formula as a factor: parenthesized unless it is one symbol, a fraction or a sign(). */
function wrap(tex: string): string {
  return /^(\\frac|\\operatorname|[a-zA-Z0-9_{}^]+$)/.test(tex) && !tex.includes(' - ') ? tex : `\\left(${tex}\\right)`;
}
