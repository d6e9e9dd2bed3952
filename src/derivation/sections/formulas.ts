// The cheat sheet's middle: every rule of the layer in general form, one line each, without numbers.
import { activationTex, lossSlopeTex, lossTex } from '../formulas.js';
import { hasPadding } from '../../model/geometry.js';
import { chain, partial } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Chain, Section } from '../step.js';
import { sigmaFormula } from './forward.js';
import { ruleChains } from './training.js';

export function formulasSection(ctx: DerivationContext): Section {
  const { problem, geometry: g } = ctx;
  const input = hasPadding(g) ? '\\tilde X' : 'X';
  const map = problem.pool ? 'p' : problem.activation.type !== 'none' ? 'a' : '\\sigma';
  const reduce = problem.reduction === 'mean' ? `\\frac{1}{${problem.target.data.length}} \\sum` : '\\sum';
  const chains: Chain[] = [
    sigmaFormula(ctx),
    ...(problem.activation.type !== 'none' ? [chain('a_{ij}', activationTex(problem.activation, '\\sigma_{ij}'))] : []),
    ...(problem.pool
      ? [chain('p_{ij}', problem.pool.type === 'max' ? '\\max_{(r,c) \\in W_{ij}} a_{rc}' : `\\frac{1}{${problem.pool.size[0] * problem.pool.size[1]}} \\sum_{(r,c) \\in W_{ij}} a_{rc}`)]
      : []),
    ...(problem.head === 'none'
      ? [chain('L', `${reduce} ${lossTex(problem.loss, 'y_{ij}', 't_{ij}')}`), chain(partial('L', 'y_{ij}'), `${problem.reduction === 'mean' ? `\\frac{1}{${problem.target.data.length}}` : ''} ${lossSlopeTex(problem.loss, 'y_{ij}', 't_{ij}')}`)]
      : [
          chain('S', `${problem.head === 'mean' ? `\\frac{1}{${ctx.step.forward.pooled.data.length}}` : ''}\\sum_{i,j} ${map}_{ij}`),
          chain('L', lossTex(problem.loss, 'S', 'T')),
          chain(partial('L', 'S'), lossSlopeTex(problem.loss, 'S', 'T')),
        ]),
    ...(map === '\\sigma'
      ? [chain('\\delta_{ij}', problem.head === 'none' ? partial('L', 'y_{ij}') : `${partial('L', 'S')} \\cdot ${partial('S', '\\sigma_{ij}')}`)]
      : [chain('\\delta_{ij}', `${problem.activation.type !== 'none' ? "f'(\\sigma_{ij})" : ''} ${problem.pool ? `\\sum_{w \\ni (i,j)} ${partial('L', 'p_w')} ${partial('p_w', 'a_{ij}')}` : partial('L', 'a_{ij}')}`)]),
    chain(partial('L', 'K'), `${input} \\star \\delta`),
    ...(problem.bias ? [chain(partial('L', 'b'), '\\sum_{i,j} \\delta_{ij}')] : []),
    chain(partial('L', input), '\\hat\\delta \\star \\operatorname{rot}_{180}(K)'),
    ...ruleChains(problem.optimizer),
  ];
  return { id: 'formulas', title: { key: 'section.formulas' }, steps: [{ rule: 'formulas.all', title: { key: 'step.formulas.all' }, blocks: [{ kind: 'chains', chains }] }] };
}
