// Section 5: every result on one page.
import { rationalTex } from '../../expr/to-tex.js';
import { partial, valueMatrix } from '../tex.js';
import type { DerivationContext } from '../context.js';
import type { Section } from '../step.js';

export function summarySection(ctx: DerivationContext): Section {
  const { step } = ctx;
  const rows: string[][] = [
    ['S', rationalTex(step.forward.prediction)],
    ['L', rationalTex(step.forward.loss)],
    [partial('L', 'K'), valueMatrix(step.gradients.kernel)],
    ...(step.gradients.bias === undefined ? [] : [[partial('L', 'b'), rationalTex(step.gradients.bias)]]),
    [partial('L', 'X'), valueMatrix(step.gradients.input.gradient)],
    ["K'", valueMatrix(step.after.kernel)],
    ...(step.after.bias === undefined ? [] : [["b'", rationalTex(step.after.bias)]]),
  ];
  return {
    id: 'summary',
    title: { key: 'section.summary' },
    steps: [{ rule: 'summary.results', title: { key: 'step.summary.results' }, blocks: [{ kind: 'table', header: [{ key: 'summary.quantity' }, { key: 'summary.value' }], rows }] }],
  };
}
