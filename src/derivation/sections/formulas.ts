// The cheat sheet's rules: the chain through every stage in general form, the three rules in index form
// and in compact form with this problem's stride and dilation, and the optimizer's update.
import { activationSlopeTex, activationTex } from '../../ops/activation/activations.js';
import { lossSlopeTex, lossTex } from '../../ops/loss/tex.js';
import { hasPadding } from '../../ops/conv2d/geometry.js';
import { chain, partial } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Chain, Section } from '../step.js';
import { optimizerRules } from '../../optim/optimizers.js';
import { indexRules } from './why.js';
import { sigmaFormula } from '../../ops/conv2d/steps.js';


/** σ → a → z → S → L and back to δ, in general form. */
function chainRules(ctx: DerivationContext): Chain[] {
  const { problem } = ctx;
  const map = problem.pool ? 'z' : problem.activation.type !== 'none' ? 'a' : '\\sigma';
  const count = problem.target.data.length;
  const reduce = problem.reduction === 'mean' ? `\\frac{1}{${count}} \\sum_{i,j}` : '\\sum_{i,j}';
  const activation = problem.activation.type !== 'none';
  // The pooling reads a after an activation, σ without one; its gradient is then ∂L/∂a, or δ itself.
  const source = activation ? 'a' : '\\sigma';
  const share = problem.pool ? `\\frac{1}{${problem.pool.size[0] * problem.pool.size[1]}}` : '';
  const pooled = problem.pool
    ? chain('z_{ij}', problem.pool.type === 'max' ? `\\max_{(u,v) \\in R_{ij}} ${source}_{uv}` : `${share} \\sum_{(u,v) \\in R_{ij}} ${source}_{uv}`)
    : undefined;
  const head =
    problem.head === 'none'
      ? [chain('L', `${reduce} ${lossTex(problem.loss, 'y_{ij}', 'T_{ij}')}`), chain(partial('L', 'y_{ij}'), `${problem.reduction === 'mean' ? `\\frac{1}{${count}} ` : ''}${lossSlopeTex(problem.loss, 'y_{ij}', 'T_{ij}')}`)]
      : [
          chain('S', `${problem.head === 'mean' ? `\\frac{1}{${ctx.step.forward.pooled.data.length}}` : ''}\\sum_{i,j} ${map}_{ij}`),
          chain('L', lossTex(problem.loss, 'S', 'T')),
          chain(partial('L', 'S'), lossSlopeTex(problem.loss, 'S', 'T')),
        ];
  const upstream = problem.head === 'none' ? partial('L', 'y_{ij}') : `${partial('L', 'S')} \\, ${partial('S', `${map}_{ij}`)}`;
  const below = activation ? partial('L', 'a_{uv}') : '\\delta_{uv}';
  const back: Chain[] = problem.pool
    ? [chain(below, problem.pool.type === 'max' ? `\\sum_{R_{ij} \\text{ won by } (u,v)} ${partial('L', 'z_{ij}')}` : `\\sum_{R_{ij} \\ni (u,v)} ${share} ${partial('L', 'z_{ij}')}`)]
    : [chain(activation ? partial('L', 'a_{ij}') : '\\delta_{ij}', upstream)];
  return [
    sigmaFormula(ctx),
    ...(activation ? [chain('a_{ij}', `f(\\sigma_{ij}) = ${activationTex(problem.activation, '\\sigma_{ij}')}`), chain("f'(\\sigma)", activationSlopeTex(problem.activation))] : []),
    ...(pooled ? [pooled] : []),
    ...head,
    ...back,
    ...(activation ? [chain('\\delta', `${partial('L', 'a')} \\odot f'(\\sigma)`)] : []),
  ];
}

/** The compact forms with this problem's stride and dilation, then the crop or fold back to X. */
function compactRules(ctx: DerivationContext): Chain[] {
  const g = ctx.geometry;
  const padded = hasPadding(g);
  const X = padded ? '\\tilde X' : 'X';
  const spread = g.stride.some((s) => s > 1) ? '\\delta^{\\uparrow s}' : '\\delta';
  const kernel = g.dilation.some((d) => d > 1) ? 'K^{\\uparrow d}' : 'K';
  const readsAll = g.dilation.every((d) => d === 1);
  return [
    readsAll ? chain(partial('L', 'K'), `${X} \\star ${spread}`) : chain(partial('L', 'k_{mn}'), `(${X} \\star ${spread})_{d(m-1)+1,\\; d(n-1)+1}`),
    chain(partial('L', X), `\\tilde\\delta \\star \\operatorname{rot}_{180}(${kernel})`),
  ];
}

export function formulasSection(ctx: DerivationContext): Section {
  const o = ctx.problem.optimizer;
  const g = ctx.geometry;
  return {
    id: 'formulas',
    title: { key: 'section.formulas' },
    steps: [
      // σ on its own line, the short rules after it two a line where they fit.
      { rule: 'formulas.all', title: { key: 'step.formulas.chain' }, blocks: [{ kind: 'chains', chains: chainRules(ctx).map((c, k) => (k === 0 ? c : { ...c, line: 'rules' })) }] },
      {
        rule: 'why.index-form',
        title: { key: 'step.formulas.rules' },
        blocks: [
          { kind: 'chains', chains: indexRules(ctx), boxed: true },
          { kind: 'text', text: { key: hasPadding(g) ? (g.paddingMode === 'zeros' ? 'formulas.compact.crop' : 'formulas.compact.fold') : 'formulas.compact' } },
          { kind: 'chains', chains: compactRules(ctx).map((c) => ({ ...c, line: 'compact' })) },
        ],
      },
      {
        rule: 'optim.rule',
        title: { key: 'step.formulas.update' },
        // Its settings are in the statement above.
        blocks: [{ kind: 'chains', chains: optimizerRules(o).ruleChains(o).map((c) => ({ ...c, line: 'update' })) }],
      },
    ],
  };
}
