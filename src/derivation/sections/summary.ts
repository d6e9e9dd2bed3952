// Section 5: every result on one page.
import { scalarTex } from '../../expr/to-tex.js';
import { isExact, type Scalar } from '../../numbers/scalar.js';
import type { Tensor } from '../../model/tensor.js';
import { planes } from '../planes.js';
import { partial } from '../tex.js';
import { primed } from './update.js';
import type { DerivationContext } from '../context.js';
import type { PlaneKind } from '../planes.js';
import type { Section } from '../step.js';

export function summarySection(ctx: DerivationContext): Section {
  const { step, problem } = ctx;
  const value = (x: Scalar) => (isExact(x) ? scalarTex(x) : `\\approx ${scalarTex(x)}`);
  const rows = (name: (superscript: string) => string, kind: PlaneKind, t: Tensor<Scalar>): string[][] => planes(ctx, kind, t).map((p) => [name(p.superscript), ctx.matrix(p.grid)]);
  const vector = (name: string, values: readonly Scalar[]) => [[name, values.length === 1 ? value(values[0]) : `(${values.map((v) => scalarTex(v)).join(', ')})`]];
  const table: string[][] = [
    ...(problem.head === 'none' ? [] : [['S', value(step.forward.prediction.data[0])]]),
    ['L', value(step.forward.loss)],
    ...rows((sup) => partial('L', `K${sup}`), 'kernel', step.gradients.kernel),
    ...(step.gradients.bias === undefined ? [] : vector(partial('L', 'b'), step.gradients.bias)),
    ...rows((sup) => partial('L', `X${sup}`), 'input', step.gradients.input),
    ...rows((sup) => primed('K', sup), 'kernel', step.after.kernel),
    ...(step.after.bias === undefined ? [] : vector("b'", step.after.bias)),
  ];
  return {
    id: 'summary',
    title: { key: 'section.summary' },
    steps: [{ rule: 'summary.results', title: { key: 'step.summary.results' }, blocks: [{ kind: 'table', header: [{ key: 'summary.quantity' }, { key: 'summary.value' }], rows: table }] }],
  };
}
