// Section 5: every result on one page.
import { scalarTex, shownExactly } from '../../expr/to-tex.js';
import type { Scalar } from '../../numbers/scalar.js';
import type { Solution } from '../../trajectory/train.js';
import { planeChains } from '../planes.js';
import { chain, partial, rounded } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Chain, Section } from '../step.js';
import { primed } from './training.js';

export function summarySection(ctx: DerivationContext, solution: Solution): Section {
  const { step, problem } = ctx;
  const last = solution.steps[solution.steps.length - 1];
  const value = (x: Scalar) => rounded(scalarTex(x), !shownExactly(x));
  const vector = (name: string, values: readonly Scalar[]) =>
    chain(name, values.length === 1 ? value(values[0]) : rounded(`(${values.map((x) => scalarTex(x)).join(', ')})`, !values.every(shownExactly)));
  const chains: Chain[] = [
    ...(problem.head === 'none' ? [] : [chain('S', value(step.forward.prediction.data[0]))]),
    chain('L', value(step.forward.loss)),
    ...planeChains(ctx, 'kernel', (sup) => partial('L', `K${sup}`), step.gradients.kernel),
    ...(step.gradients.bias === undefined ? [] : [vector(partial('L', 'b'), step.gradients.bias)]),
    ...planeChains(ctx, 'input', (sup) => partial('L', `X${sup}`), step.gradients.input),
    ...planeChains(ctx, 'kernel', (sup) => primed('K', sup), last.after.kernel),
    ...(last.after.bias === undefined ? [] : [vector("b'", last.after.bias)]),
  ];
  return {
    id: 'summary',
    title: { key: 'section.summary' },
    steps: [{ rule: 'summary.results', title: { key: 'step.summary.results' }, blocks: [{ kind: 'chains', chains }] }],
  };
}
