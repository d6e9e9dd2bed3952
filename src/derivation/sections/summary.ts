// Section 5: every result on one page.
import { scalarTex, shownExactly } from '../../expr/to-tex.js';
import type { Scalar } from '../../numbers/scalar.js';
import type { Tensor } from '../../model/tensor.js';
import type { Solution } from '../../trajectory/train.js';
import { planes, type PlaneKind } from '../planes.js';
import { chain, partial, rounded } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Chain, Section } from '../step.js';
import { primed } from './training.js';

export function summarySection(ctx: DerivationContext, solution: Solution): Section {
  const { step, problem } = ctx;
  const last = solution.steps[solution.steps.length - 1];
  const value = (x: Scalar) => rounded(scalarTex(x), !shownExactly(x));
  const matrices = (name: (superscript: string) => string, kind: PlaneKind, t: Tensor<Scalar>): Chain[] =>
    planes(ctx, kind, t).map((p) => chain(name(p.superscript), rounded(ctx.matrix(p.grid), !p.grid.data.every(shownExactly))));
  const vector = (name: string, values: readonly Scalar[]) =>
    chain(name, values.length === 1 ? value(values[0]) : rounded(`(${values.map((x) => scalarTex(x)).join(', ')})`, !values.every(shownExactly)));
  const chains: Chain[] = [
    ...(problem.head === 'none' ? [] : [chain('S', value(step.forward.prediction.data[0]))]),
    chain('L', value(step.forward.loss)),
    ...matrices((sup) => partial('L', `K${sup}`), 'kernel', step.gradients.kernel),
    ...(step.gradients.bias === undefined ? [] : [vector(partial('L', 'b'), step.gradients.bias)]),
    ...matrices((sup) => partial('L', `X${sup}`), 'input', step.gradients.input),
    ...matrices((sup) => primed('K', sup), 'kernel', last.after.kernel),
    ...(last.after.bias === undefined ? [] : [vector("b'", last.after.bias)]),
  ];
  return {
    id: 'summary',
    title: { key: 'section.summary' },
    steps: [{ rule: 'summary.results', title: { key: 'step.summary.results' }, blocks: [{ kind: 'chains', chains }] }],
  };
}
