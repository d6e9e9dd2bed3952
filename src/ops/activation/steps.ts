// The activation in the derivation: a = f(σ) with f'(σ) beside it (and PyTorch's side at a kink),
// and back through it, δ = ∂L/∂a ⊙ f'(σ).
import type { StageSteps } from '../../derivation/stage-steps.js';
import { scalarTex, shownExactly, symbolTex } from '../../expr/to-tex.js';
import { outputSym } from '../conv2d/symbols.js';
import { kinksOf } from '../../model/kinks.js';
import { get, type Tensor, unravel } from '../../tensor/tensor.js';
import { elidePieces } from '../../derivation/elide.js';
import { activationRules, activationSlopeTex, activationTex } from './activations.js';
import { planeChains, planes } from '../../derivation/planes.js';
import { chain, operandTex, partial, rounded, withValues } from '../../derivation/tex.js';
import type { DerivationContext } from '../../derivation/context.js';
import type { Block, Step } from '../../derivation/step.js';
import type { Scalar } from '../../numbers/scalar.js';
import { math, shownIndices, text } from '../../derivation/blocks.js';


// a = f(σ) and f′(σ) in general, one entry as an example, then both maps
export function activationForwardStep(ctx: DerivationContext): Step {
  const { naming, problem } = ctx;
  const f = problem.activation;
  const { forward, gradients } = ctx.step;
  // An example entry shows the formula at work; relu's and leaky relu's maps say it all.
  const example = activationRules(f).kink ? [] : shownIndices(ctx, forward.sigma.shape).slice(0, 1);
  const chains = example.flatMap(([n, o, i, j]) => {
    const [s, a] = [outputSym('sigma', naming, n, o, i, j), outputSym('a', naming, n, o, i, j)];
    // Each entry shows f′ at its own numbers (which branch a kink takes).
    const [x, y, slope] = [get(forward.sigma, n, o, i, j), get(forward.activated, n, o, i, j), get(gradients.activationSlope, n, o, i, j)];
    return [
      chain(symbolTex(a), `f(${symbolTex(s)})`, withValues(activationTex(f, operandTex(x)), [x]), rounded(scalarTex(y), !shownExactly(y))),
      chain(`f'(${symbolTex(s)})`, withValues(activationSlopeTex(f, operandTex(x), operandTex(y)), [x, y]), rounded(scalarTex(slope), !shownExactly(slope))),
    ];
  });
  return {
    rule: 'activation.apply',
    title: { key: 'step.activation' },
    blocks: [
      text({ key: 'activation.intro' }),
      { kind: 'chains', chains: [chain('a = f(\\sigma)', activationTex(f)), chain("f'(\\sigma)", activationSlopeTex(f))] },
      ...(chains.length > 0 ? [text({ key: 'activation.example' }), { kind: 'chains', chains } as const] : []),
      text({ key: 'activation.maps' }),
      { kind: 'chains', chains: [...planeChains(ctx, 'output', 'a', forward.activated), ...planeChains(ctx, 'output', (sup) => `f'(\\sigma${sup})`, gradients.activationSlope)].map((c) => ({ ...c, line: 'maps' })) },
      ...kinkNote(ctx),
    ],
  };
}

/**
 * The entries of σ exactly on relu's or leaky_relu's kink at 0, where the derivative from the left
 * (0, or the slope) and from the right (1) differ: PyTorch takes the left, and so does the derivation.
 */
function kinkNote(ctx: DerivationContext): Block[] {
  const f = ctx.problem.activation;
  const { sigma } = ctx.step.forward;
  const zeros = kinksOf(ctx.problem, ctx.step.forward).activation;
  const kink = activationRules(f).kink;
  if (zeros.length === 0 || !kink) return [];
  const shown = elidePieces(zeros.map((flat) => symbolTex(outputSym('sigma', ctx.naming, ...(unravel(sigma.shape, flat) as [number, number, number, number])))), ctx.elision.terms, '\\dots');
  const left = kink.leftTex(f);
  return [text({ key: 'activation.kink', params: { entries: math(shown.join(', ')), count: math(`${zeros.length}`), left: math(left) } })];
}

// δ = ∂L/∂a ⊙ f′(σ), plane by plane
export function activationBackwardStep(ctx: DerivationContext): Step {
  const { gradients } = ctx.step;
  const planesOf = (t: Tensor<Scalar>) => planes(ctx, 'output', t).map((p) => ctx.matrix(p.grid));
  const [upstream, slopes, deltas] = [planesOf(gradients.activated), planesOf(gradients.activationSlope), planesOf(gradients.delta)];
  const rounding = (t: Tensor<Scalar>) => !t.data.every(shownExactly);
  const chains = planeChains(ctx, 'output', '\\delta', gradients.delta).map((c, k) => {
    const sup = c.lhs.replace('\\delta', '');
    return chain(
      c.lhs,
      `${partial('L', `a${sup}`)} \\odot f'(\\sigma${sup})`,
      rounded(`${upstream[k]} \\odot ${slopes[k]}`, rounding(gradients.activated) || rounding(gradients.activationSlope)),
      rounded(deltas[k], rounding(gradients.delta)),
    );
  });
  return {
    rule: 'chain.activation',
    title: { key: 'step.chain.activation' },
    blocks: [text({ key: 'chain.activation' }), { kind: 'chains', chains }],
  };
}

export const activationSteps: StageSteps = {
  forward: (ctx) => (ctx.problem.activation.type === 'none' ? [] : [activationForwardStep(ctx)]),
  backward: (ctx) => (ctx.problem.activation.type === 'none' ? [] : [activationBackwardStep(ctx)]),
};
